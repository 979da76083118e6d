"""MFO024 artifact-attempt-hardcoded: artifact reads pinned to one attempt number."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO024"]) if d.code == "MFO024"]


@pytest.mark.parametrize(
    "source, line",
    [
        (
            """
            def read(fds, run_id, task_id):
                return fds.get_task_datastore(run_id, "start", task_id, attempt=0, mode="r")
            """,
            3,
        ),
        (
            """
            def read(fds, run_id, task_id):
                return fds.get_task_datastore(run_id, "start", task_id, 0)
            """,
            3,
        ),
        (
            """
            from metaflow import Task


            def artifacts(pathspec):
                return Task(pathspec, attempt=0).data
            """,
            6,
        ),
        (
            """
            import os


            def index_path(root, flow, run_id, step, task):
                return os.path.join(root, flow, run_id, step, task, "0.data.json")
            """,
            6,
        ),
        (
            """
            def index_path(step, task):
                return f"{step}/{task}/0.data.json"
            """,
            3,
        ),
        (
            '''
            TEMPLATE = """
            import os
            tds = fds.get_task_datastore(
                run_id, "{step_name}", task_id, attempt=0, mode="r",
            )
            """
            ''',
            5,
        ),
        (
            """
            CODE = (
                "    foreach_count = 1\\n"
                + '    _tds = _fds.get_task_datastore(run_id, %r, task_id, attempt=0, mode="r")\\n'
            )
            """,
            4,
        ),
        (
            '''
            SCRIPT = """
            with open(os.path.join(root, run_id, step, task, "0.data.json")) as fh:
                data = json.load(fh)
            """
            ''',
            3,
        ),
    ],
    ids=[
        "kwarg", "positional", "client-task", "join-path", "fstring-path", "generated", "concatenated",
        "generated-path",
    ],
)
def test_hardcoded_attempt_reads_are_reported(source, line):
    found = lint(source)
    assert [d.location.row for d in found] == [line]


def test_generated_code_finding_points_at_the_attempt_keyword():
    source = 'CODE = \'tds = fds.get_task_datastore(run_id, "a", t, attempt=0, mode="r")\'\n'
    (found,) = lint(source)
    assert source[found.location.column - 1:].startswith("attempt=0")


@pytest.mark.parametrize(
    "source",
    [
        # latest done attempt
        'def r(fds, run_id, t):\n    return fds.get_task_datastore(run_id, "start", t, mode="r")\n',
        # attempt chosen by the code
        'def r(fds, run_id, t, n):\n    return fds.get_task_datastore(run_id, "start", t, attempt=n)\n',
        # writes own an attempt
        'def w(fds, run_id, t):\n    return fds.get_task_datastore(run_id, "start", t, attempt=0, mode="w")\n',
        'CODE = \'tds = fds.get_task_datastore(run_id, "a", t, attempt=0, mode="w")\'\n',
        # docstrings and comments in generated code are prose
        'def f():\n    """Reads get_task_datastore(run_id, s, t, attempt=0) and 0.data.json."""\n',
        'CODE = """\n# we used to call get_task_datastore(run_id, s, t, attempt=0)\nx = 1\n"""\n',
        # a message mentioning the file name
        'MSG = "could not read 0.data.json for the task"\n',
        # other attempts' files are named by a variable
        'def p(step, task, attempt):\n    return f"{step}/{task}/{attempt}.data.json"\n',
        # unrelated call with an attempt keyword
        'def go(client):\n    return client.retry_job(attempt=0)\n',
    ],
)
def test_correct_or_unrelated_code_is_clean(source):
    assert lint(source) == []


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
    ],
)
def test_the_screen_before_the_parse(source, may_report):
    from mfok_lint.rules.mfo024_artifact_attempt_hardcoded import ArtifactAttemptHardcoded

    assert ArtifactAttemptHardcoded().applies_to_file("x.py", source.encode()) is may_report
