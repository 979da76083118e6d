"""Property tests of the engine: on valid Python the linter never raises, and ``--fix`` is sound.

Three sources of programs: hand-shaped command builders (the code mfok-lint exists to read: argument lists
with ``step``/``init`` and Metaflow options, f-strings, ``%``/``.format`` templates, bash scripts with
heredocs, click options with ``multiple=True``), whole programs from Python's grammar (``hypothesmith``, when
installed), and those grammar programs with every rule's trigger words added in a comment, so that no rule's
prefilter lets it skip the file.

``lint_text`` and ``fix_text`` run without an internal-error list, so a rule that raises fails the test
instead of becoming an internal-error line. Fix soundness means: the fixed text parses, and fixing it again
changes nothing.
"""

from __future__ import annotations

import ast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfok_lint.lint.check import lint_text
from mfok_lint.lint.fixes import fix_text
from mfok_lint.prefilter import Text
from mfok_lint.rules import all_rules

PATHS = (
    "flow_tools.py",
    "metaflow_extensions/acme/plugins/acme/acme_cli.py",
    "metaflow_extensions/acme/plugins/acme/acme_deployer.py",
    "metaflow_extensions/acme/config/mfextinit_acme.py",
)

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

# ---- command-building snippets ---------------------------------------------------------------------------

_ELEMENTS = [
    "sys.executable", "flow_file", '"-u"', '"step"', '"init"', "step_name", '"start"', '"--run-id"', "run_id",
    '"--task-id"', "task_id", '"--retry-count"', '"0"', "str(retry_count)", "str(retry_count + 1)",
    '"--max-user-code-retries"', '"--input-paths"', "input_paths", '"--split-index"', '"--namespace"',
    '"--branch"', "branch", '"--environment"', '"conda"', '"--datastore"', '"local"', '"--datastore-root"',
    '"--tag"', '"--with"', '"retry"', '"--run-param"', "*run_params", "*list(run_params)", '"--quiet"',
    '"--metadata"', '"service"', '"--task-id-file"', '"--"', 'f"--run-id={run_id}"', '"--run-id=%s" % run_id',
    '"--task-id={}".format(task_id)', 'f"{step_name}"', "os.environ.get('METAFLOW_USER', '')", '"--pathspec"',
    'f"{flow_name}/{run_id}/{step_name}/{task_id}"', "*extra", '"--deployer-attribute-file"', "attribute_file",
]

_SHELL_WORDS = [
    "python", "$FLOW_FILE", "{flow_file}", "step", "init", "start", "--run-id", "$RUN_ID", "{run_id}", "${RUN_ID}",
    "--task-id", "$(cat task_id)", "--retry-count", "0", "$RETRY", "--max-user-code-retries", "--input-paths",
    "'$INPUTS'", '\\"$X\\"', "--environment", "conda", "--branch", "--with", "retry", "&&", "||", ";", "|",
    "--split-index", "%(split)s", "%s", "{{ vars.run_id }}", "{%- if x %}", "--tag", "-m", "metaflow", "\\n",
]

_LINE_ENDINGS = st.sampled_from([" ", " \\\n    ", "\n"])


def _list_expr(draw):
    return "[" + ", ".join(draw(st.lists(st.sampled_from(_ELEMENTS), min_size=1, max_size=14))) + "]"


def _shell_text(draw, fstring=False):
    # In an f-string, "{%" would be a broken replacement field: the generator must stay valid Python.
    vocabulary = [w for w in _SHELL_WORDS if not (fstring and "{%" in w)]
    words = draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=16))
    out = ""
    for word in words:
        out += word + draw(_LINE_ENDINGS)
    return out.replace('"""', "")


@st.composite
def command_programs(draw):
    body = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.integers(0, 11))
        if kind == 0:
            body.append(f"cmd = {_list_expr(draw)}")
        elif kind == 1:
            body.append(f"cmd.extend({_list_expr(draw)})")
        elif kind == 2:
            body.append(f"cmd += {_list_expr(draw)}")
        elif kind == 3:
            body.append(f'cmd = " ".join({_list_expr(draw)})')
        elif kind == 4:
            body.append("cmd = f" + repr(_shell_text(draw, fstring=True).replace("\n", " ")))
        elif kind == 5:
            script = _shell_text(draw)
            heredoc = draw(st.sampled_from(["", "python - <<'EOF'\nimport os\nprint(os.environ)\nEOF\n", "cat <<EOF\n"]))
            body.append(f'script = """#!/bin/bash\nset -e\n{heredoc}{script}\n"""')
            body.append(draw(st.sampled_from(["script = script.format(run_id=run_id)", "script = script % {'split': 1}", "pass"])))
        elif kind == 6:
            body.append(draw(st.sampled_from([
                "subprocess.run(cmd, check=True)",
                "subprocess.Popen(cmd, env=env)",
                "subprocess.run(cmd, shell=True)",
                "os.execvp(cmd[0], cmd)",
                "proc = subprocess.Popen(script, shell=True, executable='/bin/bash')",
            ])))
        elif kind == 7:
            body.append(draw(st.sampled_from([
                "env = dict(os.environ, METAFLOW_RUN_ID=run_id)",
                "env['METAFLOW_PARAMETER_ALPHA'] = '1'",
                "env['PYTHONPATH'] = os.environ.get('PYTHONPATH', '')",
                "env = {'METAFLOW_DEFAULT_DATASTORE': 'local', 'METAFLOW_SYSROOT_LOCAL': '/tmp/x'}",
            ])))
        elif kind == 8:
            body.append(draw(st.sampled_from([
                "params = run_params or ()",
                "params = tuple('%s=%s' % kv for kv in kwargs.items())",
                "trigger_kwargs['run_params'] = run_params",
                "client.create_run(parameters=run_params)",
                "scheduler.submit(run_params=tuple(run_params))",
            ])))
        elif kind == 9:
            body.append(draw(st.sampled_from([
                "for attempt in range(3):\n        try:\n            subprocess.run(cmd, check=True)\n            break\n        except Exception:\n            continue",
                "with open('/tmp/ids', 'w') as handle:\n        handle.write(run_id)",
                "if retry_count > 0:\n        cmd.append('--retry-count=%d' % (retry_count - 1))",
            ])))
        elif kind == 10:
            body.append(draw(st.sampled_from(["cmd = []", "extra = []", "input_paths = ','.join(parents)"])))
        else:
            body.append(f"return {_list_expr(draw)}")
    noqa = draw(st.sampled_from(["", "  # noqa: MFO001", "  # noqa", "  # noqa: MFO001, MFO011", "  # noqa: E501"]))
    lines = [line + (noqa if draw(st.booleans()) else "") if "\n" not in line else line for line in body]
    source = (
        "import os\nimport subprocess\nimport sys\nfrom metaflow._vendor import click\n\n\n"
        '@click.command()\n@click.option("--run-param", "run_params", multiple=True)\n'
        "def launch(run_params, flow_file, flow_name, step_name, run_id, task_id, retry_count, branch, parents,"
        " attribute_file, client, scheduler, kwargs, trigger_kwargs, env):\n"
        "    cmd = []\n    extra = []\n    input_paths = ''\n"
        + "".join(f"    {line}\n" for line in lines)
    )
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return source.replace("\n", newline)


def _assert_fix_sound(source: str, path: str, unsafe: bool) -> None:
    first = fix_text(source, path, select=["ALL"], unsafe_fixes=unsafe)
    assert not [e for e in first.errors if "did not converge" in e], first.errors
    ast.parse(first.text)
    second = fix_text(first.text, path, select=["ALL"], unsafe_fixes=unsafe)
    assert second.text == first.text, "a second fix pass changed the text"
    assert not second.fixed


@PROPERTY
@given(command_programs(), st.sampled_from(PATHS))
def test_command_builders_lint_without_internal_errors(source, path):
    ast.parse(source)  # the generator itself must only produce valid Python
    lint_text(source, path, select=["ALL"])


@PROPERTY
@given(command_programs(), st.sampled_from(PATHS), st.booleans())
def test_fixing_command_builders_is_sound_and_idempotent(source, path, unsafe):
    _assert_fix_sound(source, path, unsafe)


# ---- programs from Python's grammar ---------------------------------------------------------------------


def _needles(trigger):
    """The plain byte strings of a rule's ``Text`` triggers, through its ``&``/``|`` combinations."""
    if isinstance(trigger, Text):
        return [n for n in trigger.needles if isinstance(n, bytes)]
    return [needle for part in getattr(trigger, "parts", ()) for needle in _needles(part)]


def _trigger_comment() -> str:
    words = set()
    for rule in all_rules().values():
        for needle in _needles(rule.triggers):
            words.add(needle.decode("ascii", "replace"))
    # The command model's own prefilter wants a step/init word and a Metaflow option.
    words.update({"step", "init", "--run-id", "--task-id"})
    return "# " + " ".join(sorted(words)) + "\n"


TRIGGERS = _trigger_comment()


# Grammar programs are large and every rule reads them; fewer examples keep each test near a minute.
GRAMMAR = settings(PROPERTY, max_examples=40)


def _grammar_programs():
    hypothesmith = pytest.importorskip("hypothesmith")
    return hypothesmith.from_grammar()


@pytest.mark.slow
@GRAMMAR
@given(data=st.data())
def test_grammar_programs_lint_without_internal_errors(data):
    source = data.draw(_grammar_programs())
    for text in (source, TRIGGERS + source):
        for path in PATHS[:2]:
            lint_text(text, path, select=["ALL"])


@pytest.mark.slow
@GRAMMAR
@given(data=st.data())
def test_fixing_grammar_programs_is_sound(data):
    source = TRIGGERS + data.draw(_grammar_programs())
    _assert_fix_sound(source, PATHS[1], unsafe=True)


def _node_programs():
    hypothesmith = pytest.importorskip("hypothesmith")
    return hypothesmith.from_node()


@pytest.mark.slow
@GRAMMAR
@given(data=st.data())
def test_libcst_node_programs_lint_without_internal_errors(data):
    source = data.draw(_node_programs())
    lint_text(TRIGGERS + source, PATHS[1], select=["ALL"])
