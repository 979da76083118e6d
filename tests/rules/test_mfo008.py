"""MFO008 input-paths-missing: every step command tells the task where its inputs are."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO008"

INVALID = [
    Invalid(
        """
        def step_cmd(step_name, run_id, task_id):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id, "--task-id", task_id]
        """,
        rows=[3], message="input", why="list",
    ),
    Invalid(
        '''
        STEP = """#!/bin/bash
        python3 {flow_file} --quiet --metadata local step {step_name} --run-id "$RUN_ID" --task-id 1
        """
        ''',
        rows=[3], message="input", why="bash-template",
    ),
    Invalid(
        """
        def step_cmd(step_name, run_id):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id, "--input-paths", ""]
        """,
        rows=[3], message="input", why="empty-value",
    ),
    Invalid(
        """
        def step_cmd(step_name, run_id):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id, "--input-paths="]
        """,
        rows=[3], message="input", why="empty-equals",
    ),
]

VALID = [
    Valid(
        """
        def step_cmd(step_name, run_id, paths):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id, "--input-paths", paths]
        """,
        why="given",
    ),
    Valid(
        """
        def step_cmd(step_name, run_id):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id,
                    "--input-paths-filename", "/tmp/mf-input-paths"]
        """,
        why="filename",
    ),
    Valid(
        """
        def step_cmd(node, run_id, params_task_id, parent_paths):
            cmd = ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, "--task-id", "1"]
            if node.name == "start":
                cmd += ["--input-paths", f"{run_id}/_parameters/{params_task_id}"]
            else:
                cmd += ["--input-paths", parent_paths]
            return cmd
        """,
        why="start-reads-the-parameters-task",
    ),
    Valid(
        """
        def step_cmd(step_name, run_id, extra):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id, *extra]
        """,
        why="splat-after-step",
    ),
    Valid(
        '''
        def step_prefix(step_name):
            return " ".join(["python", "flow.py", "--quiet", "step", step_name])

        BODY = """{step_cmd} --run-id "$RUN_ID" --task-id 1 --input-paths "$INPUT_PATHS"
        """
        ''',
        why="continued-elsewhere",
    ),
    Valid(
        '''
        # python flow.py --quiet step start --run-id 1
        def f():
            """Runs `python flow.py --quiet step start --run-id 1`."""
        ''',
        why="prose",
    ),
    Valid(
        """
        def init_cmd(run_id):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
        why="init commands are not judged",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)
