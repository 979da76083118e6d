"""MFO007 environment-not-forwarded: step/init commands forward --environment before the subcommand."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text
from mfok_lint.lint.fixes import fix_text
from tests.rules.fixcheck import apply_one, assert_fix_converges

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO007"]) if d.code == "MFO007"]


INVALID = {
    "list": """
        import sys
        def step_cmd(step_name, run_id, task_id):
            cmd = [sys.executable, "flow.py", "--quiet", "--metadata", "local", "--datastore", "local"]
            cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id]
            return cmd
        """,
    "bash-template": '''
        INIT = """#!/bin/bash
        python3 {flow_file} --quiet --metadata local init --run-id "$RUN_ID" --task-id params
        """
        ''',
    "generated-python": '''
        TEMPLATE = """
        cmd = [sys.executable, FLOW_FILE, "--datastore", DATASTORE, "--no-pylint"]
        cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id, "--input-paths", paths]
        subprocess.run(cmd, check=True)
        """
        ''',
}

VALID = {
    "conditional": """
        def step_cmd(step_name, run_id, env_type):
            cmd = [sys.executable, "flow.py", "--quiet"]
            if env_type:
                cmd += ["--environment", env_type]
            cmd += ["step", step_name, "--run-id", run_id, "--task-id", "1"]
            return cmd
        """,
    "equals-form": """
        def init_cmd(environment, run_id):
            return ["python", "flow.py", f"--environment={environment.TYPE}", "init", "--run-id", run_id,
                    "--task-id", "params"]
        """,
    "unknown-head": """
        def step_cmd(self, node):
            top = list(dict_to_cli_options(self.top_opts))
            return [sys.executable, self.flow_file] + top + ["step", node.name, "--run-id", "r", "--task-id", "1"]
        """,
    "env-route": """
        def step_cmd(step, env, environment):
            env["METAFLOW_ENVIRONMENT"] = environment.TYPE
            return [sys.executable, "flow.py", "--quiet", "step", step, "--run-id", "1", "--task-id", "2"]
        """,
    "after-subcommand-is-mfo011": """
        def step_cmd(step):
            return [sys.executable, "flow.py", "--quiet", "step", step, "--environment", "conda", "--run-id", "1"]
        """,
    "prose": '''
        HELP = "Pass --environment=conda before step, e.g. python flow.py --quiet step start --run-id 1"
        # python flow.py --quiet step start --run-id 1
        ''',
}


@pytest.mark.parametrize("idiom", sorted(INVALID))
def test_commands_without_environment_are_reported(idiom):
    found = lint(INVALID[idiom])
    assert len(found) == 1, [d.message for d in found]
    assert "--environment" in found[0].message


@pytest.mark.parametrize("idiom", sorted(VALID))
def test_forwarded_or_unknowable_environment_is_not_reported(idiom):
    assert lint(VALID[idiom]) == []


FIXABLE = textwrap.dedent(
    """
    import sys


    class Compiler:
        def __init__(self, environment):
            self.environment = environment
            self.env_name = self.environment.TYPE

        def step_cmd(self, step_name, run_id):
            return [sys.executable, "flow.py", "--quiet", "step", step_name, "--run-id", run_id, "--task-id", "1"]


    def init_cmd(environment, run_id):
        print(environment.TYPE)
        return [sys.executable, "flow.py", "init", "--run-id", run_id, "--task-id", "params"]


    def cli_step(obj, step_name):
        print(obj.environment.TYPE)
        return [sys.executable, "flow.py", "--quiet", "step", step_name, "--run-id", "1"]
    """
)


def test_unsafe_fix_inserts_the_environment_type_before_the_subcommand():
    found = lint(FIXABLE)
    assert len(found) == 3 and all(d.fix is not None for d in found)
    assert all(d.fix.applicability.value == "unsafe" for d in found)
    first = apply_one(FIXABLE, found[0])
    assert '"--environment", self.environment.TYPE, "step"' in first
    fixed = assert_fix_converges(FIXABLE, "MFO007", PATH, unsafe=True)
    assert '"--environment", environment.TYPE, "init"' in fixed
    assert '"--environment", obj.environment.TYPE, "step"' in fixed
    assert fix_text(FIXABLE, PATH, select=["MFO007"]).text == FIXABLE


def test_no_fix_when_the_name_may_hold_a_type_string():
    (diag,) = lint(
        """
        def step_cmd(environment, step):
            return ["python", "flow.py", "--quiet", "step", step, "--run-id", "1", "--task-id", environment]
        """
    )
    assert diag.fix is None


def test_no_fix_inside_templates():
    (diag,) = lint(INVALID["bash-template"])
    assert diag.fix is None
