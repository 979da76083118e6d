"""The generated package passes the mfok compliance suite as generated: every required capability but
CONDA (which skips with its reason where micromamba is unavailable), plus the optional NESTED_FOREACH it
declares."""

import json
import os
import subprocess
import sys

import pytest

from mfok_runtime.capabilities import REQUIRED, Cap
from mfok_runtime.scaffold.generator import write_package

pytestmark = pytest.mark.slow

MFOK_RUN = os.path.join(os.path.dirname(sys.executable), "mfok-run")


@pytest.mark.skipif(not os.path.exists(MFOK_RUN), reason="mfok-run console script not installed")
def test_generated_package_passes_the_compliance_suite(tmp_path):
    package = write_package("comply_sched", output_dir=str(tmp_path))
    env = dict(os.environ)
    # the extension is found through the path, as an installed namespace package would be
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package, env.get("PYTHONPATH")]))
    env.setdefault("USER", "compliance")
    report = tmp_path / "report.json"
    result = subprocess.run(
        [MFOK_RUN, "compliance", "--scheduler-type", "comply_sched", "--workers", "2", "--json", str(report)],
        cwd=str(tmp_path),
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert report.exists(), result.stdout[-4000:] + result.stderr[-4000:]
    statuses = {r["capability"]: (r["status"], r.get("reason")) for r in json.loads(report.read_text())["results"]}
    expected = {cap.value for cap in REQUIRED if cap is not Cap.CONDA} | {Cap.NESTED_FOREACH.value}
    failed = {cap: statuses.get(cap) for cap in expected if statuses.get(cap, ("missing",))[0] != "passed"}
    assert not failed, failed
    assert statuses[Cap.CONDA.value][0] in ("passed", "skipped")
    assert "--environment conda" in (statuses[Cap.CONDA.value][1] or "") or statuses[Cap.CONDA.value][0] == "passed"
    assert result.returncode == 0, result.stdout[-4000:]
