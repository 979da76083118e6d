"""MFO004 retry-count-hardcoded: `--retry-count` must follow the scheduler's attempt counter."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO004"
HEAD = 'import sys\nTOP = [sys.executable, "flow.py", "--metadata", "local"]\n'

INVALID = [
    Invalid(
        HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--task-id", "2", "--retry-count", "0"]\n',
        rows=[4], message="always 0", no_fix=True, why="literal",
    ),
    Invalid(
        HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(0)]\n',
        rows=[4], message="always 0", no_fix=True, why="int via str",
    ),
    Invalid(
        HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count=%d" % 0]\n',
        rows=[4], message="always 0", no_fix=True, why="equals form",
    ),
    Invalid(
        HEAD + 'def c(s):\n    retry = 0\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n',
        rows=[5], message="always 0", no_fix=True, why="variable",
    ),
    Invalid(
        HEAD
        + 'def _c(s, retry=0):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n'
        + 'def build():\n    return [_c("start"), _c("end")]\n',
        rows=[4], message="always 0", no_fix=True, why="default never overridden",
    ),
    Invalid(
        'SCRIPT = """\npython flow.py --metadata local step {step} --run-id 1 --task-id 2 --retry-count 0\n"""\n',
        rows=[2], message="always 0", no_fix=True, why="bash template",
    ),
    Invalid(
        'S = """\npython flow.py --quiet --metadata local step a --run-id 1 --retry-count=0\n"""\n',
        rows=[2], message="always 0", no_fix=True, why="bash template equals",
    ),
    Invalid(
        'def parts(name):\n    return ", ".join([\'"step"\', repr(name), \'"--run-id"\', '
        "'run_id', '\"--retry-count\"', '\"0\"'])\n"
        'TEMPLATE = """\ncmd = [sys.executable, "flow.py", "--metadata", "local", {args}]\n"""\n'
        "def render(n):\n    return TEMPLATE.format(args=parts(n))\n",
        rows=[2], message="always 0", no_fix=True, why="generated python fragments",
    ),
    Invalid(
        HEAD
        + 'def _c(s, retry=0):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n'
        + 'def build():\n    return [_c("start"), _c("end", retry=1)]\n',
        rows=[4], message="always 0 or 1", why="every constant is named",
    ),
]

VALID = [
    Valid(
        HEAD + 'def c(s, ctx):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(ctx.retry_number)]\n',
        why="counter",
    ),
    Valid(
        HEAD + 'def c(s, retry_count):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry_count)]\n',
        why="parameter from outside",
    ),
    Valid(
        HEAD
        + 'def _c(s, retry=0):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n'
        + 'def build(n):\n    return [_c("start"), _c("end", retry=n)]\n',
        why="default overridden by a caller",
    ),
    Valid(
        HEAD
        + 'def c(s, ctx, native):\n    retry = 0\n    if native:\n        retry = ctx.attempt_number\n'
        + '    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n',
        why="conditional",
    ),
    Valid(
        HEAD + 'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", "{{retries}}"]\n',
        why="argo placeholder",
    ),
    Valid('S = """\npython flow.py --metadata local step a --run-id 1 --retry-count "$RETRY"\n"""\n', why="shell variable"),
    Valid(
        HEAD
        + 'def c(s, k):\n    for attempt in range(k):\n'
        + '        run(TOP + ["step", s, "--run-id", "1", "--retry-count", str(attempt)])\n',
        why="loop counter",
    ),
    Valid(
        '"""python flow.py --metadata local step a --run-id 1 --retry-count 0"""\n'
        "# python flow.py --metadata local step a --run-id 1 --retry-count 0\n",
        why="comment and docstring",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_report_points_at_the_value():
    text = INVALID[0].code
    [diag] = lint(text, RULE)
    line = text.splitlines()[diag.location.row - 1]
    assert line[diag.location.column - 1: diag.end_location.column - 1] == '"0"'


def test_a_constant_imported_from_the_extensions_config_module(tmp_path):
    """The value question crosses modules (astroid): ``config.py`` decides that the count is always 0."""
    plugin = "metaflow_extensions/acme/plugins/acme/"
    source = HEAD + (
        "from .config import RETRY_COUNT\n"
        "from . import config\n"
        'def c(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(RETRY_COUNT)]\n'
        'def d(s):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(config.RETRY_COUNT)]\n'
    )
    files = {
        plugin + "__init__.py": "",
        plugin + "config.py": "DEFAULT_RETRY = 0\nRETRY_COUNT = DEFAULT_RETRY\n",
        plugin + "acme_compiler.py": source,
    }
    assert [d.location.row for d in lint(files, RULE, root=tmp_path)] == [6, 8]
    files[plugin + "config.py"] = "import os\nRETRY_COUNT = int(os.environ.get('ATTEMPT', 0))\n"
    assert lint(files, RULE, root=tmp_path) == []
