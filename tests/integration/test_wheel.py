"""The built wheel (not the editable install) carries the packages, the catalog pages and the entry points."""

import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (path,) = out.glob("mfok-*.whl")
    return path


def test_wheel_contains_catalog_and_entry_points(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    pages = [n for n in names if n.startswith("rules_catalog/") and n.endswith(".md")]
    assert "rules_catalog/MFO001.md" in pages and "rules_catalog/MFO901.md" in pages
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "mfok-lint = mfok_lint.cli.main:main" in entry_points
    assert "MFO = mfok_lint.cli.flake8_plugin:MfokFlake8Plugin" in entry_points
    assert "mfok_lint/model/commands/evaluator.py" in names and "mfok_lint/cli/report/sarif.py" in names
    assert not any(n.startswith(("tests/", "examples/")) for n in names)


def test_installed_wheel_prints_a_catalog_page(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    code = "import mfok_lint.cli.main, rules_catalog; print(rules_catalog.__file__); mfok_lint.cli.main.main(['rule', 'MFO001'])"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.stdout.splitlines()[0].startswith(str(target)), proc.stdout + proc.stderr
    assert "run-params-tuple" in proc.stdout and "## Why is this bad?" in proc.stdout
