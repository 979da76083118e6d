"""The generated package installs as generated, and its own tests pass from an unactivated virtualenv.

mfok is not on a package index, so the package is generated with ``--mfok-requirement`` pointing at a wheel
of this checkout built here. The install runs the generated CI workflow's own install and lint steps (their
``run`` lines and ``env``, read from ``.github/workflows/compliance.yml``), so a broken workflow fails
here. Third-party packages (metaflow, libcst, ...) come from the package index as they would in CI; mfok
itself must come from the local wheel, which the test checks in the installed distribution's PEP 610
record.

The generated tests then run as ``venv/bin/python -m pytest`` with the virtualenv's ``bin`` NOT on PATH:
that is how an IDE or a script runs them, and where a test that looks for ``mfok-run`` on PATH fails.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mfok_runtime.scaffold.cli import main
from tests.conftest import REPO

pytestmark = pytest.mark.slow

NAME = "wheel_sched"
PASSTHROUGH = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE", "SSL_CERT_FILE",
               "PIP_CERT", "PIP_DEFAULT_TIMEOUT")


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, "%s failed (exit %d):\n%s\n%s" % (
        command, result.returncode, result.stdout[-6000:], result.stderr[-6000:])
    return result


@pytest.fixture(scope="module")
def mfok_wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(REPO)],
         timeout=600)
    (wheel,) = out.glob("mfok-*.whl")
    return wheel


def _base_env(tmp_path):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "USER": "ci",
        "TMPDIR": str(tmp_path),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "LANG": "C.UTF-8",
    }
    for name in PASSTHROUGH:
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _workflow_steps(package):
    workflow = yaml.safe_load((Path(package) / ".github/workflows/compliance.yml").read_text())
    (job,) = workflow["jobs"].values()
    return {step["name"]: step for step in job["steps"] if "name" in step}


def test_generated_package_installs_and_its_tests_pass_from_an_unactivated_venv(tmp_path, mfok_wheel, capsys):
    assert main([NAME, "-o", str(tmp_path / "src"), "--mfok-requirement", str(mfok_wheel)]) == 0
    printed = capsys.readouterr().out
    assert "mfok requirement: mfok[compliance] @ %s" % mfok_wheel.as_uri() in printed
    package = tmp_path / "src" / NAME

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    env = _base_env(tmp_path)

    # CI's steps as the workflow writes them, with `python` the job's interpreter (setup-python puts it first)
    ci_env = dict(env, PATH=str(venv / "bin") + os.pathsep + env["PATH"])
    steps = _workflow_steps(package)
    install = steps["Install the extension with its test dependencies"]
    _run(["bash", "-e", "-c", install["run"]], cwd=str(package), env=dict(ci_env, **install.get("env", {})),
         timeout=900)
    lint = steps["Lint"]
    _run(["bash", "-e", "-c", lint["run"]], cwd=str(package), env=ci_env, timeout=300)

    # mfok came from the wheel of this checkout, not from an index
    probe = _run([str(python), "-c",
                  "from importlib import metadata; d = metadata.distribution('mfok');"
                  "print(d.read_text('direct_url.json'))"], env=env, cwd=str(tmp_path))
    origin = json.loads(probe.stdout)
    assert origin["url"] == mfok_wheel.as_uri() and "archive_info" in origin, origin

    # the generated tests, from an interpreter path alone: no activation, no venv bin on PATH
    assert str(venv / "bin") not in env["PATH"].split(os.pathsep)
    tests = subprocess.run(
        [str(python), "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "-rA"],
        cwd=str(package), env=env, capture_output=True, text=True, timeout=1800,
    )
    output = tests.stdout[-12000:] + tests.stderr[-4000:]
    assert tests.returncode == 0, output
    assert "test_compliance.py::test_compliance_suite" in tests.stdout and "2 passed" in tests.stdout, output
