"""Failure reasons the harness gives for runs it could not see finish.

Metaflow reads its local datastore root once, at import, so each case runs in a fresh interpreter with
the environment under test.
"""

import os
import subprocess
import sys

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
