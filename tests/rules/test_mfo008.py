"""MFO008 input-paths-missing: every step command tells the task where its inputs are."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO008"]) if d.code == "MFO008"]


INVALID = {
    "list": """
        def step_cmd(step_name, run_id, task_id):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id, "--task-id", task_id]
        """,
    "bash-template": '''
        STEP = """#!/bin/bash
        python3 {flow_file} --quiet --metadata local step {step_name} --run-id "$RUN_ID" --task-id 1
        """
        ''',
    "empty-value": """
        def step_cmd(step_name, run_id):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id, "--input-paths", ""]
        """,
    "empty-equals": """
        def step_cmd(step_name, run_id):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id, "--input-paths="]
        """,
}

VALID = {
    "given": """
        def step_cmd(step_name, run_id, paths):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id, "--input-paths", paths]
        """,
    "filename": """
        def step_cmd(step_name, run_id):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id,
                    "--input-paths-filename", "/tmp/mf-input-paths"]
        """,
    "start-reads-the-parameters-task": """
        def step_cmd(node, run_id, params_task_id, parent_paths):
            cmd = ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, "--task-id", "1"]
            if node.name == "start":
                cmd += ["--input-paths", f"{run_id}/_parameters/{params_task_id}"]
            else:
                cmd += ["--input-paths", parent_paths]
            return cmd
        """,
    "splat-after-step": """
        def step_cmd(step_name, run_id, extra):
            return ["python", "flow.py", "--quiet", "step", step_name, "--run-id", run_id, *extra]
        """,
    "continued-elsewhere": '''
        def step_prefix(step_name):
            return " ".join(["python", "flow.py", "--quiet", "step", step_name])

        BODY = """{step_cmd} --run-id "$RUN_ID" --task-id 1 --input-paths "$INPUT_PATHS"
        """
        ''',
    "prose": '''
        # python flow.py --quiet step start --run-id 1
        def f():
            """Runs `python flow.py --quiet step start --run-id 1`."""
        ''',
}


@pytest.mark.parametrize("idiom", sorted(INVALID))
def test_step_commands_without_input_paths_are_reported(idiom):
    found = lint(INVALID[idiom])
    assert len(found) == 1, [d.message for d in found]
    assert "input" in found[0].message


@pytest.mark.parametrize("idiom", sorted(VALID))
def test_commands_with_input_paths_or_unknowable_tail_are_not_reported(idiom):
    assert lint(VALID[idiom]) == []


def test_init_commands_are_not_judged():
    assert lint(
        """
        def init_cmd(run_id):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """
    ) == []
