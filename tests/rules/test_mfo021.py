"""MFO021 sysroot-datastore-root-conflation: one value fed to the sysroot and to --datastore-root."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_worker.py"


def lint(source: str):
    text = textwrap.dedent(source)
    return [d for d in lint_text(text, path=PATH, select=["MFO021"]) if d.code == "MFO021"], text


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


@pytest.mark.parametrize(
    "source, snippet",
    [
        (SAME_VARIABLE, "root\n"),
        (SAME_HELPER_ACROSS_FUNCTIONS, "root\n"),
        (DATASTORE_ROOT_ATTRIBUTE, "root\n"),
    ],
    ids=["same-variable", "helper-origin", "datastore-root-attribute"],
)
def test_conflations_are_reported(source, snippet):
    found, text = lint(source)
    assert len(found) == 1, found
    line = text.splitlines(keepends=True)[found[0].location.row - 1]
    assert line[found[0].location.column - 1:] == snippet


def test_generated_code_is_checked():
    found, text = lint(GENERATED)
    assert len(found) == 1
    assert found[0].message.startswith("Generated code:")
    assert text.splitlines()[found[0].location.row - 1].strip().startswith("env = ")


@pytest.mark.parametrize(
    "source",
    [
        # converted between the two forms
        SAME_VARIABLE.replace('env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = root',
                              'env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = os.path.dirname(root)'),
        SAME_VARIABLE.replace('"--datastore-root", root', '"--datastore-root", os.path.join(root, ".metaflow")'),
        SAME_VARIABLE.replace('"--datastore-root", root', '"--datastore-root", root + "/.metaflow"'),
        # different values
        SAME_VARIABLE.replace('"--datastore-root", root', '"--datastore-root", other_root'),
        # S3 sysroot and root are the same thing; only the local key counts for shared values
        SAME_VARIABLE.replace("SYSROOT_LOCAL", "SYSROOT_S3"),
        # the attribute of a different name
        DATASTORE_ROOT_ATTRIBUTE.replace('"datastore_root"', '"sysroot"'),
    ],
    ids=["dirname", "join", "concat", "different", "s3-key", "other-attribute"],
)
def test_consistent_code_is_clean(source):
    found, _ = lint(source)
    assert found == []


def test_files_without_a_datastore_root_are_not_parsed():
    from mfok_lint.rules import all_rules

    rule = all_rules()["MFO021"]
    assert not rule.applies_to_file("x.py", b'env = {"METAFLOW_SYSROOT_S3": root}\n')
    assert rule.applies_to_file("x.py", b'env = {"METAFLOW_SYSROOT_S3": root}\ncmd = ["--datastore-root", root]\n')
    assert rule.applies_to_file("x.py", b'env = {"METAFLOW_SYSROOT_S3": datastore_root}\n')
