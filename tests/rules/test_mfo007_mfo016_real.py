"""MFO007/008/009/010/014/016 on the released extensions and Metaflow's own schedulers.

Every expected finding below was read against the extension's source and is explained in
docs/real-extensions-MFO007-MFO016.md; everything else must stay silent.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import zipfile

import metaflow
import pytest

from tests.rules.conftest import lint

CODES = ["MFO007", "MFO008", "MFO009", "MFO010", "MFO014", "MFO016"]
PACKAGES = [
    "metaflow-dagster==0.3.7",
    "metaflow-flyte==0.4.3",
    "metaflow-gha==0.1.0",
    "metaflow-kestra==0.3.4",
    "metaflow-kubeflow==0.0.4",
    "metaflow-mage==0.2.1",
    "metaflow-prefect==0.3.7",
    "metaflow-slurm==0.0.4",
    "metaflow-temporal==0.4.9",
    "metaflow-windmill==0.2.1",
]
EXPECTED = {
    ("MFO007", "gha/plugins/worker.py", 262),
    ("MFO007", "kestra/plugins/kestra/kestra_compiler.py", 629),
    ("MFO007", "mage/plugins/mage/mage_compiler.py", 568),
    ("MFO007", "prefect/plugins/prefect/_codegen.py", 151),
    ("MFO007", "prefect/plugins/prefect/_codegen.py", 504),
    ("MFO016", "windmill/plugins/windmill/windmill_compiler.py", 518),
}


def _findings(root: pathlib.Path, strip: str):
    found = set()
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for diag in lint(text, CODES, path=str(path)):
            rel = str(path.relative_to(root)).split(strip, 1)[-1]
            found.add((diag.code, rel, diag.location.row))
    return found


@pytest.mark.slow
def test_released_extensions(tmp_path):
    wheels = tmp_path / "wheels"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), *PACKAGES],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"package index unavailable: {result.stderr.strip().splitlines()[-1:]}")
    src = tmp_path / "src"
    for wheel in wheels.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(src)
    assert (src / "metaflow_extensions").is_dir()
    assert _findings(src / "metaflow_extensions", "metaflow_extensions/") == EXPECTED


@pytest.mark.slow
def test_metaflows_own_schedulers_are_clean():
    plugins = pathlib.Path(os.path.dirname(metaflow.__file__)) / "plugins"
    for sub in ("argo", "aws/step_functions", "airflow"):
        assert _findings(plugins / sub, "plugins/") == set(), sub
