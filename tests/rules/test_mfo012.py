"""MFO012 branch-preformatted: `--branch` given a name `@project` already formatted."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO012"]) if d.code == "MFO012"]


@pytest.mark.parametrize(
    "source, origin",
    [
        (
            """
            from metaflow import current

            def step_cmd(flow_file, step_name, run_id, task_id):
                return ["python", flow_file, "--branch", current.branch_name, "step", step_name,
                        "--run-id", run_id, "--task-id", task_id]
            """,
            "current.branch_name",
        ),
        (
            """
            from metaflow import current

            def step_cmd(flow_file, step_name, run_id, task_id):
                branch = current.branch_name
                cmd = ["python", flow_file, "--branch", branch]
                cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id]
                return cmd
            """,
            "current.branch_name",
        ),
        (
            """
            class Compiler:
                def init_cmd(self, run_id):
                    return ["python", "flow.py", "--branch=%s" % self._project_info["branch"],
                            "init", "--run-id", run_id, "--task-id", "params"]
            """,
            'self._project_info["branch"]',
        ),
        (
            """
            from metaflow.plugins.project_decorator import format_name

            class Compiler:
                def __init__(self, name, project, branch):
                    self.flow_name, self.branch_name = format_name(name, project, "", branch, False, "")

                def init_cmd(self, run_id):
                    return ["python", "flow.py", "--branch", self.branch_name,
                            "init", "--run-id", run_id, "--task-id", "params"]
            """,
            "format_name(",
        ),
        (
            """
            def init_cmd(flow, run_id):
                branch = flow._flow_decorators["project"][0].branch_name
                return f"python flow.py --branch {branch} init --run-id {run_id} --task-id params"
            """,
            "branch_name",
        ),
    ],
    ids=["current", "via-local", "project-info", "format-name-tuple", "flow-decorator-in-fstring"],
)
def test_reports_formatted_branch(source, origin):
    found = lint(source)
    assert len(found) == 1, found
    assert origin in found[0].message


@pytest.mark.parametrize(
    "source",
    [
        # the raw branch: a parameter, an attribute set from one, the raw value the compiler kept
        """
        def step_cmd(flow_file, step_name, run_id, task_id, branch):
            return ["python", flow_file, "--branch", branch, "step", step_name,
                    "--run-id", run_id, "--task-id", task_id]
        """,
        """
        class Compiler:
            def __init__(self, branch):
                self.branch = branch
                self.branch_name = branch

            def init_cmd(self, run_id):
                return ["python", "flow.py", "--branch", self.branch_name,
                        "init", "--run-id", run_id, "--task-id", "params"]
        """,
        """
        class Compiler:
            def init_cmd(self, run_id):
                return ["python", "flow.py", "--branch", self._project_info["branch_raw"],
                        "init", "--run-id", run_id, "--task-id", "params"]
        """,
        # the formatted name used for what it is: a tag, not `--branch`
        """
        from metaflow import current

        def step_cmd(flow_file, step_name, run_id, task_id, branch):
            return ["python", flow_file, "--branch", branch, "step", step_name, "--run-id", run_id,
                    "--task-id", task_id, "--tag", "project_branch:" + current.branch_name]
        """,
    ],
    ids=["parameter", "attribute-from-parameter", "raw-key", "formatted-as-tag"],
)
def test_clean_code(source):
    assert lint(source) == []
