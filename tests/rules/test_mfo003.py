"""MFO003 branch-not-forwarded: every step/init command forwards the @project branch before the subcommand."""

from __future__ import annotations

import os
import textwrap

import pytest

from mfok_lint.lint.check import lint_text
from mfok_lint.lint.fixes import fix_text
from tests.rules.fixcheck import apply_one, assert_fix_converges

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source, path=PATH):
    return [d for d in lint_text(textwrap.dedent(source), path=path, select=["MFO003"]) if d.code == "MFO003"]


INVALID = {
    "list": """
        import sys
        def step_cmd(step_name, run_id, task_id):
            cmd = [sys.executable, "flow.py", "--quiet", "--metadata", "local"]
            cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id]
            return cmd
        """,
    "fstring": """
        def script(flow_file, step):
            return f"python {flow_file} --no-pylint --datastore local step {step} --run-id $RUN_ID --task-id 1"
        """,
    "bash-template": '''
        STEP_SCRIPT = """#!/bin/bash
        set -e
        RETRY="${{WM_RETRY:-0}}"
        python3 {flow_file} --quiet --metadata local \\\\
            step {step_name} --run-id "$RUN_ID" --task-id {task_id} --retry-count "$RETRY"
        """
        ''',
    "generated-python": '''
        INIT = """
        import subprocess, sys
        cmd = [
            sys.executable, {flow_file!r},
            "--metadata", {metadata!r},
            "init", "--run-id", run_id, "--task-id", "params",
        ]
        subprocess.run(cmd, check=True)
        """

        def render(flow_file, metadata):
            return INIT.format(flow_file=flow_file, metadata=metadata)
        ''',
    "helper": """
        class Compiler:
            def _top(self):
                return ["--quiet", "--datastore", self.datastore]

            def init_cmd(self, run_id):
                return [self.python, self.flow_file] + self._top() + ["init", "--run-id", run_id, "--task-id", "p"]
        """,
    "source-lines": """
        def init_lines():
            indent = "    "
            return [
                "init_cmd = [",
                indent + "sys.executable, FLOW_FILE,",
                indent + '"--metadata", METADATA_TYPE,',
                "]",
                "init_cmd += [",
                indent + '"init", "--run-id", run_id, "--task-id", param_task_id,',
                "]",
            ]
        """,
}

VALID = {
    "list-conditional": """
        import sys
        def step_cmd(step_name, run_id, branch=None, production=False):
            cmd = [sys.executable, "flow.py", "--quiet"]
            if branch:
                cmd += ["--branch", branch]
            elif production:
                cmd += ["--production"]
            cmd += ["step", step_name, "--run-id", run_id, "--task-id", "1"]
            return cmd
        """,
    "fstring": """
        def script(flow_file, step, branch):
            return f"python {flow_file} --branch={branch} step {step} --run-id $RUN_ID --task-id 1"
        """,
    "unknown-top-level": """
        def step_cmd(self, node):
            top_opts = list(dict_to_cli_options(self.top_opts_dict))
            return [sys.executable, self.flow_file] + top_opts + ["--quiet", "step", node.name, "--run-id", "r"]
        """,
    "unresolved-placeholder": '''
        SCRIPT = """
        {top_cmd} step {step_name} --run-id "$RUN_ID" --task-id 1
        """
        ''',
    "env-route": """
        def step_cmd(step, env):
            env["METAFLOW_BRANCH"] = BRANCH
            return [sys.executable, "flow.py", "--quiet", "step", step, "--run-id", "1", "--task-id", "2"]
        """,
    "generated-python": '''
        TEMPLATE = """
        cmd = [sys.executable, FLOW_FILE, "--metadata", "local"]
        if PROJECT_BRANCH:
            cmd += ["--branch", PROJECT_BRANCH]
        cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id]
        """
        ''',
    "not-a-command": '''
        HELP = "Inject a decorator on every step, e.g. --with=retry"
        # python flow.py --quiet step start --run-id 1
        def f():
            """Runs `python flow.py --quiet step start --run-id 1`."""
        ''',
}


@pytest.mark.parametrize("idiom", sorted(INVALID))
def test_commands_without_branch_are_reported(idiom):
    found = lint(INVALID[idiom])
    assert len(found) == 1, [d.message for d in found]
    assert "--branch" in found[0].message


@pytest.mark.parametrize("idiom", sorted(VALID))
def test_commands_with_branch_or_unknowable_head_are_not_reported(idiom):
    assert lint(VALID[idiom]) == []


def test_report_points_at_the_subcommand_inside_a_template():
    source = textwrap.dedent(INVALID["bash-template"])
    (diag,) = lint(source)
    line = source.splitlines()[diag.location.row - 1]
    assert line[diag.location.column - 1: diag.end_location.column - 1] == "step"


def test_branch_only_for_the_start_step_is_reported():
    found = lint(
        """
        def step_cmd(self, node, run_id):
            cmd = [sys.executable, self.flow_file, "--quiet"]
            if node.name == "start":
                cmd += ["--branch", self.branch]
            cmd += ["step", node.name, "--run-id", run_id, "--task-id", "1"]
            return cmd
        """
    )
    assert len(found) == 1 and "only to the start step" in found[0].message


def test_branch_after_the_subcommand_is_left_to_mfo011():
    assert lint(
        """
        cmd = ["python", "flow.py", "--quiet", "step", "a", "--branch", "b", "--run-id", "1"]
        """
    ) == []


FIXABLE = """
import sys


class Compiler:
    def __init__(self, flow_file, branch=None):
        self.flow_file = flow_file
        self.branch = branch

    def step_cmd(self, step_name, run_id, task_id):
        cmd = [sys.executable, self.flow_file, "--quiet", "step", step_name, "--run-id", run_id]
        cmd += ["--task-id", task_id]
        return cmd


def init_cmd(flow_file, run_id, branch):
    return [sys.executable, flow_file, "--metadata", "local", "init", "--run-id", run_id, "--task-id", "p"]
"""


def test_unsafe_fix_inserts_conditional_branch_before_the_subcommand():
    found = lint(FIXABLE)
    assert len(found) == 2 and all(d.fix is not None for d in found)
    assert all(d.fix.applicability.value == "unsafe" for d in found)
    fixed_one = apply_one(FIXABLE, found[0])
    assert '*(["--branch", self.branch] if self.branch else []), "step"' in fixed_one
    fixed = assert_fix_converges(FIXABLE, "MFO003", PATH, unsafe=True)
    assert '*(["--branch", branch] if branch else []), "init"' in fixed
    # safe-only fixing leaves the unsafe fix alone
    assert fix_text(FIXABLE, PATH, select=["MFO003"]).text == FIXABLE


def test_no_fix_without_a_branch_value_in_scope():
    (diag,) = lint(INVALID["list"])
    assert diag.fix is None


def test_trigger_dropping_the_deployers_branch(tmp_path):
    package = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme"
    package.mkdir(parents=True)
    (package / "acme_cli.py").write_text(
        textwrap.dedent(
            """
            @acme.command(help="Trigger a run.")
            @click.option("--branch", default=None)
            @click.option("--deployer-attribute-file", default=None)
            @click.pass_obj
            def trigger(obj, branch, deployer_attribute_file):
                pass
            """
        )
    )
    objects = package / "acme_deployer_objects.py"
    dropping = textwrap.dedent(
        """
        class AcmeDeployedFlow(DeployedFlow):
            def trigger(self, **kwargs):
                with temporary_fifo() as (attribute_file_path, attribute_file_fd):
                    trigger_kwargs = {"deployer_attribute_file": attribute_file_path}
                    command = get_lower_level_group(
                        self.deployer.api, self.deployer.top_level_kwargs, self.deployer.TYPE,
                        self.deployer.deployer_kwargs,
                    ).trigger(**trigger_kwargs)
        """
    )
    found = lint(dropping, path=str(objects))
    assert len(found) == 1 and "trigger" in found[0].message
    forwarding = dropping.replace(
        'trigger_kwargs = {"deployer_attribute_file": attribute_file_path}',
        'trigger_kwargs = {"deployer_attribute_file": attribute_file_path,'
        ' "branch": self.deployer.top_level_kwargs.get("branch")}',
    )
    assert lint(forwarding, path=str(objects)) == []
    os.remove(package / "acme_cli.py")
    assert lint(dropping, path=str(objects)) == []  # the trigger command takes no --branch: nothing dropped
