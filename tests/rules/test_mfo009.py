"""MFO009 init-missing-ids: the init command names the run and the parameters task."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO009"]) if d.code == "MFO009"]


def test_init_without_task_id_is_reported():
    (diag,) = lint(
        """
        def init_cmd(run_id):
            return ["python", "flow.py", "--quiet", "--metadata", "local", "init", "--run-id", run_id]
        """
    )
    assert "`--task-id`" in diag.message and "`--run-id`" not in diag.message


def test_init_without_both_ids_in_a_shell_template_is_reported():
    (diag,) = lint(
        '''
        INIT = """#!/bin/bash
        python3 {flow_file} --quiet --metadata local --datastore local init --tag deployed
        """
        '''
    )
    assert "`--run-id` and `--task-id`" in diag.message


@pytest.mark.parametrize(
    "source",
    [
        """
        def init_cmd(run_id):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
        """,
        """
        def init_cmd(run_id, extra):
            return ["python", "flow.py", "--quiet", "init", "--run-id", run_id, *extra]
        """,
        '''
        def init_head():
            return " ".join(["python", "flow.py", "--quiet", "--metadata", "local", "init"])

        SCRIPT = """{init_head} --run-id "$RUN_ID" --task-id params"""
        ''',
        """
        def step_cmd(step, run_id):
            return ["python", "flow.py", "--quiet", "step", step, "--run-id", run_id]
        """,
    ],
    ids=["complete", "splat-after-init", "continued-elsewhere", "step-not-judged"],
)
def test_complete_or_unknowable_init_commands_are_not_reported(source):
    assert lint(source) == []
