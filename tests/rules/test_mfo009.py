"""MFO009 init-missing-ids: the init command names the run and the parameters task."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO009"

INVALID = [
    Invalid(
        """
        def init_cmd(run_id):
            return ["python", "flow.py", "--quiet", "--metadata", "local", "init", "--run-id", run_id]
        """,
        rows=[3], message="`--task-id`", why="init without task id",
    ),
    Invalid(
        '''
        INIT = """#!/bin/bash
        python3 {flow_file} --quiet --metadata local --datastore local init --tag deployed
        """
        ''',
        rows=[3], message="`--run-id` and `--task-id`", why="init without both ids in a shell template",
    ),
]

VALID = [
    Valid(
        """
        def init_cmd(run_id):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
        why="complete",
    ),
    Valid(
        """
        def init_cmd(run_id, extra):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, *extra]
        """,
        why="splat-after-init",
    ),
    Valid(
        '''
        def init_head():
            return " ".join(["python", "flow.py", "--quiet", "--metadata", "local", "init"])

        SCRIPT = """{init_head} --run-id "$RUN_ID" --task-id params"""
        ''',
        why="continued-elsewhere",
    ),
    Valid(
        """
        def step_cmd(step, run_id):
            return ["python", "flow.py", "--quiet", "step", step, "--run-id", run_id]
        """,
        why="step-not-judged",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_init_without_task_id_names_only_the_missing_id():
    (diag,) = lint(INVALID[0].code, RULE)
    assert "`--task-id`" in diag.message and "`--run-id`" not in diag.message
