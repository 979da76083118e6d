"""MFO003 branch-not-forwarded: every step/init command forwards the @project branch before the subcommand."""

from __future__ import annotations

import os
import textwrap

from mfok_lint.lint.fixes import fix_text
from tests.rules.conftest import (
    DEFAULT_PATH,
    Invalid,
    Valid,
    apply_one,
    assert_fix_converges,
    lint,
    rule_cases,
    write_files,
)

RULE = "MFO003"

BASH_TEMPLATE = '''
STEP_SCRIPT = """#!/bin/bash
set -e
RETRY="${{WM_RETRY:-0}}"
python3 {flow_file} --quiet --metadata local \\\\
    step {step_name} --run-id "$RUN_ID" --task-id {task_id} --retry-count "$RETRY"
"""
'''

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

FIXED_FIXABLE = """
import sys


class Compiler:
    def __init__(self, flow_file, branch=None):
        self.flow_file = flow_file
        self.branch = branch

    def step_cmd(self, step_name, run_id, task_id):
        cmd = [sys.executable, self.flow_file, "--quiet", *(["--branch", self.branch] if self.branch else []), "step", step_name, "--run-id", run_id]
        cmd += ["--task-id", task_id]
        return cmd


def init_cmd(flow_file, run_id, branch):
    return [sys.executable, flow_file, "--metadata", "local", *(["--branch", branch] if branch else []), "init", "--run-id", run_id, "--task-id", "p"]
"""

INVALID = [
    Invalid(
        """
        import sys
        def step_cmd(step_name, run_id, task_id):
            cmd = [sys.executable, "flow.py", "--quiet", "--metadata", "local"]
            cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id]
            return cmd
        """,
        rows=[5], message="--branch", no_fix=True, why="list",
    ),
    Invalid(
        """
        def script(flow_file, step):
            return f"python {flow_file} --no-pylint --datastore local step {step} --run-id $RUN_ID --task-id 1"
        """,
        rows=[3], message="--branch", why="fstring",
    ),
    Invalid(BASH_TEMPLATE, rows=[6], message="--branch", why="bash-template"),
    Invalid(
        '''
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
        rows=[7], message="--branch", why="generated-python",
    ),
    Invalid(
        """
        class Compiler:
            def _top(self):
                return ["--quiet", "--datastore", self.datastore]

            def init_cmd(self, run_id):
                return [self.python, self.flow_file] + self._top() + ["init", "--run-id", run_id, "--task-id", "p"]
        """,
        rows=[7], message="--branch", why="helper",
    ),
    Invalid(
        """
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
        rows=[10], message="--branch", why="source-lines",
    ),
    Invalid(
        """
        def step_cmd(self, node, run_id):
            cmd = [sys.executable, self.flow_file, "--quiet"]
            if node.name == "start":
                cmd += ["--branch", self.branch]
            cmd += ["step", node.name, "--run-id", run_id, "--task-id", "1"]
            return cmd
        """,
        rows=[5], message="only to the start step", why="branch only for the start step",
    ),
    Invalid(
        FIXABLE, rows=[11, 17], fixed=FIXED_FIXABLE, unsafe=True, why="unsafe fix before the subcommand",
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
        why="list-conditional",
    ),
    Valid(
        """
        def script(flow_file, step, branch):
            return f"python {flow_file} --branch={branch} step {step} --run-id $RUN_ID --task-id 1"
        """,
        why="fstring",
    ),
    Valid(
        """
        def step_cmd(self, node):
            top_opts = list(dict_to_cli_options(self.top_opts_dict))
            return [sys.executable, self.flow_file] + top_opts + ["--quiet", "step", node.name, "--run-id", "r"]
        """,
        why="unknown-top-level",
    ),
    Valid(
        '''
        SCRIPT = """
        {top_cmd} step {step_name} --run-id "$RUN_ID" --task-id 1
        """
        ''',
        why="unresolved-placeholder",
    ),
    Valid(
        """
        def step_cmd(step, env):
            env["METAFLOW_BRANCH"] = BRANCH
            return [sys.executable, "flow.py", "--quiet", "step", step, "--run-id", "1", "--task-id", "2"]
        """,
        why="env-route",
    ),
    Valid(
        '''
        TEMPLATE = """
        cmd = [sys.executable, FLOW_FILE, "--metadata", "local"]
        if PROJECT_BRANCH:
            cmd += ["--branch", PROJECT_BRANCH]
        cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id]
        """
        ''',
        why="generated-python",
    ),
    Valid(
        '''
        HELP = "Inject a decorator on every step, e.g. --with=retry"
        # python flow.py --quiet step start --run-id 1
        def f():
            """Runs `python flow.py --quiet step start --run-id 1`."""
        ''',
        why="not-a-command",
    ),
    Valid(
        """
        cmd = ["python", "flow.py", "--quiet", "step", "a", "--branch", "b", "--run-id", "1"]
        """,
        why="branch after the subcommand is left to MFO011",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_report_points_at_the_subcommand_inside_a_template():
    source = textwrap.dedent(BASH_TEMPLATE)
    (diag,) = lint(source, RULE)
    line = source.splitlines()[diag.location.row - 1]
    assert line[diag.location.column - 1: diag.end_location.column - 1] == "step"


def test_unsafe_fix_inserts_conditional_branch_before_the_subcommand():
    found = lint(FIXABLE, RULE)
    assert len(found) == 2 and all(d.fix is not None for d in found)
    assert all(d.fix.applicability.value == "unsafe" for d in found)
    fixed_one = apply_one(FIXABLE, found[0])
    assert '*(["--branch", self.branch] if self.branch else []), "step"' in fixed_one
    fixed = assert_fix_converges(FIXABLE, RULE, unsafe=True)
    assert '*(["--branch", branch] if branch else []), "init"' in fixed
    # safe-only fixing leaves the unsafe fix alone
    assert fix_text(FIXABLE, DEFAULT_PATH, select=[RULE]).text == FIXABLE


def test_trigger_dropping_the_deployers_branch(tmp_path):
    plugin = "metaflow_extensions/acme/plugins/acme/"
    write_files(
        tmp_path,
        {
            plugin + "acme_cli.py": """
            @acme.command(help="Trigger a run.")
            @click.option("--branch", default=None)
            @click.option("--deployer-attribute-file", default=None)
            @click.pass_obj
            def trigger(obj, branch, deployer_attribute_file):
                pass
            """,
        },
    )
    objects = os.path.join(str(tmp_path), plugin + "acme_deployer_objects.py")
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
    found = lint(dropping, RULE, path=objects)
    assert len(found) == 1 and "trigger" in found[0].message
    forwarding = dropping.replace(
        'trigger_kwargs = {"deployer_attribute_file": attribute_file_path}',
        'trigger_kwargs = {"deployer_attribute_file": attribute_file_path,'
        ' "branch": self.deployer.top_level_kwargs.get("branch")}',
    )
    assert lint(forwarding, RULE, path=objects) == []
    stored = dropping.replace(
        'trigger_kwargs = {"deployer_attribute_file": attribute_file_path}',
        'trigger_kwargs = {"deployer_attribute_file": attribute_file_path,'
        ' "task_queue": self.deployer.additional_info.get("task_queue")}',
    )
    assert lint(stored, RULE, path=objects) == []  # what create stored (a branch-aware queue) travels instead
    # the trigger command may live in any module of the plugin's package, not only a `*cli*` one
    os.rename(os.path.join(str(tmp_path), plugin + "acme_cli.py"), os.path.join(str(tmp_path), plugin + "commands.py"))
    assert len(lint(dropping, RULE, path=objects)) == 1
    os.rename(os.path.join(str(tmp_path), plugin + "commands.py"), os.path.join(str(tmp_path), plugin + "acme_cli.py"))
    os.remove(os.path.join(str(tmp_path), plugin + "acme_cli.py"))
    assert lint(dropping, RULE, path=objects) == []  # the trigger command takes no --branch: nothing dropped
