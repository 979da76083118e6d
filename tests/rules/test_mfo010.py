"""MFO010 run-param-in-init: open-source Metaflow's init has no --run-param option."""

from __future__ import annotations

import textwrap

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO010"

INIT_LIST = """
def init_cmd(run_id, params):
    cmd = ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
    for key, value in params.items():
        cmd += ["--run-param", f"{key}={value}"]
    return cmd
"""

INVALID = [
    Invalid(INIT_LIST, rows=[5], why="run param in an init list"),
    Invalid(
        '''
        INIT = """python3 {flow_file} --quiet init --run-id "$RUN_ID" --task-id p --run-param "alpha=$ALPHA"
        """
        ''',
        rows=[2], why="run param in a shell init",
    ),
]

VALID = [
    Valid(
        """
        import click

        @click.command(help="Trigger the deployed flow.")
        @click.option("--run-param", "run_params", multiple=True, default=())
        def trigger(obj, run_params):
            cmd = ["acme", "runs", "create", "--run-param", ",".join(run_params)]
            return cmd
        """,
        why="the extension's own trigger cli may declare run-param",
    ),
    Valid(
        """
        def init_cmd(run_id, params):
            cmd = ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
            for key, value in params.items():
                cmd += ["--" + key, str(value)]
            return cmd
        """,
        why="parameters as named options are fine",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_run_param_in_an_init_list_is_reported_at_the_option():
    source = textwrap.dedent(INIT_LIST)
    (diag,) = lint(source, RULE)
    line = source.splitlines()[diag.location.row - 1]
    assert line[diag.location.column - 1: diag.end_location.column - 1] == '"--run-param"'
