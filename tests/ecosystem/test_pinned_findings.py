"""The defended true positives on released extensions, pinned.

Each finding listed in pinned_findings.json was read against the extension's code and judged a real contract
bug (the verdicts with evidence are in docs/real-extensions-*.md and, for MFO047 and MFO053, docs/ecosystem-new-rules.md). The test downloads the pinned releases and
checks that mfok-lint still reports exactly these (stable rules, default selection): a lost finding is a
regression in recall, a new one must be judged and added, or fixed as a false positive.
"""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import tool

PINS = json.loads((Path(__file__).parent / "pinned_findings.json").read_text())


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    root = tmp_path_factory.mktemp("releases")
    specs = [f"{name}=={version}" for name, version in ((p["package"], p["version"]) for p in PINS)]
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q", "-d", str(root / "dl"), *specs],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"the package index is unreachable or lacks a pinned release: {proc.stderr.strip().splitlines()[-1:]}")
    unpacked = {}
    for wheel in (root / "dl").glob("*.whl"):
        dest = root / wheel.name.split("-")[0].replace("_", "-")
        zipfile.ZipFile(wheel).extractall(dest)
        unpacked[dest.name] = dest
    return unpacked


@pytest.mark.slow
@pytest.mark.parametrize("pin", PINS, ids=[p["package"] for p in PINS])
def test_pinned_findings(releases, pin):
    root = releases[pin["package"]]
    proc = subprocess.run(
        [tool("mfok-lint"), "check", "--isolated", "--no-cache", "--output-format", "json", "."],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    found = sorted(
        [str(Path(d["filename"]).relative_to(root)), d["location"]["row"], d["code"]] for d in json.loads(proc.stdout)
    )
    assert found == sorted(pin["findings"])
