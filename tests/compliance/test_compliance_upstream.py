"""`mfok-run compliance --metaflow-src`: Metaflow's test/ux suite as a second verdict.

Two sources: a small tree shaped like Metaflow's `test/ux` that the tests write themselves (a conftest that
reads `ux_test_config.yaml` with omegaconf and honours `--only-backend`, tests that pass, fail, and fail
for lack of a conda channel), run against argo-workflows, which the project's virtualenv registers; and
the real suite in /work/shared/metaflow-test-ux (see test_compliance_scaffold.py and
test_compliance_dagster.py for the live runs).
"""

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.compliance.test_compliance_cli import mfok_run

CONFTEST = '''
import os

import pytest
from omegaconf import OmegaConf


def pytest_addoption(parser):
    parser.addoption("--only-backend", default=None)
    parser.addoption("--exec-mode", default=None)


def pytest_configure(config):
    # The runner asks for deployer mode only, as Metaflow's conftest allows.
    assert config.getoption("--exec-mode") == "deployer"


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    cfg = OmegaConf.load(os.path.join(os.path.dirname(__file__), "ux_test_config.yaml"))
    backends = [OmegaConf.to_container(b, resolve=True) for b in cfg.backends]
    only = metafunc.config.getoption("--only-backend")
    if only:
        backends = [b for b in backends if b["name"] == only]
    metafunc.parametrize("backend", backends, ids=["%s-deployer" % b["name"] for b in backends])
'''

TEST_BASIC = '''
import json
import os


def test_hello_world(backend):
    # What the runner promises the suite: its backend, its deploy arguments, and the isolation.
    assert backend["scheduler_type"] == "argo-workflows", backend
    assert backend["deploy_args"] == {"name": "fake-deploy"}, backend
    with open(os.path.join(os.environ["METAFLOW_HOME"], "config_local.json")) as handle:
        assert json.load(handle) == {}
    assert os.environ["METAFLOW_PROFILE"] == "local"
    assert os.environ["METAFLOW_DEFAULT_METADATA"] == os.environ["METAFLOW_DEFAULT_DATASTORE"] == "local"
    assert os.environ.get("USER")
    origin = os.environ["MFOK_FAKE_ORIGIN"]
    for name in ("METAFLOW_DATASTORE_SYSROOT_LOCAL", "HOME", "TMPDIR"):
        assert not os.environ[name].startswith(origin), name
    assert not os.path.abspath(__file__).startswith(origin), "the suite ran inside the checkout"


def test_retry(backend):
    raise AssertionError("planned failure: retry attempt was 0")


def test_hello_conda(backend):
    raise RuntimeError("Error executing: 'python helloconda.py --environment conda argo-workflows create':\\n"
                       "\\nStderr:\\n    Micromamba ran into an error while setting up environment:\\n"
                       "    Micromamba installation 'curl -Ls https://micro.mamba.pm/api/micromamba/linux-64/1.5.7' "
                       "failed:\\n")


def test_timeout(backend):
    # As Metaflow's deployer reports a create/trigger command that died: the cause is in its stderr.
    raise RuntimeError("Error executing: '/venv/bin/python /x/flows/basic/timeout_flow.py argo-workflows trigger "
                       "--deployer-attribute-file /tmp/fifo':\\n\\nStdout:\\nDeploying...\\n\\nStderr:\\n"
                       "Traceback (most recent call last):\\n  File \\"x.py\\", line 3, in run\\n"
                       "ValueError: planned trigger failure\\n")
'''

TEST_DAG = '''
import os


def test_branch(backend):
    assert backend["name"] == "argo-workflows"
    # Each parallel worker deploys from a working directory of its own.
    assert os.path.basename(os.getcwd()).startswith("upstream-"), os.getcwd()
'''


def _fake_checkout(root: Path) -> Path:
    ux = root / "test" / "ux"
    (ux / "core").mkdir(parents=True)
    (ux / "__init__.py").write_text("")
    (ux / "core" / "__init__.py").write_text("")
    (ux / "conftest.py").write_text(CONFTEST)
    (ux / "pytest.ini").write_text("[pytest]\ntimeout = 600\n")
    (ux / "ux_test_config.yaml").write_text("backends:\n  - name: local\n    scheduler_type: null\n")
    (ux / "core" / "test_basic.py").write_text(TEST_BASIC)
    (ux / "core" / "test_dag.py").write_text(TEST_DAG)
    return root


def _snapshot(root: Path):
    return sorted((str(p.relative_to(root)), p.stat().st_mtime_ns) for p in root.rglob("*"))


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory):
    checkout = _fake_checkout(tmp_path_factory.mktemp("metaflow-checkout"))
    out = tmp_path_factory.mktemp("upstream-run")
    before = _snapshot(checkout)
    result = mfok_run(
        "compliance", "--scheduler-type", "argo-workflows", "--metaflow-src", str(checkout), "--suite", "upstream",
        "--test-modules", "basic,dag", "--workers", "2", "--timeout", "60", "--keep-artifacts",
        "--json", str(out / "report.json"), "--junit-xml", str(out / "junit.xml"),
        "--deploy-args", "name=fake-deploy,env.MFOK_FAKE_ORIGIN=%s" % checkout,
        env={"TMPDIR": str(out)}, cwd=out, timeout=600,
    )
    kept = [out / n for n in os.listdir(out) if n.startswith("mfok-compliance-")]
    return result, out, checkout, before, kept


def test_upstream_verdicts_fold_into_the_report(fake_run):
    result, out, _checkout, _before, _kept = fake_run
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads((out / "report.json").read_text())
    tests = {t["name"].split("[")[0]: t for t in report["upstream"]["tests"]}
    assert {name: (t["status"], t["capability"]) for name, t in tests.items()} == {
        "test_hello_world": ("passed", "LINEAR_DAG"),
        "test_retry": ("failed", "RETRY"),
        "test_hello_conda": ("skipped", "CONDA"),
        "test_timeout": ("failed", "TIMEOUT"),
        "test_branch": ("passed", "BRANCHING"),
    }
    # The failing deployer command's own cause, not the command line Metaflow's message starts with.
    assert tests["test_timeout"]["reason"] == "trigger of timeout_flow.py failed: ValueError: planned trigger failure"
    assert "planned failure: retry attempt was 0" in tests["test_retry"]["reason"]
    assert tests["test_hello_conda"]["reason"].startswith("needs a conda channel")
    assert report["results"] == []  # --suite upstream: the own suite did not run
    table = result.stdout[result.stdout.index("Metaflow's test/ux"):]
    assert "test_retry[argo-workflows-deployer]" in table and "planned failure" in table


def test_upstream_junit_has_its_own_suite(fake_run):
    root = ET.parse(str(fake_run[1] / "junit.xml")).getroot()
    upstream = [s for s in root.findall("testsuite") if s.get("name").startswith("metaflow-test-ux")][0]
    cases = {c.get("name").split("[")[0]: c for c in upstream.iter("testcase")}
    assert cases["test_retry"].find("failure") is not None
    assert cases["test_hello_conda"].find("skipped") is not None
    assert cases["test_hello_world"].find("properties/property").get("value") == "LINEAR_DAG"


def test_the_checkout_is_never_written_and_the_copy_gets_one_backend(fake_run):
    import yaml

    _result, _out, checkout, before, kept = fake_run
    assert _snapshot(checkout) == before
    assert len(kept) == 1
    config = yaml.safe_load((kept[0] / "metaflow-test-ux" / "test" / "ux" / "ux_test_config.yaml").read_text())
    assert config == {"backends": [{"name": "argo-workflows", "scheduler_type": "argo-workflows", "cluster": None,
                                    "decospec": None, "enabled": True, "deploy_args": {"name": "fake-deploy"}}]}


def _one_line_error(result):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mfok-run: error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


def test_missing_module_is_a_one_line_error(tmp_path):
    checkout = _fake_checkout(tmp_path / "src")
    line = _one_line_error(mfok_run("compliance", "--scheduler-type", "argo-workflows", "--metaflow-src",
                                    str(checkout), "--test-modules", "basic,nope", cwd=tmp_path))
    assert "nope" in line and "available: basic, dag" in line


def test_checkout_without_test_ux_is_a_one_line_error(tmp_path):
    line = _one_line_error(mfok_run("compliance", "--scheduler-type", "argo-workflows", "--metaflow-src",
                                    str(tmp_path), cwd=tmp_path))
    assert "has no test/ux" in line


def test_missing_omegaconf_is_a_one_line_error(tmp_path):
    checkout = _fake_checkout(tmp_path / "src")
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    # The interpreter under test cannot import omegaconf (as when it is not installed there).
    (shadow / "omegaconf.py").write_text("raise ImportError('No module named omegaconf')\n")
    line = _one_line_error(mfok_run("compliance", "--scheduler-type", "argo-workflows", "--metaflow-src",
                                    str(checkout), "--test-modules", "basic", env={"PYTHONPATH": str(shadow), "TMPDIR": str(tmp_path)},
                                    cwd=tmp_path))
    assert "needs omegaconf" in line and "pip install omegaconf" in line


@pytest.mark.skipif(not Path("/work/shared/metaflow-test-ux/test/ux").is_dir(),
                    reason="Metaflow's test/ux reference copy (/work/shared/metaflow-test-ux) is not on this machine")
def test_real_suite_modules_are_listed(tmp_path):
    line = _one_line_error(mfok_run("compliance", "--scheduler-type", "argo-workflows", "--metaflow-src",
                                    "/work/shared/metaflow-test-ux", "--test-modules", "nope", cwd=tmp_path))
    for module in ("basic", "compliance", "config", "dag", "decorators", "lifecycle", "resume"):
        assert module in line
