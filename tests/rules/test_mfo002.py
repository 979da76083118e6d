"""MFO002 flow-config-value-missing: task environments that do not carry the deploy-time config values."""

from __future__ import annotations

import os
import textwrap

from mfok_lint.lint.fixes import fix_text
from tests.rules.conftest import DEFAULT_PATH, Invalid, Valid, apply_one, assert_fix_converges, lint, rule_cases

RULE = "MFO002"

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

FIXED_FIXABLE = """
import subprocess


class AcmeCompiler:
    def __init__(self, flow):
        self.flow = flow

    def step_env(self, run_id):
        env = {"METAFLOW_DEFAULT_METADATA": "local"}  # defaults for every task
        from metaflow.flowspec import FlowStateItems as _FlowStateItems
        import json as _json
        _flow_configs = {
            _name: _value
            for _name, (_value, _plain) in self.flow._flow_state[_FlowStateItems.CONFIGS].items()
            if _value is not None
        }
        if _flow_configs:
            env["METAFLOW_FLOW_CONFIG_VALUE"] = _json.dumps(_flow_configs)
        env["METAFLOW_RUN_ID"] = run_id
        return env

    def run(self, cmd, run_id):
        subprocess.run(cmd + ["--task-id", "t1"], env=self.step_env(run_id))
"""

MESSAGE = "METAFLOW_FLOW_CONFIG_VALUE"

INVALID = [
    # no fix without a flow object to read the configs from (a plain function), nor in generated code (Python or bash
    # in strings)
    Invalid(DICT_LITERAL, rows=[5], message=MESSAGE, no_fix=True, why="dict-literal"),
    Invalid(ENVIRON_COPY, rows=[5], message=MESSAGE, why="environ-copy"),
    Invalid(GENERATED_PYTHON, rows=[4], message=MESSAGE, no_fix=True, why="generated-python"),
    Invalid(BASH_TEMPLATE, rows=[4], message=MESSAGE, no_fix=True, why="bash-export"),
    Invalid(CONTAINER_LIST, rows=[6], message=MESSAGE, why="container-env-list"),
    Invalid(YAML_SPEC, rows=[7], message=MESSAGE, why="yaml-in-string"),
    Invalid(RETURNED_BY_BUILDER, rows=[7], message=MESSAGE, why="returned-by-env-builder"),
    Invalid(
        FIXABLE, rows=[10], message=MESSAGE, fixed=FIXED_FIXABLE, unsafe=True,
        why="unsafe fix from the flow's config state",
    ),
]

VALID = [
    Valid(
        """
        import json, subprocess
        def run_step(cmd, cfg):
            env = {"METAFLOW_DEFAULT_METADATA": "local"}
            if cfg:
                env["METAFLOW_FLOW_CONFIG_VALUE"] = json.dumps(cfg)
            subprocess.run(cmd + ["--task-id", "t1"], env=env)
        """,
        why="key-set-conditionally",
    ),
    Valid(
        """
        def container(job, run_id):
            job.environment_variables_from_selectors({"METAFLOW_KUBERNETES_POD_NAME": "metadata.name"})
            return ["step", "start", "--task-id", run_id]
        """,
        why="fragment-handed-to-a-builder",
    ),
    Valid(
        """
        import os
        def client_env():
            return {"METAFLOW_DEFAULT_METADATA": "local"}
        """,
        why="no-step-command-in-file",
    ),
    Valid(
        """
        import subprocess
        def run_step(flow_file, cfg_json):
            env = {"METAFLOW_DEFAULT_METADATA": "local"}
            cmd = ["python", flow_file, "--config-value", "cfg", cfg_json, "step", "start", "--task-id", "1"]
            subprocess.run(cmd, env=env)
        """,
        why="configs-on-the-command-line",
    ),
    Valid(
        """
        import json, os, subprocess
        def base_env(configs):
            env = {}
            env["METAFLOW_FLOW_CONFIG_VALUE"] = json.dumps(configs)
            return env
        def run_step(cmd, configs):
            env = {**os.environ, **base_env(configs), "METAFLOW_RUN_ID": "r1"}
            subprocess.run(cmd + ["--task-id", "t1"], env=env)
        """,
        why="merged-from-a-helper-that-sets-it",
    ),
    Valid(
        """
        def task_body():
            return [
                "_extra_env = {}",
                '_extra_env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = "/data"',
                "if FLOW_CONFIG_VALUE:",
                "    _extra_env['METAFLOW_FLOW_CONFIG_VALUE'] = FLOW_CONFIG_VALUE",
                'cmd = [sys.executable, FLOW_FILE, "step", "start", "--task-id", task_id]',
            ]
        """,
        why="generated-code-sets-it",
    ),
    Valid(
        """
        import os
        def with_local_metadata(task_id):
            os.environ["METAFLOW_DEFAULT_METADATA"] = "local"
            return ["--task-id", task_id]
        """,
        why="process-environment-of-the-deployer",
    ),
    Valid(
        """
        import subprocess
        # METAFLOW_PROFILE is read by Metaflow; "--task-id" is documented below.
        def run(cmd):
            '''env = {"METAFLOW_DEFAULT_METADATA": "local"} and "--task-id" in a docstring.'''
            subprocess.run(cmd)
        """,
        why="only-mentioned-in-comments",
    ),
    Valid(
        """
        @acme.command(help="Run a step on Acme")
        @click.pass_context
        def step(ctx, step_name, **kwargs):
            top_args = " ".join(util.dict_to_cli_options(ctx.parent.parent.params))
            cmd = "python flow.py %s step %s --task-id %s" % (top_args, step_name, kwargs["task_id"])
            env = {"METAFLOW_CODE_URL": kwargs["code_url"]}
            submit(cmd, env)
        """,
        why="a <group> step command re-sends the parent's top-level options (--config-value included)",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)

OPEN_ENV_COMPILER = """
import os, subprocess
def run_step(base_env, cmd):
    env = {**base_env, "METAFLOW_RUN_ID": "r1"}
    subprocess.run(cmd + ["--task-id", "t1"], env=env)
"""


def _package(compiler: str, sibling: str):
    plugin = "metaflow_extensions/acme/plugins/acme/"
    return {plugin + "acme_compiler.py": compiler, plugin + "acme_cli.py": sibling}


def _found(files, tmp_path):
    return [(os.path.basename(d.path), d.code) for d in lint(files, RULE, root=tmp_path)]


def test_open_environment_trusts_a_sibling_module_that_sets_the_key(tmp_path):
    files = _package(
        OPEN_ENV_COMPILER,
        """
        import json
        def base_env(configs):
            return {"METAFLOW_FLOW_CONFIG_VALUE": json.dumps(configs)}
        """,
    )
    assert _found(files, tmp_path) == []


def test_a_sibling_that_only_mentions_the_key_in_comments_does_not_count(tmp_path):
    files = _package(
        OPEN_ENV_COMPILER,
        '''
        """This module should set METAFLOW_FLOW_CONFIG_VALUE one day."""
        # TODO: METAFLOW_FLOW_CONFIG_VALUE
        def base_env():
            return {}
        ''',
    )
    assert _found(files, tmp_path) == [("acme_compiler.py", "MFO002")]


def test_closed_environment_is_reported_even_if_another_module_sets_the_key(tmp_path):
    files = _package(
        DICT_LITERAL,
        """
        def other_env(cfg):
            return {"METAFLOW_FLOW_CONFIG_VALUE": cfg}
        """,
    )
    assert _found(files, tmp_path) == [("acme_compiler.py", "MFO002")]


def test_unsafe_fix_adds_the_key_from_the_flow_config_state():
    text = textwrap.dedent(FIXABLE)
    (found,) = lint(text, RULE)
    assert found.fix is not None and found.fix.applicability.value == "unsafe"
    fixed = apply_one(text, found)
    assert "self.flow._flow_state[_FlowStateItems.CONFIGS]" in fixed
    assert '            env["METAFLOW_FLOW_CONFIG_VALUE"] = _json.dumps(_flow_configs)\n' in fixed
    # the comment stays on the creation line
    assert 'env = {"METAFLOW_DEFAULT_METADATA": "local"}  # defaults for every task\n' in fixed
    assert_fix_converges(text, RULE, unsafe=True)


def test_safe_fix_mode_leaves_the_file_alone():
    text = textwrap.dedent(FIXABLE)
    assert fix_text(text, DEFAULT_PATH, select=[RULE]).text == text


# ---- the fix follows the Metaflow releases the code targets ---------------------------------------------------------


def _fixed_for(oldest: str, newest: str) -> str:
    from mfok_lint.core.metaflow_contract import MetaflowRange, MetaflowVersion

    targeted = MetaflowRange(MetaflowVersion.parse(oldest), MetaflowVersion.parse(newest))
    outcome = fix_text(textwrap.dedent(FIXABLE), DEFAULT_PATH, select=[RULE], unsafe_fixes=True, metaflow=targeted)
    assert not outcome.errors, outcome.errors
    compile(outcome.text, DEFAULT_PATH, "exec")
    return outcome.text


def test_fix_for_one_release_before_2_19_10_reads_the_private_enum():
    for release in ("2.12.37", "2.19.9"):
        fixed = _fixed_for(release, release)
        assert "from metaflow.flowspec import _FlowState\n" in fixed
        assert "self.flow._flow_state.get(_FlowState.CONFIGS, {}).items()" in fixed
        assert "FlowStateItems" not in fixed and "try:" not in fixed


def test_fix_for_releases_from_2_19_10_reads_flow_state_items():
    fixed = _fixed_for("2.19.10", "2.19.39")
    assert fixed == textwrap.dedent(FIXED_FIXABLE)


def test_fix_for_releases_across_2_19_10_tries_both_shapes():
    fixed = _fixed_for("2.19.0", "2.19.39")
    assert "    from metaflow.flowspec import FlowStateItems as _FlowStateItems\n" in fixed
    assert "except ImportError:  # Metaflow before 2.19.10: a private enum, bare values\n" in fixed
    assert "_flow_config_items = {}" not in fixed


def test_fix_for_releases_reaching_before_configs_falls_back_to_no_configs():
    # a package declaring metaflow>=2.12.34 (the scaffold's floor) is judged against 2.12.34 to the newest: the fix
    # must not fail with ImportError on 2.12.34-2.12.36, which have neither shape
    fixed = _fixed_for("2.12.34", "2.19.39")
    assert "except ImportError:  # Metaflow before 2.12.37: no configs\n" in fixed
    assert "FlowStateItems" in fixed and "_FlowState\n" in fixed
    fixed = _fixed_for("2.12.34", "2.19.9")
    assert "FlowStateItems" not in fixed and "except ImportError:  # Metaflow before 2.12.37: no configs\n" in fixed


def _run_step_env(fixed: str, flowspec_module) -> dict:
    """Execute the fixed compiler against a stand-in ``metaflow.flowspec`` shaped like one release's."""
    import sys
    import types

    saved = {name: sys.modules.get(name) for name in ("metaflow", "metaflow.flowspec")}
    package = types.ModuleType("metaflow")
    package.__path__ = []
    package.flowspec = flowspec_module
    sys.modules["metaflow"], sys.modules["metaflow.flowspec"] = package, flowspec_module
    try:
        namespace: dict = {}
        exec(compile(fixed, DEFAULT_PATH, "exec"), namespace)
        flow = types.SimpleNamespace(_flow_state=getattr(flowspec_module, "STATE", {}))
        return namespace["AcmeCompiler"](flow).step_env("r1")
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def _flowspec_like(release: str):
    """A module with what ``metaflow/flowspec.py`` of ``release`` offers the fix, and a flow state holding one
    config (``docs/metaflow-versions.md``: pairs from 2.19.10, bare values from 2.12.37, nothing before)."""
    import enum
    import types

    module = types.ModuleType("metaflow.flowspec")
    if release == "2.19.39":
        module.FlowStateItems = enum.Enum("FlowStateItems", "FLOW_MUTATORS FLOW_DECORATORS CONFIGS")
        module.STATE = {module.FlowStateItems.CONFIGS: {"cfg": ({"a": 1}, False), "unset": (None, False)}}
    elif release == "2.12.37":
        module._FlowState = enum.Enum("_FlowState", "CONFIGS CONFIG_DECORATORS CACHED_PARAMETERS")
        module.STATE = {module._FlowState.CONFIGS: {"cfg": {"a": 1}}}
    return module


def test_fix_across_every_shape_reads_the_configs_each_release_keeps():
    fixed = _fixed_for("2.12.34", "2.19.39")
    assert _run_step_env(fixed, _flowspec_like("2.19.39"))["METAFLOW_FLOW_CONFIG_VALUE"] == '{"cfg": {"a": 1}}'
    assert _run_step_env(fixed, _flowspec_like("2.12.37"))["METAFLOW_FLOW_CONFIG_VALUE"] == '{"cfg": {"a": 1}}'
    assert "METAFLOW_FLOW_CONFIG_VALUE" not in _run_step_env(fixed, _flowspec_like("2.12.34"))


def test_fix_for_one_shape_fails_where_that_shape_is_missing():
    # the reason the range matters: the 2.19.10+ form cannot run on 2.19.9 and earlier
    import pytest

    with pytest.raises(ImportError):
        _run_step_env(_fixed_for("2.19.39", "2.19.39"), _flowspec_like("2.12.37"))


CONDITIONAL_STORE = """
import os
import subprocess


def config_values():
    return os.environ.items()


class AcmeCompiler:
    def __init__(self, flow, datastore):
        self.flow = flow
        self.datastore = datastore

    def step_env(self):
        env = {key: value for key, value in config_values() if key.startswith("METAFLOW_DEFAULT_")}
        if self.datastore.TYPE == "local":
            env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = os.path.dirname(self.datastore.datastore_root)
        return env

    def run(self, cmd):
        subprocess.run(cmd + ["--task-id", "t1"], env=self.step_env())
"""


def test_fix_for_a_mapping_first_extended_under_a_condition_goes_before_the_condition():
    # the mapping comes from a dict comprehension, so it is first seen at the conditional store: the configs must
    # travel whatever the datastore, not only when it is local (the generated scaffold's compiler has this shape)
    text = textwrap.dedent(CONDITIONAL_STORE)
    (found,) = lint(text, RULE)
    fixed = apply_one(text, found)
    assert (
        '        env = {key: value for key, value in config_values() if key.startswith("METAFLOW_DEFAULT_")}\n'
        "        from metaflow.flowspec import FlowStateItems as _FlowStateItems\n"
    ) in fixed
    assert (
        '            env["METAFLOW_FLOW_CONFIG_VALUE"] = _json.dumps(_flow_configs)\n'
        '        if self.datastore.TYPE == "local":\n'
    ) in fixed
    assert_fix_converges(text, RULE, unsafe=True)


def test_no_fix_when_the_mapping_is_not_bound_before_the_condition():
    text = textwrap.dedent(CONDITIONAL_STORE).replace(
        '        env = {key: value for key, value in config_values() if key.startswith("METAFLOW_DEFAULT_")}\n'
        '        if self.datastore.TYPE == "local":\n',
        '        if self.datastore.TYPE == "local":\n'
        '            env = {key: value for key, value in config_values()}\n',
    )
    (found,) = lint(text, RULE)
    assert found.fix is None
