"""MFO021 sysroot-datastore-root-conflation: one value fed to the sysroot and to --datastore-root."""

from __future__ import annotations

import textwrap

import pytest

from tests.rules.conftest import Invalid, Valid, lint, passes_prefilter, rule_cases

RULE = "MFO021"
PATH = "metaflow_extensions/acme/plugins/acme/acme_worker.py"

SAME_VARIABLE = """
import os
import subprocess


def run_step(flow_file, root):
    env = dict(os.environ)
    env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = root
    cmd = ["python", flow_file, "--datastore-root", root, "step", "start", "--run-id", "1", "--task-id", "1"]
    subprocess.run(cmd, env=env, check=True)
"""

SAME_HELPER_ACROSS_FUNCTIONS = """
import contextlib
import os


def _root_for(overrides):
    return overrides.get("METAFLOW_DATASTORE_SYSROOT_LOCAL") or os.path.expanduser("~/.metaflow")


def top_args(overrides):
    return ["--quiet", "--datastore-root=%s" % _root_for(overrides)]


@contextlib.contextmanager
def sysroot_env(root):
    key = "METAFLOW_DATASTORE_SYSROOT_LOCAL"
    os.environ[key] = root
    yield


def read_artifacts(overrides):
    root = _root_for(overrides)
    with sysroot_env(root):
        pass
"""

DATASTORE_ROOT_ATTRIBUTE = """
class Compiler:
    def env_for(self):
        env = {}
        root = getattr(self.flow_datastore, "datastore_root", None)
        if root:
            env["METAFLOW_DATASTORE_SYSROOT_%s" % self.flow_datastore.TYPE.upper()] = root
        return env
"""

GENERATED = '''
TEMPLATE = """
import os, subprocess
ROOT = "{root}"
env = {{"METAFLOW_DATASTORE_SYSROOT_LOCAL": ROOT}}
subprocess.run(["python", "flow.py", f"--datastore-root={{ROOT}}", "step", "a"], env=env)
"""
'''

INVALID = [
    Invalid(SAME_VARIABLE, rows=[8], path=PATH, why="same-variable"),
    Invalid(SAME_HELPER_ACROSS_FUNCTIONS, rows=[17], path=PATH, why="helper-origin"),
    Invalid(DATASTORE_ROOT_ATTRIBUTE, rows=[7], path=PATH, why="datastore-root-attribute"),
    Invalid(GENERATED, rows=[5], message="Generated code:", path=PATH, why="generated code is checked"),
]

VALID = [
    # converted between the two forms
    Valid(
        SAME_VARIABLE.replace('env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = root',
                              'env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = os.path.dirname(root)'),
        path=PATH, why="dirname",
    ),
    Valid(
        SAME_VARIABLE.replace('"--datastore-root", root', '"--datastore-root", os.path.join(root, ".metaflow")'),
        path=PATH, why="join",
    ),
    Valid(
        SAME_VARIABLE.replace('"--datastore-root", root', '"--datastore-root", root + "/.metaflow"'),
        path=PATH, why="concat",
    ),
    # different values
    Valid(
        SAME_VARIABLE.replace('"--datastore-root", root', '"--datastore-root", other_root'), path=PATH, why="different"
    ),
    # S3 sysroot and root are the same thing; only the local key counts for shared values
    Valid(SAME_VARIABLE.replace("SYSROOT_LOCAL", "SYSROOT_S3"), path=PATH, why="s3-key"),
    # the attribute of a different name
    Valid(DATASTORE_ROOT_ATTRIBUTE.replace('"datastore_root"', '"sysroot"'), path=PATH, why="other-attribute"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize(
    "source",
    [SAME_VARIABLE, SAME_HELPER_ACROSS_FUNCTIONS, DATASTORE_ROOT_ATTRIBUTE],
    ids=["same-variable", "helper-origin", "datastore-root-attribute"],
)
def test_conflation_is_reported_at_the_sysroot_value(source):
    text = textwrap.dedent(source)
    (found,) = lint(source, RULE, path=PATH)
    line = text.splitlines(keepends=True)[found.location.row - 1]
    assert line[found.location.column - 1:] == "root\n"


def test_generated_code_is_checked():
    text = textwrap.dedent(GENERATED)
    (found,) = lint(GENERATED, RULE, path=PATH)
    assert found.message.startswith("Generated code:")
    assert text.splitlines()[found.location.row - 1].strip().startswith("env = ")


def test_files_without_a_datastore_root_are_not_parsed():
    assert not passes_prefilter(RULE, 'env = {"METAFLOW_SYSROOT_S3": root}\n', path="x.py")
    assert passes_prefilter(
        RULE, 'env = {"METAFLOW_SYSROOT_S3": root}\ncmd = ["--datastore-root", root]\n', path="x.py"
    )
    assert passes_prefilter(RULE, 'env = {"METAFLOW_SYSROOT_S3": datastore_root}\n', path="x.py")
