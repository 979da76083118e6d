"""MFO024 artifact-attempt-hardcoded: artifact reads pinned to one attempt number."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest

from tests.rules.conftest import Invalid, Valid, lint, passes_prefilter, rule_cases

RULE = "MFO024"
# A retried step runs again under the same task id only where the scheduler's attempt counter reaches
# `--retry-count`; the cases below carry that counter in the same module unless they say otherwise.
COUNTER = 'RETRY = ["--retry-count", str(context.retry_number)]\n'


def retried(code: str) -> str:
    return textwrap.dedent(code).rstrip("\n") + "\n" + COUNTER


INVALID = [
    Valid("from acme import Job as Task\nx = Task(spec, attempt=0)\n", why="another class imported under the name"),
    Invalid(
        """
        from metaflow import Task as MFTask

        def read(pathspec):
            return MFTask(pathspec, attempt=0)["x"].data
        """,
        rows=[5], message="MFTask", why="the client's Task imported under another name",
    ),
    Invalid(
        """
        def read(fds, run_id, task_id):
            return fds.get_task_datastore(run_id, "start", task_id, attempt=0, mode="r")
        """,
        rows=[3], why="kwarg",
    ),
    Invalid(
        """
        def read(fds, run_id, task_id):
            return fds.get_task_datastore(run_id, "start", task_id, 0)
        """,
        rows=[3], why="positional",
    ),
    Invalid(
        """
        from metaflow import Task


        def artifacts(pathspec):
            return Task(pathspec, attempt=0).data
        """,
        rows=[6], why="client-task",
    ),
    Invalid(
        """
        import os


        def index_path(root, flow, run_id, step, task):
            return os.path.join(root, flow, run_id, step, task, "0.data.json")
        """,
        rows=[6], why="join-path",
    ),
    Invalid(
        """
        def index_path(step, task):
            return f"{step}/{task}/0.data.json"
        """,
        rows=[3], why="fstring-path",
    ),
    Invalid(
        '''
        TEMPLATE = """
        import os
        tds = fds.get_task_datastore(
            run_id, "{step_name}", task_id, attempt=0, mode="r",
        )
        """
        ''',
        rows=[5], why="generated",
    ),
    Invalid(
        """
        CODE = (
            "    foreach_count = 1\\n"
            + '    _tds = _fds.get_task_datastore(run_id, %r, task_id, attempt=0, mode="r")\\n'
        )
        """,
        rows=[4], why="concatenated",
    ),
    Invalid(
        '''
        SCRIPT = """
        with open(os.path.join(root, run_id, step, task, "0.data.json")) as fh:
            data = json.load(fh)
        """
        ''',
        rows=[3], why="generated-path",
    ),
]

INVALID = [dataclasses.replace(case, code=retried(case.code)) for case in INVALID] + [
    Invalid(
        """
        def read(fds, run_id, task_id):
            return fds.get_task_datastore(run_id, "start", task_id, attempt=0, mode="r")


        def run(args):
            for retry_count in range(args.max_retries + 1):
                launch(["step", "a", "--retry-count", str(retry_count)])
        """,
        rows=[3], why="in-process retry loop",
    ),
]


VALID = [
    # latest done attempt
    Valid(
        'def r(fds, run_id, t):\n    return fds.get_task_datastore(run_id, "start", t, mode="r")\n',
        why="latest done attempt",
    ),
    # attempt chosen by the code
    Valid(
        'def r(fds, run_id, t, n):\n    return fds.get_task_datastore(run_id, "start", t, attempt=n)\n',
        why="attempt chosen by the code",
    ),
    # writes own an attempt
    Valid(
        'def w(fds, run_id, t):\n    return fds.get_task_datastore(run_id, "start", t, attempt=0, mode="w")\n',
        why="a write owns its attempt",
    ),
    Valid(
        'CODE = \'tds = fds.get_task_datastore(run_id, "a", t, attempt=0, mode="w")\'\n',
        why="a write in generated code owns its attempt",
    ),
    # docstrings and comments in generated code are prose
    Valid('def f():\n    """Reads get_task_datastore(run_id, s, t, attempt=0) and 0.data.json."""\n', why="docstring"),
    Valid(
        'CODE = """\n# we used to call get_task_datastore(run_id, s, t, attempt=0)\nx = 1\n"""\n',
        why="comment in generated code",
    ),
    # a message mentioning the file name
    Valid('MSG = "could not read 0.data.json for the task"\n', why="a message mentioning the file name"),
    # other attempts' files are named by a variable
    Valid(
        'def p(step, task, attempt):\n    return f"{step}/{task}/{attempt}.data.json"\n',
        why="other attempts' files are named by a variable",
    ),
    # unrelated call with an attempt keyword
    Valid('def go(client):\n    return client.retry_job(attempt=0)\n', why="unrelated call with an attempt keyword"),
]

VALID = [dataclasses.replace(case, code=retried(case.code)) for case in VALID] + [
    Valid(
        """
        def read(fds, run_id, task_id):
            return fds.get_task_datastore(run_id, "start", task_id, attempt=0, mode="r")


        def step_cmd(name, run_id, task_id, retry_count=0):
            return ["step", name, "--retry-count", str(retry_count)]
        """,
        why="no attempt counter reaches --retry-count: every try writes attempt 0",
    ),
    Valid(
        """
        BODY = 'python flow.py step a --retry-count ${WM_FLOW_RETRY_COUNT:-0}'
        READ = 'tds = fds.get_task_datastore(run_id, "a", t, attempt=0, mode="r")'
        """,
        why="a variable the scheduler does not set is no counter",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_the_counter_may_sit_in_another_module_of_the_package(tmp_path):
    plugin = "metaflow_extensions/acme/plugins/acme/"
    reader = 'def read(fds, run_id, t):\n    return fds.get_task_datastore(run_id, "a", t, attempt=0)\n'
    files = {plugin + "acme_reader.py": reader}
    assert lint(files, RULE, root=tmp_path) == []
    files[plugin + "acme_ops.py"] = "def op(context):\n    return run_step(retry_count=context.retry_number)\n"
    (found,) = lint(files, RULE, root=tmp_path)
    assert found.path.endswith("acme_reader.py") and found.location.row == 2


def test_another_plugin_of_the_same_distribution_is_not_the_package(tmp_path):
    files = {
        "metaflow_extensions/acme/plugins/acme/acme_reader.py": (
            'def read(fds, run_id, t):\n    return fds.get_task_datastore(run_id, "a", t, attempt=0)\n'
        ),
        "metaflow_extensions/acme/plugins/other/ops.py": "def op(context):\n    return context.retry_number\n",
    }
    assert lint(files, RULE, root=tmp_path) == []


def test_generated_code_finding_points_at_the_attempt_keyword():
    source = 'CODE = \'tds = fds.get_task_datastore(run_id, "a", t, attempt=0, mode="r")\'\n' + COUNTER
    (found,) = lint(source, RULE)
    assert source[found.location.column - 1:].startswith("attempt=0")


@pytest.mark.parametrize(
    "source, may_report",
    [
        ("def f(attempt=0):\n    return ds.get_task_datastore(run_id, step, task_id)\n", False),
        ("x = flow_datastore.get_task_datastore(run_id, step, task_id, 0)\n", True),
        ("x = TaskDataStore(fds, run_id, step, task_id, attempt=1, mode='r')\n", True),
        ("x = Task(pathspec, attempt=attempt)\n", False),  # a variable attempt: the code chose it
        ("INDEX = f'{prefix}/0.data.json'\n", True),
        ("CODE = '''\\nds = fds.get_task_datastore(r, s, t, attempt=0)\\n'''\n", True),
        ("CODE = 'get_task_datastore(r, s, t, \\x61ttempt=1)'\n", True),  # decoded text, as the rule reads it
        ("x = Task(pathspec, attempt=0\n", True),  # ast cannot read it: libcst decides
        ("from metaflow import Task as MFTask\nx = MFTask(pathspec, attempt=0)\n", True),
    ],
)
def test_the_screen_before_the_parse(source, may_report):
    assert passes_prefilter(RULE, source, path="x.py") is may_report
