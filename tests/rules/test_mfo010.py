"""MFO010 run-param-in-init: open-source Metaflow's init has no --run-param option."""

from __future__ import annotations

import textwrap

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO010"]) if d.code == "MFO010"]


def test_run_param_in_an_init_list_is_reported_at_the_option():
    source = textwrap.dedent(
        """
        def init_cmd(run_id, params):
            cmd = ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
            for key, value in params.items():
                cmd += ["--run-param", f"{key}={value}"]
            return cmd
        """
    )
    (diag,) = lint(source)
    line = source.splitlines()[diag.location.row - 1]
    assert line[diag.location.column - 1: diag.end_location.column - 1] == '"--run-param"'


def test_run_param_in_a_shell_init_is_reported():
    assert len(lint(
        '''
        INIT = """python3 {flow_file} --quiet init --run-id "$RUN_ID" --task-id p --run-param "alpha=$ALPHA"
        """
        '''
    )) == 1


def test_the_extensions_own_trigger_cli_may_declare_run_param():
    assert lint(
        """
        import click

        @click.command(help="Trigger the deployed flow.")
        @click.option("--run-param", "run_params", multiple=True, default=())
        def trigger(obj, run_params):
            cmd = ["acme", "runs", "create", "--run-param", ",".join(run_params)]
            return cmd
        """
    ) == []


def test_parameters_as_named_options_are_fine():
    assert lint(
        """
        def init_cmd(run_id, params):
            cmd = ["python", "flow.py", "--quiet", "init", "--run-id", run_id, "--task-id", "params"]
            for key, value in params.items():
                cmd += ["--" + key, str(value)]
            return cmd
        """
    ) == []
