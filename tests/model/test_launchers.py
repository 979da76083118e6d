"""Commands routed through a launcher group (``python flow.py <group> step``) are step and init commands."""

from __future__ import annotations

import os
import textwrap

import pytest

from mfok_lint.model.commands import commands_for_source, commands_of
from mfok_lint.model.launchers import METAFLOW_GROUPS, groups_in_text
from mfok_lint.syntax import cstparse
from mfok_lint.syntax.source_file import SourceFile


@pytest.mark.parametrize(
    "text, expected",
    [
        ('@click.group(name="modal")\ndef cli_group():\n    pass\n', {"modal"}),
        ("@cli.group('nomad', help='x')\ndef nomad():\n    pass\n", {"nomad"}),
        ("@click.group()\n@click.pass_context\ndef my_sched(ctx):\n    pass\n", {"my-sched"}),
        ('CLIS_DESC = [("acme", ".acme_cli.cli")]\n', {"acme"}),
        ("@click.group()\ndef cli():\n    pass\n", set()),  # the outer group of a plugin holds the real one
        ('x = "modal step"\n', set()),
    ],
)
def test_groups_declared_in_a_module(text, expected):
    assert groups_in_text(text) == expected


def _one(source: str):
    (cmd,) = commands_for_source(textwrap.dedent(source))
    return cmd


def test_a_command_through_a_declared_group_is_a_step_command():
    cmd = _one(
        """
        @click.group(name="modal")
        def modal():
            pass

        def build(step, run_id, task_id):
            return [sys.executable, "flow.py", "--quiet", "modal", "step", step, "--run-id", run_id,
                    "--task-id", task_id, "--environment", "K=V", "--input-paths", "p"]
        """
    )
    assert (cmd.subcommand, cmd.group) == ("step", "modal")
    assert [o.name for o in cmd.top_level] == ["--quiet"]
    # after the group's step, a name Metaflow uses for a top-level option belongs to the launcher's command
    assert not cmd.has_option("--environment")
    assert cmd.has_option("--input-paths", side="sub")


def test_metaflows_own_groups_need_no_declaration():
    cmd = _one('CMD = ["python", "flow.py", "--environment", "conda", "kubernetes", "step", "a", "--run-id", "1"]\n')
    assert cmd.group == "kubernetes" and cmd.has_option("--environment", side="top")


def test_an_option_value_named_like_a_group_is_no_group():
    cmd = _one('CMD = ["python", "flow.py", "--environment", "batch", "step", "a", "--run-id", "1"]\n')
    assert cmd.group is None and cmd.option("--environment").value.text == "batch"


def test_an_undeclared_word_before_step_is_still_prose():
    assert commands_for_source('CMD = ["python", "flow.py", "modal", "step", "a", "--run-id", "1"]\n') == []


def test_a_group_declared_in_another_module_of_the_package_counts(tmp_path):
    plugin = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme"
    plugin.mkdir(parents=True)
    (plugin / "acme_cli.py").write_text('@click.group(name="acme")\ndef acme():\n    pass\n')
    text = 'CMD = ["python", "flow.py", "acme", "step", "a", "--run-id", "1"]\n'
    path = os.path.join(str(plugin), "acme_decorator.py")
    (cmd,) = commands_of(SourceFile(path, text, cstparse.parse_module(text)))
    assert cmd.group == "acme"


def test_a_launcher_prefix_before_the_interpreter_is_no_prose():
    cmd = _one('CMD = ["ddtrace-run python", "flow.py", "--quiet", "step", "a", "--run-id", "1"]\n')
    assert cmd.subcommand == "step" and [o.name for o in cmd.top_level] == ["--quiet"]


def test_metaflow_groups():
    assert METAFLOW_GROUPS == {"kubernetes", "batch"}
