"""MFO002 flow-config-value-missing: task environments that do not carry the deploy-time config values."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text
from tests.rules.fixcheck import apply_one, assert_fix_converges

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source: str, path: str = PATH):
    return [d for d in lint_text(textwrap.dedent(source), path=path, select=["MFO002"]) if d.code == "MFO002"]


DICT_LITERAL = """
import subprocess, sys

def run_step(flow_file, step, run_id, task_id, input_paths):
    env = {"METAFLOW_DEFAULT_METADATA": "local", "METAFLOW_DEFAULT_DATASTORE": "local"}
    cmd = [sys.executable, flow_file, "step", step, "--run-id", run_id, "--task-id", task_id,
           "--input-paths", input_paths]
    subprocess.run(cmd, env=env, check=True)
"""

ENVIRON_COPY = """
import os, subprocess

def run_step(cmd_prefix, run_id, task_id):
    env = os.environ.copy()
    env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = "/data"
    subprocess.run(cmd_prefix + ["step", "start", "--run-id", run_id, "--task-id", task_id], env=env)
"""

GENERATED_PYTHON = """
def task_body(step):
    lines = []
    lines.append("_extra_env: dict[str, str] = {}")
    lines.append('_extra_env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = os.path.expanduser("~")')
    lines.append('cmd = [sys.executable, FLOW_FILE, "step", %r, "--task-id", task_id]' % step)
    lines.append("_run_cmd(cmd, extra_env=_extra_env)")
    return lines
"""

BASH_TEMPLATE = '''
STEP_SCRIPT = """#!/bin/bash
set -e
export METAFLOW_DEFAULT_METADATA=local
export METAFLOW_DATASTORE_SYSROOT_LOCAL=/data
python flow.py step {step} --run-id {run_id} --task-id {task_id} --input-paths {paths}
"""
'''

CONTAINER_LIST = """
def container_spec(step, run_id, task_id):
    return {
        "image": "python:3.11",
        "command": ["python", "flow.py", "step", step, "--run-id", run_id, "--task-id", task_id],
        "env": [
            {"name": "METAFLOW_DEFAULT_METADATA", "value": "service"},
            {"name": "METAFLOW_RUN_ID", "value": run_id},
        ],
    }
"""

YAML_SPEC = '''
TASK_TEMPLATE = """
- name: step
  container:
    args: ["python", "flow.py", "step", "{step}", "--task-id", "{task_id}"]
    env:
      - name: METAFLOW_DEFAULT_DATASTORE
        value: s3
"""
'''


RETURNED_BY_BUILDER = """
def step_command(flow_file, step):
    return ["python", flow_file, "step", step, "--run-id", "{{ run_id }}", "--task-id", "{{ task_id }}"]


def worker_env(root):
    return {
        "METAFLOW_DEFAULT_DATASTORE": "local",
        "METAFLOW_DATASTORE_SYSROOT_LOCAL": root,
    }
"""


@pytest.mark.parametrize(
    "source, line",
    [
        (DICT_LITERAL, "env = {"),
        (ENVIRON_COPY, "env = os.environ.copy()"),
        (GENERATED_PYTHON, "_extra_env: dict"),
        (BASH_TEMPLATE, "export METAFLOW_DEFAULT_METADATA"),
        (CONTAINER_LIST, '"env": ['),
        (YAML_SPEC, "- name: METAFLOW_DEFAULT_DATASTORE"),
        (RETURNED_BY_BUILDER, "return {"),
    ],
    ids=["dict-literal", "environ-copy", "generated-python", "bash-export", "container-env-list", "yaml-in-string", "returned-by-env-builder"],
)
def test_reported(source, line):
    found = lint(source)
    assert len(found) == 1, [(d.location.row, d.message) for d in found]
    lines = textwrap.dedent(source).splitlines()
    assert line in lines[found[0].location.row - 1]
    assert "METAFLOW_FLOW_CONFIG_VALUE" in found[0].message


VALID = {
    "key-set-conditionally": """
        import json, subprocess
        def run_step(cmd, cfg):
            env = {"METAFLOW_DEFAULT_METADATA": "local"}
            if cfg:
                env["METAFLOW_FLOW_CONFIG_VALUE"] = json.dumps(cfg)
            subprocess.run(cmd + ["--task-id", "t1"], env=env)
        """,
    "fragment-handed-to-a-builder": """
        def container(job, run_id):
            job.environment_variables_from_selectors({"METAFLOW_KUBERNETES_POD_NAME": "metadata.name"})
            return ["step", "start", "--task-id", run_id]
        """,
    "no-step-command-in-file": """
        import os
        def client_env():
            return {"METAFLOW_DEFAULT_METADATA": "local"}
        """,
    "configs-on-the-command-line": """
        import subprocess
        def run_step(flow_file, cfg_json):
            env = {"METAFLOW_DEFAULT_METADATA": "local"}
            cmd = ["python", flow_file, "--config-value", "cfg", cfg_json, "step", "start", "--task-id", "1"]
            subprocess.run(cmd, env=env)
        """,
    "merged-from-a-helper-that-sets-it": """
        import json, os, subprocess
        def base_env(configs):
            env = {}
            env["METAFLOW_FLOW_CONFIG_VALUE"] = json.dumps(configs)
            return env
        def run_step(cmd, configs):
            env = {**os.environ, **base_env(configs), "METAFLOW_RUN_ID": "r1"}
            subprocess.run(cmd + ["--task-id", "t1"], env=env)
        """,
    "generated-code-sets-it": """
        def task_body():
            return [
                "_extra_env = {}",
                '_extra_env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = "/data"',
                "if FLOW_CONFIG_VALUE:",
                "    _extra_env['METAFLOW_FLOW_CONFIG_VALUE'] = FLOW_CONFIG_VALUE",
                'cmd = [sys.executable, FLOW_FILE, "step", "start", "--task-id", task_id]',
            ]
        """,
    "process-environment-of-the-deployer": """
        import os
        def with_local_metadata(task_id):
            os.environ["METAFLOW_DEFAULT_METADATA"] = "local"
            return ["--task-id", task_id]
        """,
    "only-mentioned-in-comments": """
        import subprocess
        # METAFLOW_PROFILE is read by Metaflow; "--task-id" is documented below.
        def run(cmd):
            '''env = {"METAFLOW_DEFAULT_METADATA": "local"} and "--task-id" in a docstring.'''
            subprocess.run(cmd)
        """,
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_not_reported(name):
    assert lint(VALID[name]) == []


def _package(tmp_path, compiler: str, sibling: str):
    plugin = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme"
    plugin.mkdir(parents=True)
    (plugin / "acme_compiler.py").write_text(textwrap.dedent(compiler))
    (plugin / "acme_cli.py").write_text(textwrap.dedent(sibling))
    return str(plugin / "acme_compiler.py")


OPEN_ENV_COMPILER = """
import os, subprocess
def run_step(base_env, cmd):
    env = {**base_env, "METAFLOW_RUN_ID": "r1"}
    subprocess.run(cmd + ["--task-id", "t1"], env=env)
"""


def test_open_environment_trusts_a_sibling_module_that_sets_the_key(tmp_path):
    path = _package(
        tmp_path,
        OPEN_ENV_COMPILER,
        """
        import json
        def base_env(configs):
            return {"METAFLOW_FLOW_CONFIG_VALUE": json.dumps(configs)}
        """,
    )
    with open(path) as fh:
        text = fh.read()
    assert lint_text(text, path=path, select=["MFO002"]) == []


def test_a_sibling_that_only_mentions_the_key_in_comments_does_not_count(tmp_path):
    path = _package(
        tmp_path,
        OPEN_ENV_COMPILER,
        '''
        """This module should set METAFLOW_FLOW_CONFIG_VALUE one day."""
        # TODO: METAFLOW_FLOW_CONFIG_VALUE
        def base_env():
            return {}
        ''',
    )
    with open(path) as fh:
        text = fh.read()
    assert [d.code for d in lint_text(text, path=path, select=["MFO002"])] == ["MFO002"]


def test_closed_environment_is_reported_even_if_another_module_sets_the_key(tmp_path):
    path = _package(
        tmp_path,
        DICT_LITERAL,
        """
        def other_env(cfg):
            return {"METAFLOW_FLOW_CONFIG_VALUE": cfg}
        """,
    )
    with open(path) as fh:
        text = fh.read()
    assert [d.code for d in lint_text(text, path=path, select=["MFO002"])] == ["MFO002"]


FIXABLE = """
import subprocess


class AcmeCompiler:
    def __init__(self, flow):
        self.flow = flow

    def step_env(self, run_id):
        env = {"METAFLOW_DEFAULT_METADATA": "local"}  # defaults for every task
        env["METAFLOW_RUN_ID"] = run_id
        return env

    def run(self, cmd, run_id):
        subprocess.run(cmd + ["--task-id", "t1"], env=self.step_env(run_id))
"""


def test_unsafe_fix_adds_the_key_from_the_flow_config_state():
    text = textwrap.dedent(FIXABLE)
    (found,) = lint(text)
    assert found.fix is not None and found.fix.applicability.value == "unsafe"
    fixed = apply_one(text, found)
    assert "self.flow._flow_state[_FlowStateItems.CONFIGS]" in fixed
    assert '            env["METAFLOW_FLOW_CONFIG_VALUE"] = _json.dumps(_flow_configs)\n' in fixed
    # the comment stays on the creation line
    assert 'env = {"METAFLOW_DEFAULT_METADATA": "local"}  # defaults for every task\n' in fixed
    assert_fix_converges(text, "MFO002", PATH, unsafe=True)


def test_safe_fix_mode_leaves_the_file_alone():
    from mfok_lint.lint.fixes import fix_text

    text = textwrap.dedent(FIXABLE)
    assert fix_text(text, PATH, select=["MFO002"]).text == text


def test_no_fix_without_a_flow_object_or_for_generated_code():
    for source in (DICT_LITERAL, GENERATED_PYTHON, BASH_TEMPLATE):
        (found,) = lint(source)
        assert found.fix is None
