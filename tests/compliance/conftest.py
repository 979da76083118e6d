"""Scheduler virtualenvs for the live compliance tests.

Each scheduler gets a fresh virtualenv built from a pinned requirements file in requirements/, with mfok
installed from this checkout (not editable, without dependencies: the suite side needs only metaflow and
pytest, and a real install proves the flows ship as package data). The runner itself runs from the
project's interpreter and points at the virtualenv with --python. Everything lives under pytest's
temporary directory and is removed with it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


REQUIREMENTS = Path(__file__).resolve().parent / "requirements"


def build_venv(root: Path, requirements: str, extra=()) -> Path:
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["-r", str(REQUIREMENTS / requirements), *extra], check=True, timeout=900)
    build_dir = root / "mfok-src"
    # Copy the checkout so the build never writes into the working tree (build/, *.egg-info).
    shutil.copytree(REPO, build_dir, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info",
                                                                       "__pycache__", "tests", "bench"))
    subprocess.run(pip + ["--no-deps", str(build_dir)], check=True, timeout=600)
    shutil.rmtree(build_dir, ignore_errors=True)
    return python


@pytest.fixture(scope="session")
def dagster_python(tmp_path_factory):
    root = tmp_path_factory.mktemp("dagster-env")
    try:
        yield build_venv(root, "dagster.txt")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_compliance(python: Path, scheduler_type: str, out: Path, *extra, env=None, timeout=1500):
    merged = dict(os.environ)
    merged["TMPDIR"] = str(out)
    merged.update(env or {})
    command = [str(Path(sys.executable).parent / "mfok-run"), "compliance", "--scheduler-type", scheduler_type,
               "--python", str(python), "--json", str(out / "report.json"), *extra]
    result = subprocess.run(command, capture_output=True, text=True, env=merged, timeout=timeout, cwd=out)
    return result


@pytest.fixture(scope="session")
def compliance_runner():
    return run_compliance


@pytest.fixture(scope="session")
def venv_builder():
    return build_venv
