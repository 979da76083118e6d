"""MFO012 branch-preformatted: `--branch` given a name `@project` already formatted."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO012"

INVALID = [
    Invalid(
        """
        from metaflow import current

        def step_cmd(flow_file, step_name, run_id, task_id):
            return ["python", flow_file, "--branch", current.branch_name, "step", step_name,
                    "--run-id", run_id, "--task-id", task_id]
        """,
        rows=[5], message="current.branch_name", why="current",
    ),
    Invalid(
        """
        from metaflow import current

        def step_cmd(flow_file, step_name, run_id, task_id):
            branch = current.branch_name
            cmd = ["python", flow_file, "--branch", branch]
            cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id]
            return cmd
        """,
        rows=[6], message="current.branch_name", why="via-local",
    ),
    Invalid(
        """
        class Compiler:
            def init_cmd(self, run_id):
                return ["python", "flow.py", "--branch=%s" % self._project_info["branch"],
                        "init", "--run-id", run_id, "--task-id", "params"]
        """,
        rows=[4], message='self._project_info["branch"]', why="project-info",
    ),
    Invalid(
        """
        from metaflow.plugins.project_decorator import format_name

        class Compiler:
            def __init__(self, name, project, branch):
                self.flow_name, self.branch_name = format_name(name, project, "", branch, False, "")

            def init_cmd(self, run_id):
                return ["python", "flow.py", "--branch", self.branch_name,
                        "init", "--run-id", run_id, "--task-id", "params"]
        """,
        rows=[9], message="format_name(", why="format-name-tuple",
    ),
    Invalid(
        """
        def init_cmd(flow, run_id):
            branch = flow._flow_decorators["project"][0].branch_name
            return f"python flow.py --branch {branch} init --run-id {run_id} --task-id params"
        """,
        rows=[4], message="branch_name", why="flow-decorator-in-fstring",
    ),
]

VALID = [
    # the raw branch: a parameter, an attribute set from one, the raw value the compiler kept
    Valid(
        """
        def step_cmd(flow_file, step_name, run_id, task_id, branch):
            return ["python", flow_file, "--branch", branch, "step", step_name,
                    "--run-id", run_id, "--task-id", task_id]
        """,
        why="parameter",
    ),
    Valid(
        """
        class Compiler:
            def __init__(self, branch):
                self.branch = branch
                self.branch_name = branch

            def init_cmd(self, run_id):
                return ["python", "flow.py", "--branch", self.branch_name,
                        "init", "--run-id", run_id, "--task-id", "params"]
        """,
        why="attribute-from-parameter",
    ),
    Valid(
        """
        class Compiler:
            def init_cmd(self, run_id):
                return ["python", "flow.py", "--branch", self._project_info["branch_raw"],
                        "init", "--run-id", run_id, "--task-id", "params"]
        """,
        why="raw-key",
    ),
    # the formatted name used for what it is: a tag, not `--branch`
    Valid(
        """
        from metaflow import current

        def step_cmd(flow_file, step_name, run_id, task_id, branch):
            return ["python", flow_file, "--branch", branch, "step", step_name, "--run-id", run_id,
                    "--task-id", task_id, "--tag", "project_branch:" + current.branch_name]
        """,
        why="formatted-as-tag",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)
