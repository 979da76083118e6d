"""MFO007 environment-not-forwarded: step/init commands forward --environment before the subcommand."""

from __future__ import annotations

from mfok_lint.lint.fixes import fix_text
from tests.rules.conftest import DEFAULT_PATH, Invalid, Valid, apply_one, assert_fix_converges, lint, rule_cases

RULE = "MFO007"

FIXABLE = """
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

FIXED_FIXABLE = """
import sys


class Compiler:
    def __init__(self, environment):
        self.environment = environment
        self.env_name = self.environment.TYPE

    def step_cmd(self, step_name, run_id):
        return [sys.executable, "flow.py", "--quiet", "--environment", self.environment.TYPE, "step", step_name, "--run-id", run_id, "--task-id", "1"]


def init_cmd(environment, run_id):
    print(environment.TYPE)
    return [sys.executable, "flow.py", "--environment", environment.TYPE, "init", "--run-id", run_id, "--task-id", "params"]


def cli_step(obj, step_name):
    print(obj.environment.TYPE)
    return [sys.executable, "flow.py", "--quiet", "--environment", obj.environment.TYPE, "step", step_name, "--run-id", "1"]
"""

INVALID = [
    Invalid(
        """
        import sys
        def step_cmd(step_name, run_id, task_id):
            cmd = [sys.executable, "flow.py", "--quiet", "--metadata", "local", "--datastore", "local"]
            cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id]
            return cmd
        """,
        rows=[5], message="--environment", why="list",
    ),
    Invalid(
        '''
        INIT = """#!/bin/bash
        python3 {flow_file} --quiet --metadata local init --run-id "$RUN_ID" --task-id params
        """
        ''',
        rows=[3], message="--environment", no_fix=True, why="bash-template",
    ),
    Invalid(
        '''
        TEMPLATE = """
        cmd = [sys.executable, FLOW_FILE, "--datastore", DATASTORE, "--no-pylint"]
        cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id, "--input-paths", paths]
        subprocess.run(cmd, check=True)
        """
        ''',
        rows=[4], message="--environment", why="generated-python",
    ),
    Invalid(
        """
        def step_cmd(environment, step):
            return ["python", "flow.py", "--quiet", "step", step, "--run-id", "1", "--task-id", environment]
        """,
        rows=[3], no_fix=True, why="no fix when the name may hold a type string",
    ),
    Invalid(
        FIXABLE, rows=[11, 16, 21], fixed=FIXED_FIXABLE, unsafe=True, why="unsafe fix before the subcommand",
    ),
    Invalid(
        """
        @click.group(name="acme")
        def acme():
            pass


        def wrapper_command(step_name, run_id, task_id):
            return [sys.executable, "flow.py", "acme", "step", step_name, "--run-id", run_id, "--task-id", task_id,
                    "--input-paths", "p"]
        """,
        rows=[8], why="a step command routed through the extension's own group",
    ),
]

VALID = [
    Valid(
        """
        def step_cmd(step_name, run_id, env_type):
            cmd = [sys.executable, "flow.py", "--quiet"]
            if env_type:
                cmd += ["--environment", env_type]
            cmd += ["step", step_name, "--run-id", run_id, "--task-id", "1"]
            return cmd
        """,
        why="conditional",
    ),
    Valid(
        """
        def init_cmd(environment, run_id):
            return ["python", "flow.py", f"--environment={environment.TYPE}", "init", "--run-id", run_id,
                    "--task-id", "params"]
        """,
        why="equals-form",
    ),
    Valid(
        """
        def step_cmd(self, node):
            top = list(dict_to_cli_options(self.top_opts))
            return [sys.executable, self.flow_file] + top + ["step", node.name, "--run-id", "r", "--task-id", "1"]
        """,
        why="unknown-head",
    ),
    Valid(
        """
        def step_cmd(step, env, environment):
            env["METAFLOW_ENVIRONMENT"] = environment.TYPE
            return [sys.executable, "flow.py", "--quiet", "step", step, "--run-id", "1", "--task-id", "2"]
        """,
        why="env-route",
    ),
    Valid(
        """
        def step_cmd(step):
            return [sys.executable, "flow.py", "--quiet", "step", step, "--environment", "conda", "--run-id", "1"]
        """,
        why="after-subcommand-is-mfo011",
    ),
    Valid(
        '''
        HELP = "Pass --environment=conda before step, e.g. python flow.py --quiet step start --run-id 1"
        # python flow.py --quiet step start --run-id 1
        ''',
        why="prose",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_unsafe_fix_inserts_the_environment_type_before_the_subcommand():
    found = lint(FIXABLE, RULE)
    assert len(found) == 3 and all(d.fix is not None for d in found)
    assert all(d.fix.applicability.value == "unsafe" for d in found)
    first = apply_one(FIXABLE, found[0])
    assert '"--environment", self.environment.TYPE, "step"' in first
    fixed = assert_fix_converges(FIXABLE, RULE, unsafe=True)
    assert '"--environment", environment.TYPE, "init"' in fixed
    assert '"--environment", obj.environment.TYPE, "step"' in fixed
    assert fix_text(FIXABLE, DEFAULT_PATH, select=[RULE]).text == FIXABLE
