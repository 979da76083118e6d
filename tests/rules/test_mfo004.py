"""MFO004 retry-count-hardcoded: `--retry-count` must follow the scheduler's attempt counter."""

from __future__ import annotations

import pytest

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


# A worker module the extension generates: its step helper is one string, and its calls are emitted, line by line,
# by a builder in another module.
HELPERS_MODULE = '''
WORKER_HELPERS = """
import subprocess
import sys

def _step_cmd(step_name, run_id, task_id, input_paths, retry_count=0, user_retries=0):
    return [
        sys.executable, "flow.py", "--metadata", "local",
        "step", step_name, "--run-id", run_id, "--task-id", task_id,
        "--retry-count", str(retry_count), "--max-user-code-retries", str(user_retries),
        "--input-paths", input_paths,
    ]
"""
'''


def _task_body(arguments: str) -> str:
    return f'''
def task_body_lines(step, foreach):
    pad = "    "
    lines = [
        "subprocess.run(_step_cmd(",
        {arguments}
    ]
    if foreach:
        lines.append(pad + "input_paths=split_paths,")
    lines.append("), check=True)")
    return lines
'''


def _package(arguments: str) -> dict:
    plugin = "metaflow_extensions/acme/plugins/acme/"
    return {
        plugin + "__init__.py": "",
        plugin + "worker_helpers.py": HELPERS_MODULE,
        plugin + "task_codegen.py": _task_body(arguments),
    }


def test_a_generated_helpers_default_that_no_emitted_call_overrides(tmp_path):
    """The helper lives in one string, its only calls are emitted by a builder of another module."""
    files = _package('pad + "%r, run_id, task_id, input_paths," % step.name,\n        pad + "user_retries=%d," % step.retries,')
    found = lint(files, RULE, root=tmp_path)
    assert [(d.location.row, "always 0" in d.message) for d in found] == [(10, True)]
    assert found[0].path.endswith("worker_helpers.py")


@pytest.mark.parametrize(
    "arguments",
    [
        # the emitted call passes the scheduler's counter, by keyword or in fifth place
        'pad + "%r, run_id, task_id, input_paths," % step.name,\n        pad + "retry_count=ctx.retry_number,",',
        'pad + "%r, run_id, task_id, input_paths, ctx.retry_number," % step.name,',
        # a placeholder that may stand for several arguments
        'pad + "%s," % call_arguments(step),',
        # an argument line that comes from a variable: what it holds is not seen
        'pad + "%r, run_id, task_id, input_paths," % step.name,\n        extra_line,',
    ],
    ids=["keyword", "positional", "placeholder-of-arguments", "line-from-a-variable"],
)
def test_a_generated_helpers_default_overridden_or_unseen(tmp_path, arguments):
    assert lint(_package(arguments), RULE, root=tmp_path) == []


def test_a_generated_helper_passed_around_is_not_judged(tmp_path):
    files = _package('pad + "%r, run_id, task_id, input_paths," % step.name,')
    files["metaflow_extensions/acme/plugins/acme/runner.py"] = (
        'RUNNER = """\nimport functools\nrun_step = functools.partial(_step_cmd, retry_count=ATTEMPT)\n"""\n'
    )
    assert lint(files, RULE, root=tmp_path) == []


def test_a_module_function_whose_default_another_module_overrides(tmp_path):
    """Callers in the module send the default; the worker module passes the counter: not a constant."""
    plugin = "metaflow_extensions/acme/plugins/acme/"
    compiler = HEAD + (
        'def _c(s, retry=0):\n    return TOP + ["step", s, "--run-id", "1", "--retry-count", str(retry)]\n'
        'def first():\n    return _c("start")\n'
    )
    files = {plugin + "__init__.py": "", plugin + "acme_compiler.py": compiler}
    assert [d.location.row for d in lint(files, RULE, root=tmp_path)] == [4]
    files[plugin + "worker.py"] = (
        "from .acme_compiler import _c\n\ndef run(ti, s):\n    return _c(s, retry=ti.try_number - 1)\n"
    )
    assert lint(files, RULE, root=tmp_path) == []


def test_arguments_a_nested_helper_emits_are_not_read_as_absent(tmp_path):
    """The call's argument lines come from a helper through a loop: the joined literals do not show them."""
    files = _package("")
    files["metaflow_extensions/acme/plugins/acme/task_codegen.py"] = '''
def task_body_lines(step):
    def arguments(retry):
        return ["%r, run_id, task_id, input_paths," % step.name, "retry_count=%s," % retry]

    lines = ["subprocess.run(_step_cmd("]
    for line in arguments("ctx.retry_number"):
        lines.append(line)
    lines.append("), check=True)")
    return lines
'''
    assert lint(files, RULE, root=tmp_path) == []
