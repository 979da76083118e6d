"""The command model sees Metaflow commands in every idiom extensions use, and nothing else."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from mfok_lint.model.commands import HOLE, build_commands, commands_for_source, commands_of, may_build_commands
from mfok_lint.syntax.source_file import SourceFile

_CONTEXTS = {}


def context(source):
    source = textwrap.dedent(source)
    if source not in _CONTEXTS:
        _CONTEXTS[source] = SourceFile("x.py", source, cst.parse_module(source))
    return _CONTEXTS[source]


def commands(source):
    return commands_of(context(source))


def only(source):
    found = commands(source)
    assert len(found) == 1, found
    return found[0]


def texts(cmd):
    return [t.text if t.kind == "literal" else t.kind for t in cmd.tokens]


def span_text(source, token):
    ctx = context(source)
    start, end = ctx.offsets(token.span)
    return ctx.text[start:end]


# ---- lists ---------------------------------------------------------------------------------------------------
def test_list_literal_split_into_top_level_subcommand_and_options():
    cmd = only(
        """
        def run(step_name, run_id):
            cmd = [sys.executable, "flow.py", "--quiet", "--metadata", "local", "step", step_name,
                   "--run-id", run_id, "--task-id", "1"]
            subprocess.run(cmd)
        """
    )
    assert cmd.subcommand == "step" and cmd.origin == "list"
    assert [o.name for o in cmd.top_level] == ["--quiet", "--metadata"]
    assert cmd.option("--metadata").value.text == "local"
    assert [o.name for o in cmd.sub_options] == ["--run-id", "--task-id"]
    assert cmd.step_name.kind == "value"
    assert not cmd.unknown_before_subcommand and not cmd.unknown_after_subcommand
    assert cmd.function.name.value == "run"


def test_growth_with_augassign_append_extend_and_conditions():
    src = """
        def build(step, branch, tags):
            cmd = [sys.executable, FLOW_FILE, "--no-pylint"]
            if branch:
                cmd += ["--branch", branch]
            cmd.append("step")
            cmd.append(step)
            cmd.extend(["--run-id", RUN_ID, "--task-id", "t"])
            for tag in tags:
                cmd += ["--tag", tag]
            return cmd
        """
    cmd = only(src)
    assert texts(cmd)[2:5] == ["--no-pylint", "--branch", "value"]
    branch = cmd.option("--branch", side="top")
    assert branch is not None and branch.token.condition is not None
    assert span_text(src, branch.token) == '"--branch"'
    tag = cmd.option("--tag", side="sub")
    assert tag is not None and tag.token.condition is not None  # the loop's iterable guards it
    assert cmd.option("--branch", side="sub") is None


def test_splat_concatenation_and_ifexp():
    cmd = only(
        """
        def build(top, extra, split_index):
            head = [sys.executable, "flow.py"]
            tail = ["--split-index", str(split_index)] if split_index is not None else []
            return [*head, "--datastore=local", *top, "step", "a", "--task-id", "2"] + tail
        """
    )
    assert cmd.unknown_before_subcommand  # *top may hold anything
    assert cmd.option("--datastore").value.text == "local"
    assert cmd.option("--split-index", side="sub").token.condition is not None


def test_helper_functions_and_methods_are_followed():
    cmd = only(
        """
        def top_args(branch):
            args = ["--quiet", "--metadata", "local"]
            if branch:
                args += ["--branch", branch]
            return args

        class Compiler:
            def _entry(self):
                return [sys.executable, self.flow_file]

            def step_cmd(self, name):
                return self._entry() + top_args(self.branch) + ["step", name, "--run-id", "r", "--task-id", "t"]
        """
    )
    assert cmd.has_option("--branch", side="top")
    assert not cmd.unknown_before_subcommand
    assert cmd.function.name.value == "step_cmd"


def test_unknown_call_before_subcommand_is_unknown():
    cmd = only(
        """
        def build(step):
            return [sys.executable, "f.py"] + list(dict_to_cli_options(opts)) + ["step", step, "--run-id", "1"]
        """
    )
    assert cmd.unknown_before_subcommand


def test_command_head_assembled_elsewhere_has_unknown_head():
    cmd = only(
        """
        def step_part(name):
            return ["step", name, "--run-id %s" % RUN, "--task-id %s" % TASK]
        """
    )
    assert cmd.subcommand_index == 0 and cmd.unknown_before_subcommand
    # "--run-id %s" is one element a later " ".join turns into two words
    assert cmd.option("--run-id", side="sub").value.pattern == HOLE


def test_join_of_composed_lists_wins_over_its_parts():
    found = commands(
        """
        def build(node):
            entrypoint = [sys.executable, "flow.py"]
            top_level = ["--quiet", "--metadata=%s" % md]
            step = ["step", node.name, "--run-id %s" % run_id]
            cmds = []
            cmds.extend([" ".join(entrypoint + top_level + step)])
        """
    )
    assert len(found) == 1
    assert not found[0].unknown_before_subcommand
    assert found[0].option("--metadata").value.pattern == HOLE


# ---- strings -------------------------------------------------------------------------------------------------
def test_fstring_shell_command_maps_tokens_into_the_string():
    src = '''
        def script(step):
            return f"python flow.py --no-pylint --branch {BRANCH} step {step} --run-id $RUN_ID --task-id 1"
        '''
    cmd = only(src)
    assert cmd.origin == "string"
    assert cmd.option("--branch", side="top") is not None
    assert span_text(src, cmd.subcommand_token) == "step"
    assert span_text(src, cmd.option("--run-id").value) == "$RUN_ID"


def test_percent_and_format_strings():
    cmd = only('cmd = "python %s --environment=%s init --run-id %s --task-id params" % (flow, env, run_id)\n')
    assert cmd.subcommand == "init"
    assert cmd.option("--environment").value.pattern == HOLE
    cmd = only('cmd = "python {} --tag {} step start --run-id 1 --task-id 2".format(flow, tag)\n')
    assert cmd.subcommand == "step" and cmd.step_name.text == "start"


def test_shlex_split_and_join():
    cmd = only('argv = shlex.split("python flow.py --quiet step end --run-id 3 --task-id 4")\n')
    assert cmd.step_name.text == "end"
    cmd = only('line = shlex.join([sys.executable, "flow.py", "--quiet", "step", "end", "--task-id", "4"])\n')
    assert cmd.has_option("--task-id", side="sub")


def test_bash_template_with_heredoc_chains_and_placeholders():
    src = '''
        SCRIPT = """#!/bin/bash
        set -e
        export METAFLOW_HOME=/tmp/mf
        cd /work && python {flow_file} --quiet --datastore local \\\\
            step {step_name} --run-id "${{RUN_ID}}" --task-id {task_id} --retry-count "$ATTEMPT"
        python - <<'EOF'
        import subprocess
        subprocess.run(["python", "flow.py", "--quiet", "init", "--run-id", "r", "--task-id", "p"])
        EOF
        echo "the step finished"
        """
        '''
    found = commands(src)
    assert sorted(c.subcommand for c in found) == ["init", "step"]
    step = next(c for c in found if c.subcommand == "step")
    assert step.option("--datastore").value.text == "local"
    assert step.option("--retry-count", side="sub").value.kind == "value"
    assert span_text(src, step.subcommand_token) == "step"
    init = next(c for c in found if c.subcommand == "init")
    assert span_text(src, init.subcommand_token) == '"init"'


def test_generated_python_in_a_template_string():
    src = '''
        TEMPLATE = """
        import subprocess, sys
        FLOW_FILE = {flow_file!r}
        TOP_ARGS = {top_args!r}

        def run_step(step_name, run_id, task_id):
            cmd = [sys.executable, FLOW_FILE, "--metadata", "local"]
            if {branch!r}:
                cmd += ["--branch", {branch!r}]
            cmd += ["step", step_name, "--run-id", run_id, "--task-id", task_id]
            subprocess.run(cmd, check=True)
        """

        def render(flow_file, branch):
            return TEMPLATE.format(flow_file=flow_file, branch=branch, top_args=[])
        '''
    cmd = only(src)
    assert cmd.origin == "template"
    assert cmd.has_option("--branch", side="top")
    assert span_text(src, cmd.subcommand_token) == '"step"'
    assert isinstance(cmd.anchor, cst.SimpleString)


def test_template_placeholder_filled_by_a_helper_is_spliced():
    src = '''
        class Compiler:
            def _top(self):
                args = ['"--quiet"', '"--metadata=local"']
                if self.branch:
                    args.append('"--branch=%s"' % self.branch)
                return ", ".join(args)

            def _step(self, name):
                return ", ".join(['"step"', '"%s"' % name, '"--run-id"', 'run_id', '"--task-id"', 'task_id'])

            def script(self, node):
                return """
        cmd = [
            sys.executable, FLOW_FILE,
            %(top)s,
            %(step)s,
        ]
        subprocess.run(cmd)
        """ % {"top": self._top(), "step": self._step(node.name)}
        '''
    cmd = only(src)
    assert not cmd.unknown_before_subcommand
    assert cmd.option("--branch", side="top").value.pattern == HOLE
    assert cmd.option("--metadata").value.text == "local"


def test_list_of_generated_source_lines():
    cmd = only(
        """
        def init_lines():
            indent = "    "
            return [
                "init_cmd = [",
                indent + "sys.executable, FLOW_FILE,",
                indent + '"--datastore", DATASTORE_TYPE,',
                "]",
                "init_cmd += [",
                indent + '"init",',
                indent + '"--run-id", run_id,',
                indent + '"--task-id", param_task_id,',
                "]",
            ]
        """
    )
    assert cmd.subcommand == "init" and cmd.origin == "template"
    assert cmd.option("--datastore").value.kind == "value"


def test_cliargs_shape():
    cmd = only(
        """
        class _Args:
            def __init__(self, inp):
                self.entrypoint = [sys.executable, inp.flow_file]
                self.top_level_options = {"quiet": True, "metadata": inp.metadata, "branch": inp.branch}
                self.commands = ["step"]
                self.command_args = [inp.step_name]
                self.command_options = {"run-id": inp.run_id, "task-id": inp.task_id, "split-index": None}
        """
    )
    assert cmd.origin == "cliargs"
    assert [o.name for o in cmd.top_level] == ["--quiet", "--metadata", "--branch"]
    assert [o.name for o in cmd.sub_options] == ["--run-id", "--task-id"]


# ---- what is not a command ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        '# python flow.py --quiet step start --run-id 1\nx = 1\n',
        'def f():\n    """Runs python flow.py --quiet step start --run-id 1 for you."""\n',
        'HELP = "Inject a decorator on every step (repeatable), e.g. --with=sandbox."\n',
        'steps = ["step", "init", "end"]\n',
        'msg = "the step failed; retry with --retry-count 2"\n',
        'cmd = ["git", "step", "--run-id", "1"]\n',
    ],
)
def test_prose_comments_docstrings_and_unrelated_lists_are_not_commands(source):
    assert commands_for_source(source) == []


def test_file_without_candidates_does_no_work():
    source = "x = [1, 2, 3]\n"
    ctx = SourceFile("x.py", source, cst.parse_module(source))
    assert build_commands(ctx) == []
    assert commands_of(ctx) == []


def test_every_span_maps_into_the_file_even_for_source_nested_in_templates():
    # a list of generated source lines inside a template string inside this file: three levels deep
    src = '''
        OUTER = """
        def init_lines():
            indent = "    "
            return [
                "init_cmd = [",
                indent + "sys.executable, FLOW_FILE,",
                indent + '"--metadata", METADATA_TYPE,',
                "]",
                "init_cmd += [",
                indent + '"init", "--run-id", run_id, "--task-id", param_task_id,',
                "]",
            ]
        """
        '''
    cmd = only(src)
    assert cmd.subcommand == "init"
    for token in cmd.tokens:
        context(src).offsets(token.span)
    assert span_text(src, cmd.subcommand_token) == '"init"'


def test_prose_mentioning_a_subcommand_is_not_a_command():
    import libcst

    from mfok_lint.model.commands import build_commands
    from mfok_lint.syntax.source_file import SourceFile

    text = 'REASON = "step commands carry --environment conda; the live run needs micromamba"\n'
    ctx = SourceFile("suite.py", text, libcst.parse_module(text))
    assert build_commands(ctx) == []
    real = 'SCRIPT = "python flow.py --environment conda step start --run-id 1 --task-id 2 --input-paths x"\n'
    ctx = SourceFile("gen.py", real, libcst.parse_module(real))
    assert [c.subcommand for c in build_commands(ctx)] == ["step"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('cmd = ["python", "flow.py", "step", "start", "--run-id", run_id]\n', True),
        ('OPTS = {"run-id": 1}\nSUB = "init"\n', True),  # a dict key and a constant, in two literals
        ('cmd = f"{python} flow.py step {name} --task-id {t}"\n', True),
        ('TEMPLATE = b"python flow.py step x --with retry"\n', True),
        ("# run the step with --run-id\nx = 1\n", False),  # a comment
        ('"""Each step gets --run-id."""\ndef f():\n    """init with --metadata"""\n', False),  # docstrings
        ("def step(run):\n    return run.init('--x')\n", False),  # words as names, no option literal
        ("def step(:\n  '--run-id'\n", True),  # does not parse: the text test's answer stands
    ],
)
def test_the_prefilter_reads_string_literals_only(text, expected):
    assert may_build_commands(text) is expected
    assert may_build_commands(text.encode()) is expected
