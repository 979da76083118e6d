"""MFO015 max-user-code-retries-missing: `--retry-count` needs `--max-user-code-retries` beside it."""

from __future__ import annotations

from mfok_lint.lint.fixes import fix_text
from tests.rules.conftest import DEFAULT_PATH, Invalid, Valid, apply_one, assert_fix_converges, lint, rule_cases

RULE = "MFO015"
HEAD = 'import sys\nTOP = [sys.executable, "flow.py", "--metadata", "local"]\n'

FIXABLE = (
    HEAD
    + "def c(s, retry_count, node):\n"
    + "    max_user_code_retries = node.user_retries\n"
    + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry_count), "--input-paths", "x"]\n'
)

INVALID = [
    # no fix without a retries value in scope
    Invalid(
        HEAD
        + 'def c(s, retry_count):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry_count)]\n',
        rows=[4], message="--max-user-code-retries", no_fix=True, why="list",
    ),
    Invalid(
        'def c(step, retry_count):\n'
        '    return f"python flow.py --metadata local step {step} --run-id 1 --retry-count {retry_count}"\n',
        rows=[2], message="--max-user-code-retries", why="fstring",
    ),
    Invalid(
        'S = """\npython flow.py --metadata local step a --run-id 1 --retry-count "$RETRY"\n"""\n',
        rows=[2], message="--max-user-code-retries", why="bash template",
    ),
    Invalid(
        "class A:\n    def __init__(self, n):\n        self.commands = ['step']\n"
        "        self.top_level_options = {'metadata': 'local', 'quiet': True}\n"
        "        self.command_options = {'run-id': '1', 'task-id': '2', 'retry-count': n}\n",
        rows=[5], message="--max-user-code-retries", why="cliargs",
    ),
    Invalid(
        FIXABLE, rows=[5], message="--max-user-code-retries",
        fixed=(
            HEAD
            + "def c(s, retry_count, node):\n"
            + "    max_user_code_retries = node.user_retries\n"
            + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry_count), '
            + '"--max-user-code-retries", str(max_user_code_retries), "--input-paths", "x"]\n'
        ),
        unsafe=True, why="unsafe fix sends the user code retries in scope",
    ),
]

VALID = [
    Valid(
        HEAD
        + 'def c(s, retry_count, m):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry_count),'
        + ' "--max-user-code-retries", str(m)]\n',
        why="both",
    ),
    Valid(
        HEAD
        + 'def c(s, n, m):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count=%d" % n,'
        + ' "--max-user-code-retries=%d" % m]\n',
        why="equals form",
    ),
    Valid(
        HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", "0"]\n',
        why="retry count always zero",
    ),
    Valid(
        HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--task-id", "2"]\n',
        why="no retry count",
    ),
    Valid(
        HEAD
        + 'def c(s, n, extra):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(n), *extra]\n',
        why="splat after the subcommand",
    ),
    Valid(
        "class A:\n    def __init__(self, n, m):\n        self.commands = ['step']\n"
        "        self.top_level_options = {'metadata': 'local', 'quiet': True}\n"
        "        self.command_options = {'run-id': '1', 'retry-count': n, 'max-user-code-retries': m}\n",
        why="cliargs with both",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_unsafe_fix_sends_the_user_code_retries_in_scope():
    [diag] = lint(FIXABLE, RULE)
    assert diag.fix.applicability.value == "unsafe"
    fixed = apply_one(FIXABLE, diag)
    assert '"--retry-count", str(retry_count), "--max-user-code-retries", str(max_user_code_retries), ' in fixed
    assert_fix_converges(FIXABLE, RULE, unsafe=True)
    assert fix_text(FIXABLE, DEFAULT_PATH, select=[RULE]).text == FIXABLE  # unsafe: not applied by default
