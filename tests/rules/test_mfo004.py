"""MFO004 retry-count-hardcoded: `--retry-count` must follow the scheduler's attempt counter."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source, path=PATH):
    return [d for d in lint_text(textwrap.dedent(source), path=path, select=["MFO004"]) if d.code == "MFO004"]


HEAD = 'import sys\nTOP = [sys.executable, "flow.py", "--metadata", "local"]\n'

INVALID = {
    "literal": HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--task-id", "2", "--retry-count", "0"]\n',
    "int via str": HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(0)]\n',
    "equals form": HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count=%d" % 0]\n',
    "variable": HEAD + 'def c(s):\n    retry = 0\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n',
    "default never overridden": HEAD
    + 'def _c(s, retry=0):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n'
    + 'def build():\n    return [_c("start"), _c("end")]\n',
    "bash template": 'SCRIPT = """\npython flow.py --metadata local step {step} --run-id 1 --task-id 2 --retry-count 0\n"""\n',
    "bash template equals": 'S = """\npython flow.py --quiet --metadata local step a --run-id 1 --retry-count=0\n"""\n',
    "generated python fragments": 'def parts(name):\n    return ", ".join([\'"step"\', repr(name), \'"--run-id"\', '
    "'run_id', '\"--retry-count\"', '\"0\"'])\n"
    'TEMPLATE = """\ncmd = [sys.executable, "flow.py", "--metadata", "local", {args}]\n"""\n'
    "def render(n):\n    return TEMPLATE.format(args=parts(n))\n",
}

VALID = {
    "counter": HEAD + 'def c(s, ctx):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(ctx.retry_number)]\n',
    "parameter from outside": HEAD + 'def c(s, retry_count):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry_count)]\n',
    "default overridden by a caller": HEAD
    + 'def _c(s, retry=0):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n'
    + 'def build(n):\n    return [_c("start"), _c("end", retry=n)]\n',
    "conditional": HEAD
    + 'def c(s, ctx, native):\n    retry = 0\n    if native:\n        retry = ctx.attempt_number\n'
    + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n',
    "argo placeholder": HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", "{{retries}}"]\n',
    "shell variable": 'S = """\npython flow.py --metadata local step a --run-id 1 --retry-count "$RETRY"\n"""\n',
    "loop counter": HEAD
    + 'def c(s, k):\n    for attempt in range(k):\n'
    + '        run(TOP + ["step", s, "--run-id", "1", "--retry-count", str(attempt)])\n',
    "comment and docstring": '"""python flow.py --metadata local step a --run-id 1 --retry-count 0"""\n'
    "# python flow.py --metadata local step a --run-id 1 --retry-count 0\n",
}


@pytest.mark.parametrize("idiom", sorted(INVALID))
def test_constant_retry_counts_are_reported(idiom):
    found = lint(INVALID[idiom])
    assert len(found) == 1, [d.message for d in found]
    assert "always 0" in found[0].message
    assert found[0].fix is None


@pytest.mark.parametrize("idiom", sorted(VALID))
def test_counters_and_unknowable_values_are_not_reported(idiom):
    assert lint(VALID[idiom]) == []


def test_report_points_at_the_value():
    text = INVALID["literal"]
    [diag] = lint(text)
    line = text.splitlines()[diag.location.row - 1]
    assert line[diag.location.column - 1: diag.end_location.column - 1] == '"0"'


def test_all_constants_are_named():
    source = (
        HEAD + 'def _c(s, retry=0):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n'
        'def build():\n    return [_c("start"), _c("end", retry=1)]\n'
    )
    [diag] = lint(source)
    assert "always 0 or 1" in diag.message


def test_a_constant_imported_from_the_extensions_config_module(tmp_path):
    """The value question crosses modules (astroid): ``config.py`` decides that the count is always 0."""
    plugin = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme"
    plugin.mkdir(parents=True)
    (plugin / "__init__.py").write_text("")
    (plugin / "config.py").write_text("DEFAULT_RETRY = 0\nRETRY_COUNT = DEFAULT_RETRY\n")
    source = HEAD + (
        "from .config import RETRY_COUNT\n"
        "from . import config\n"
        'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(RETRY_COUNT)]\n'
        'def d(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(config.RETRY_COUNT)]\n'
    )
    path = plugin / "acme_compiler.py"
    path.write_text(source)
    found = lint(source, path=str(path))
    assert [d.location.row for d in found] == [6, 8]
    (plugin / "config.py").write_text("import os\nRETRY_COUNT = int(os.environ.get('ATTEMPT', 0))\n")
    assert lint(source, path=str(path)) == []
