"""Failure reasons the harness gives for runs it could not see finish.

Metaflow reads its local datastore root once, at import, so each case runs in a fresh interpreter with
the environment under test.
"""

import os
import subprocess
import sys

import pytest

PROBE = """
from mfok_runtime.compliance.harness import Outcome
print(Outcome(timed_out=True, pathspec=%r, duration_s=240.0).describe_failure())
print(Outcome(timed_out=True, duration_s=240.0).describe_failure())
"""


def _describe(pathspec, env_overrides, cwd):
    env = dict(os.environ)
    env.pop("METAFLOW_DATASTORE_SYSROOT_LOCAL", None)
    env.update(env_overrides)
    result = subprocess.run([sys.executable, "-c", PROBE % pathspec], capture_output=True, text=True, env=env,
                            cwd=cwd, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_a_run_that_never_appeared_names_the_run_and_the_client_root(tmp_path):
    root = tmp_path / "client-root"
    announced, unnamed = _describe("MfokLinearFlow/prefect-1234", {"METAFLOW_DATASTORE_SYSROOT_LOCAL": str(root)},
                                   tmp_path)
    assert announced == ("no Metaflow run MfokLinearFlow/prefect-1234 became visible to the client (local "
                         "datastore root %s) within the 240 s timeout" % root)
    # Without a pathspec from the trigger there is nothing to name: the plain timeout reason stays.
    assert unnamed == "the run did not finish within the 240 s timeout"


def test_without_a_configured_root_the_search_from_the_working_directory_is_named(tmp_path):
    announced, _ = _describe("F/1", {}, tmp_path)
    assert "the nearest .metaflow above %s" % tmp_path in announced


# --- Reasons from a deployer subprocess that died (D1) -------------------------------------------------------

CHILD_BIG_STDERR = r'''
import sys

import pytest
for i in range(40000):
    sys.stderr.write("noise line %d of a long traceback-like output that fills the pipe\n" % i)
sys.stderr.write("Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n")
sys.stderr.write("ValueError: the real cause at the very end\n")
sys.exit(3)
'''

# The child exits at once; a grandchild that inherited its stderr writes the cause a moment later, as a
# buffered writer would flush it: when Metaflow builds its message the log holds nothing yet.
CHILD_LATE_STDERR = r'''
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import sys, time; time.sleep(1.5); "
                  "sys.stderr.write('Traceback (most recent call last):\\nKeyError: late cause\\n')"])
sys.exit(2)
'''


class _Owner:
    """What the harness receives from Metaflow: an object holding the deployer's SubprocessManager."""

    TYPE = "probe"

    def __init__(self, spm):
        self.spm = spm


def _die_through_metaflow(script, tmp_path):
    """Run `script` as Metaflow's deployer runs create/trigger and return (exception, owner)."""
    from metaflow.runner.subprocess_manager import SubprocessManager
    from metaflow.runner.utils import handle_timeout, temporary_fifo

    path = tmp_path / "child.py"
    path.write_text(script)
    spm = SubprocessManager()
    with temporary_fifo() as (_fifo_path, fifo_fd):
        pid = spm.run_command([sys.executable, str(path), "trigger"], env=dict(os.environ), cwd=str(tmp_path),
                              show_output=False)
        try:
            handle_timeout(fifo_fd, spm.get(pid), 60)
        except RuntimeError as exc:
            return exc, _Owner(spm)
    raise AssertionError("the child wrote the attribute file")


def test_large_unflushed_stderr_still_yields_its_last_exception(tmp_path):
    from mfok_runtime.compliance.harness import subprocess_failure

    exc, owner = _die_through_metaflow(CHILD_BIG_STDERR, tmp_path)
    reason, detail = subprocess_failure(exc, owner)
    assert reason == "trigger failed: ValueError: the real cause at the very end", reason
    assert "ValueError: the real cause at the very end" in detail
    assert detail.count("noise line") == 22  # the 25-line tail, not the whole log
    assert detail.rstrip().endswith("ValueError: the real cause at the very end")


def test_stderr_written_after_the_message_is_read_from_the_log(tmp_path):
    from mfok_runtime.compliance.harness import subprocess_failure

    exc, owner = _die_through_metaflow(CHILD_LATE_STDERR, tmp_path)
    assert "late cause" not in str(exc)  # Metaflow's own message missed it: this is the case being tested
    reason, detail = subprocess_failure(exc, owner)
    assert reason == "trigger failed: KeyError: late cause", reason
    assert "no output" not in reason


# --- Task states: @catch is not a failure (D4), attempts are named (D5) ---------------------------------------

def _local_run(flow, tmp_path, expect_ok):
    env = dict(os.environ, HOME=str(tmp_path), USER="mfok-test", METAFLOW_DATASTORE_SYSROOT_LOCAL=str(tmp_path),
               METAFLOW_DEFAULT_METADATA="local", METAFLOW_DEFAULT_DATASTORE="local")
    from mfok_runtime.compliance.harness import flow_path

    result = subprocess.run([sys.executable, flow_path(flow), "run"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=300)
    assert (result.returncode == 0) == expect_ok, result.stderr[-2000:]
    return env


PROBE_STATES = """
from metaflow import Flow, namespace
from mfok_runtime.compliance.harness import Outcome, _has_unsettled_task, failed_tasks, task_state
namespace(None)
run = Flow(%r).latest_run
states = sorted((t.pathspec.split('/')[-2], task_state(t)) for s in run for t in s)
print(states)
print([t.pathspec.split('/')[-2] for t in failed_tasks(run)])
print(Outcome(run=run).describe_failure() if not run.successful else "successful")
print(_has_unsettled_task(run))  # what the 60-second quiet rule asks
"""


@pytest.mark.slow
def test_tasks_handled_by_catch_are_not_failed(tmp_path):
    env = _local_run("catch_flow.py", tmp_path, expect_ok=True)
    out = subprocess.run([sys.executable, "-c", PROBE_STATES % "MfokCatchFlow"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    states, failed, verdict, unsettled = out.stdout.splitlines()
    assert "('caught', 'caught')" in states and "('caught_after_retry', 'caught')" in states, states
    assert failed == "[]"
    assert verdict == "successful"
    assert unsettled == "False"  # caught tasks never keep the quiet rule counting


@pytest.mark.slow
def test_a_failed_task_is_named_with_its_attempt(tmp_path):
    env = _local_run("fail_flow.py", tmp_path, expect_ok=False)
    out = subprocess.run([sys.executable, "-c", PROBE_STATES % "MfokFailFlow"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    states, failed, verdict, unsettled = out.stdout.splitlines()
    assert unsettled == "True"
    assert "('boom', 'failed')" in states and "('start', 'ok')" in states, states
    assert failed == "['boom']"
    assert verdict.startswith("run MfokFailFlow/") and "failed at step boom: MfokFailFlow/" in verdict, verdict
    # The task's own exception, read from its stderr, ends the reason.
    assert verdict.endswith("(attempt 0); its stderr ends: RuntimeError: planned failure in boom"), verdict


# --- A worker that writes to another datastore root is named ---------------------------------------------------

PROBE_ELSEWHERE = """
from mfok_runtime.compliance.harness import Outcome, find_run_elsewhere
where = find_run_elsewhere("MfokLinearFlow/prefect-77")
print(where)
print(Outcome(pathspec="MfokLinearFlow/prefect-77", written_elsewhere=where).describe_failure())
print(find_run_elsewhere("MfokLinearFlow/prefect-78"))
"""


def test_a_run_written_under_a_worker_home_is_found_and_named(tmp_path):
    worker_home = tmp_path / "worker-home"
    (worker_home / ".metaflow" / "MfokLinearFlow" / "prefect-77").mkdir(parents=True)
    client_root = tmp_path / "client-root"
    client_root.mkdir()
    env = dict(os.environ, METAFLOW_DATASTORE_SYSROOT_LOCAL=str(client_root), MFOK_OUTSIDE_HOME=str(worker_home))
    result = subprocess.run([sys.executable, "-c", PROBE_ELSEWHERE], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    where, reason, missing = result.stdout.splitlines()
    assert where == str(worker_home / ".metaflow")
    assert reason.startswith("run MfokLinearFlow/prefect-77 was written under %s, not under the client's local "
                             "datastore root %s" % (worker_home / ".metaflow", client_root)), reason
    assert "HOME and METAFLOW_DATASTORE_SYSROOT_LOCAL" in reason
    assert missing == "None"
