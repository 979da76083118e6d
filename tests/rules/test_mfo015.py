"""MFO015 max-user-code-retries-missing: `--retry-count` needs `--max-user-code-retries` beside it."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text
from mfok_lint.lint.fixes import fix_text
from tests.rules.fixcheck import apply_one, assert_fix_converges

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"
HEAD = 'import sys\nTOP = [sys.executable, "flow.py", "--metadata", "local"]\n'


def lint(source, path=PATH):
    return [d for d in lint_text(textwrap.dedent(source), path=path, select=["MFO015"]) if d.code == "MFO015"]


INVALID = {
    "list": HEAD + 'def c(s, retry_count):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry_count)]\n',
    "fstring": 'def c(step, retry_count):\n    return f"python flow.py --metadata local step {step} --run-id 1 --retry-count {retry_count}"\n',
    "bash template": 'S = """\npython flow.py --metadata local step a --run-id 1 --retry-count "$RETRY"\n"""\n',
    "cliargs": "class A:\n    def __init__(self, n):\n        self.commands = ['step']\n"
    "        self.top_level_options = {'metadata': 'local', 'quiet': True}\n"
    "        self.command_options = {'run-id': '1', 'task-id': '2', 'retry-count': n}\n",
}

VALID = {
    "both": HEAD
    + 'def c(s, retry_count, m):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry_count),'
    + ' "--max-user-code-retries", str(m)]\n',
    "equals form": HEAD
    + 'def c(s, n, m):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count=%d" % n, "--max-user-code-retries=%d" % m]\n',
    "retry count always zero": HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", "0"]\n',
    "no retry count": HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--task-id", "2"]\n',
    "splat after the subcommand": HEAD
    + 'def c(s, n, extra):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(n), *extra]\n',
    "cliargs with both": "class A:\n    def __init__(self, n, m):\n        self.commands = ['step']\n"
    "        self.top_level_options = {'metadata': 'local', 'quiet': True}\n"
    "        self.command_options = {'run-id': '1', 'retry-count': n, 'max-user-code-retries': m}\n",
}


@pytest.mark.parametrize("idiom", sorted(INVALID))
def test_retry_count_without_max_user_code_retries_is_reported(idiom):
    found = lint(INVALID[idiom])
    assert len(found) == 1, [d.message for d in found]
    assert "--max-user-code-retries" in found[0].message


@pytest.mark.parametrize("idiom", sorted(VALID))
def test_complete_or_unknowable_commands_are_not_reported(idiom):
    assert lint(VALID[idiom]) == []


FIXABLE = (
    HEAD
    + "def c(s, retry_count, node):\n"
    + "    max_user_code_retries = node.user_retries\n"
    + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry_count), "--input-paths", "x"]\n'
)


def test_unsafe_fix_sends_the_user_code_retries_in_scope():
    [diag] = lint(FIXABLE)
    assert diag.fix.applicability.value == "unsafe"
    fixed = apply_one(FIXABLE, diag)
    assert '"--retry-count", str(retry_count), "--max-user-code-retries", str(max_user_code_retries), ' in fixed
    assert_fix_converges(FIXABLE, "MFO015", PATH, unsafe=True)
    assert fix_text(FIXABLE, PATH, select=["MFO015"]).text == FIXABLE  # unsafe: not applied by default


def test_no_fix_without_a_retries_value_in_scope():
    [diag] = lint(INVALID["list"])
    assert diag.fix is None
