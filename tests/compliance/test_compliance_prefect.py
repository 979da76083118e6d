"""metaflow-prefect (pinned in requirements/prefect.txt) against a real local Prefect server and process worker.

Slow (server start, one flow run per deployment through the worker; about 8 minutes here), so it carries
the `prefect` marker and runs on demand: `pytest -m prefect tests/compliance`. The expected outcome per
capability is the one recorded in docs/compliance-results.md, each failure with its evidence there; a
change in either direction fails this test.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.prefect]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def prefect_stack(tmp_path_factory, venv_builder):
    root = tmp_path_factory.mktemp("prefect")
    python = venv_builder(root, "prefect.txt")
    prefect = str(python.parent / "prefect")
    port = _free_port()
    sysroot = root / "sysroot"
    sysroot.mkdir()
    env = dict(os.environ, PREFECT_HOME=str(root / "prefect-home"), PREFECT_API_URL="http://127.0.0.1:%d/api" % port,
               PREFECT_SERVER_ANALYTICS_ENABLED="false", USER=os.environ.get("USER", "mfok-test"))
    procs = []
    try:
        server = subprocess.Popen([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=open(root / "server.log", "w"), stderr=subprocess.STDOUT, env=env,
                                  start_new_session=True)
        procs.append(server)
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(env["PREFECT_API_URL"] + "/health", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, (root / "server.log").read_text()[-3000:]
                time.sleep(1)
        subprocess.run([prefect, "work-pool", "create", "mfok-pool", "--type", "process"], env=env, check=True,
                       capture_output=True)
        # metaflow-prefect writes local metadata under the worker's $HOME, so HOME is the shared sysroot.
        worker_env = dict(env, HOME=str(sysroot), METAFLOW_DATASTORE_SYSROOT_LOCAL=str(sysroot),
                          METAFLOW_DEFAULT_METADATA="local", METAFLOW_DEFAULT_DATASTORE="local")
        worker = subprocess.Popen([prefect, "worker", "start", "--pool", "mfok-pool", "--type", "process"],
                                  stdout=open(root / "worker.log", "w"), stderr=subprocess.STDOUT, env=worker_env,
                                  cwd=str(root), start_new_session=True)
        procs.append(worker)
        yield python, env, sysroot
    finally:
        for proc in reversed(procs):
            _stop(proc)
        shutil.rmtree(root, ignore_errors=True)


EXPECTED = {
    "LINEAR_DAG": "failed",
    "BRANCHING": "passed",
    "FOREACH": "failed",
    "RETRY": "failed",
    "CATCH": "failed",
    "TIMEOUT": "failed",
    "RESOURCES": "passed",
    "PROJECT_BRANCH": "failed",
    "CONFIG_EXPR": "failed",
    "RUN_PARAMS": "failed",
    "FROM_DEPLOYMENT": "failed",
    "CONDA": "skipped",
    "NESTED_FOREACH": "skipped",
    "RESUME": "skipped",
    "SCHEDULE": "skipped",
}
REASON_FRAGMENTS = {
    "LINEAR_DAG": "create failed for custom_steps_flow.py: KeyError: 'start'",
    "FOREACH": "unfinished: step transform",
    "RETRY": "all at attempt 0",
    "CATCH": "caught_after_retry",
    "TIMEOUT": "slow 1/1 finished",
    "PROJECT_BRANCH": "No deployment named 'mfok' found for flow 'MfokProjectFlow'",
    "CONFIG_EXPR": "showed no task of any step",
    "RUN_PARAMS": "Invalid type for 'run_params'",
    "FROM_DEPLOYMENT": "No deployment named 'mfok' found for flow 'MfokFromDeploymentFlow'",
    "CONDA": "needs a conda channel",
}
# One root cause, told once.
SAME_CAUSE = {"CATCH": "RETRY", "FROM_DEPLOYMENT": "PROJECT_BRANCH"}


def test_prefect_capabilities_match_the_record(prefect_stack, compliance_runner, tmp_path):
    python, env, sysroot = prefect_stack
    deploy_args = "name=mfok,work_pool=mfok-pool,env.PREFECT_API_URL=%s,env.METAFLOW_DATASTORE_SYSROOT_LOCAL=%s," \
                  "env.PREFECT_HOME=%s" % (env["PREFECT_API_URL"], sysroot, env["PREFECT_HOME"])
    # 150 s per run: the slowest passing capability needs about 65 s here, and CONFIG_EXPR (a Prefect run
    # that fails before any Metaflow task exists) can only end at this deadline.
    result = compliance_runner(python, "prefect", tmp_path, "--workers", "2", "--timeout", "150",
                               "--deploy-args", deploy_args, timeout=3000)
    report_path = tmp_path / "report.json"
    assert report_path.exists(), result.stdout[-5000:] + result.stderr[-3000:]
    report = json.loads(report_path.read_text())
    statuses = {r["capability"]: r["status"] for r in report["results"]}
    assert statuses == EXPECTED, result.stdout[-8000:]
    reasons = {r["capability"]: r["reason"] or "" for r in report["results"]}
    for cap, fragment in REASON_FRAGMENTS.items():
        assert fragment in reasons[cap], (cap, reasons[cap])
    # Every retry of `flaky` is a new task at attempt 0, so the failed run lists several `flaky` tasks.
    assert reasons["RETRY"].count("/flaky/") >= 2, reasons["RETRY"]
    same = {r["capability"]: r["same_cause_as"] for r in report["results"] if r["same_cause_as"]}
    assert same == SAME_CAUSE, same
    assert report["summary"]["required_not_verified"] == ["CONDA"]
    assert result.returncode == 1
