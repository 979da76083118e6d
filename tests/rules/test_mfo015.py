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
    # A constant 0 is the default spelled out, once the retry count follows the scheduler's attempts.
    Invalid(
        HEAD
        + "def c(s, context):\n"
        + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(context.retry_number),\n'
        + '                  "--max-user-code-retries", "0"]\n',
        rows=[5], message="`--max-user-code-retries` is always 0", no_fix=True, why="constant zero literal",
    ),
    Invalid(
        HEAD
        + "def c(s, ti):\n"
        + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(ti.try_number - 1),'
        + ' "--max-user-code-retries", str(0)]\n',
        rows=[4], message="as if the option were missing", no_fix=True, why="constant zero through str",
    ),
    Invalid(
        HEAD
        + "def _c(s, attempt, user_retries=0):\n"
        + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(attempt),'
        + ' "--max-user-code-retries", str(user_retries)]\n'
        + "def run(s, flow_run):\n    return _c(s, flow_run.run_count - 1)\n",
        rows=[4], message="`--max-user-code-retries` is always 0", no_fix=True, why="default never overridden",
    ),
    Invalid(
        '''
        JOB = """
        def _run_step(context, step_name, run_id, task_id, retry_count=0):
            cmd = [sys.executable, FLOW_FILE, "--metadata", "local",
                   "step", step_name, "--run-id", run_id, "--task-id", task_id,
                   "--retry-count", str(retry_count),
                   "--max-user-code-retries", "0"]
            subprocess.run(cmd, check=True)

        def op(context):
            _run_step(context, "start", RUN_ID, "1", retry_count=context.retry_number)
        """
        ''',
        rows=[7], message="`--max-user-code-retries` is always 0", no_fix=True, why="constant zero in generated code",
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
    # Without the scheduler's counter anywhere, a task only ever runs as attempt 0: 0 is never exceeded.
    Valid(
        HEAD
        + 'def c(s, retry_count):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry_count),'
        + ' "--max-user-code-retries", "0"]\n',
        why="constant zero without a counter in the package",
    ),
    Valid(
        HEAD
        + "def c(s, context):\n    print(context.retry_number)\n"
        + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", "0", "--max-user-code-retries", "0"]\n',
        why="retry count always zero as well",
    ),
    Valid(
        HEAD
        + "def c(s, context, node):\n"
        + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(context.retry_number),'
        + ' "--max-user-code-retries", str(node.user_code_retries)]\n',
        why="user code retries from the step",
    ),
    Valid(
        HEAD
        + "def _c(s, attempt, user_retries=0):\n"
        + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(attempt),'
        + ' "--max-user-code-retries", str(user_retries)]\n'
        + "def run(s, flow_run, deco):\n    return _c(s, flow_run.run_count - 1, deco.retries)\n",
        why="default overridden by the caller",
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
