"""Generated worker code in the shapes compilers write it: one builder call per line, lists of quoted-token
strings, lists spliced in with ``repr`` and programs nested inside generated programs."""

from __future__ import annotations

import textwrap

import libcst as cst

from mfok_lint.model.commands import commands_of
from mfok_lint.model.emitted_lines import emitted_texts, may_emit_lines
from mfok_lint.model.generated_code import code_strings
from mfok_lint.syntax.source_file import SourceFile


def context(source: str) -> SourceFile:
    source = textwrap.dedent(source)
    return SourceFile("x.py", source, cst.parse_module(source))


def texts(cmd):
    return [t.text if t.kind == "literal" else (t.pattern if t.kind == "value" else t.kind) for t in cmd.tokens]


def span_text(ctx, span):
    start, end = ctx.offsets(span)
    return ctx.text[start:end]


# ---- one builder call per line ---------------------------------------------------------------------------
EMITTER = '''
class _Writer:
    def __init__(self):
        self._out = []
        self._depth = 0

    def emit(self, line=""):
        self._out.append("    " * self._depth + line)

    def indent(self):
        self._depth += 1

    def dedent(self):
        self._depth -= 1


def write_runner(w, cfg):
    w.emit("def launch(step, run_id, task_id, paths, attempt=0):")
    w.indent()
    w.emit("argv = [")
    w.indent()
    w.emit("sys.executable, SCRIPT,")
    w.emit('"--metadata", META,')
    w.emit('"step", step,')
    w.emit('"--run-id", run_id,')
    w.emit('"--task-id", task_id,')
    w.emit('"--retry-count", str(attempt),')
    w.emit('"--input-paths", paths,')
    w.dedent()
    w.emit("]")
    if cfg.tags:
        w.emit("for t in TAGS:")
        w.indent()
        w.emit('argv += ["--tag", t]')
        w.dedent()
    else:
        w.emit("pass")
    w.emit("subprocess.run(argv, check=True, env=%r)" % cfg.env)
    w.dedent()
'''


def test_emitted_lines_are_one_generated_module():
    ctx = context(EMITTER)
    [sequence] = emitted_texts(ctx)
    assert sequence.receiver == "w"
    assert sequence.text.value.startswith("def launch(step, run_id, task_id, paths, attempt=0):\n    argv = [\n")
    assert "\n        \"--run-id\", run_id,\n" in sequence.text.value
    # of the if/else only the first branch is written: the text stays one program
    assert "    for t in TAGS:\n        argv += [\"--tag\", t]\n" in sequence.text.value
    assert "pass" not in sequence.text.value


def test_emitted_lines_build_a_command_anchored_at_the_subcommand_line():
    ctx = context(EMITTER)
    [cmd] = commands_of(ctx)
    assert cmd.subcommand == "step"
    assert texts(cmd)[2:9] == ["--metadata", "ǁ", "step", "ǁ", "--run-id", "ǁ", "--task-id"]
    assert cmd.has_option("--tag", side="sub")
    assert span_text(ctx, cmd.option("--retry-count").token.span) == '"--retry-count"'
    assert span_text(ctx, cmd.target) == "'\"step\", step,'"


def test_emitted_sequence_is_one_code_string_and_its_lines_are_not():
    ctx = context(EMITTER)
    units = code_strings(ctx)
    joined = [u for u in units if "argv = [" in u.code]
    assert len(joined) == 1 and "subprocess.run(argv" in joined[0].code
    assert not any(u.code.strip() == '"--run-id", run_id,' for u in units)
    start = joined[0].code.index("subprocess.run")
    assert span_text(ctx, joined[0].span(start, start + len("subprocess.run"))) == "subprocess.run"


def test_lines_appended_to_a_list_and_text_added_with_plus_equals():
    ctx = context(
        '''
        def render(step_names):
            lines = []
            lines.append("import subprocess, sys")
            lines.append("def main(run_id):")
            lines.append("    subprocess.run([sys.executable, FLOW, '--quiet', 'step', 'train',")
            lines.append("        '--run-id', run_id, '--task-id', '1'], check=True)")
            return "\\n".join(lines)


        def render_sh(flow):
            sh = "#!/bin/bash\\n"
            sh += "set -e\\n"
            sh += f"python {flow} --no-pylint init --run-id $RUN --task-id params\\n"
            sh += "echo done\\n"
            return sh
        '''
    )
    assert sorted(c.subcommand for c in commands_of(ctx)) == ["init", "step"]
    step = next(c for c in commands_of(ctx) if c.subcommand == "step")
    assert step.has_option("--run-id") and step.has_option("--quiet", side="top")


def test_argv_lists_grown_one_token_a_call_are_not_lines():
    ctx = context(
        '''
        def build(step, run_id):
            cmd = ["python", "flow.py"]
            cmd.append("--no-pylint")
            cmd.append("step")
            cmd.append(step)
            cmd.append("--run-id")
            cmd.append(run_id)
            return cmd
        '''
    )
    assert emitted_texts(ctx) == []
    [cmd] = commands_of(ctx)
    assert cmd.origin == "list"


def test_the_text_test_needs_several_builder_calls():
    assert not may_emit_lines('cb.emit("x = 1")\ncb.emit("y = 2")\n')
    assert may_emit_lines(b'cb.emit("a")\ncb.emit("b")\ncb.emit(f"c")\nout += "d\\n"\n')


# ---- lists of quoted-token strings -----------------------------------------------------------------------
QUOTED_TOKENS = '''
def step_script(self, name):
    head = [
        '"--no-pylint"',
        '"--metadata=local"',
    ]
    for label in self.labels:
        head.append('"--tag=%s"' % label)
    tail = ['"step"', '"%s"' % name, '"--run-id"', "run_id", '"--task-id"', "task_id"]
    tail += ['"--retry-count"', "str(attempt)"]
    body = """\\
import subprocess, sys
cmd = [
    sys.executable, FLOW_FILE,
    %(head)s,
    %(tail)s,
]
subprocess.run(cmd, check=True)
""" % {"head": ", ".join(head), "tail": ", ".join(tail)}
    return body
'''


def test_quoted_token_lists_grown_by_append_fill_the_template():
    ctx = context(QUOTED_TOKENS)
    steps = [c for c in commands_of(ctx) if c.origin == "template"]
    assert len(steps) == 1
    cmd = steps[0]
    assert [o.name for o in cmd.top_level] == ["--no-pylint", "--metadata", "--tag"]
    assert cmd.has_option("--retry-count", side="sub")
    tag = cmd.option("--tag").token
    assert tag.condition is not None  # appended in a loop
    assert span_text(ctx, tag.span) == "'\"--tag=%s\"' % label"


def test_a_list_element_holding_several_elements_is_read_as_them():
    ctx = context(
        '''
        def init_script(params):
            pieces = []
            for p in params:
                pieces.append('    "--%s", str(values["%s"]),' % (p, p))
            return """\\
        cmd = [
            sys.executable, FLOW_FILE, "--no-pylint", "init", "--run-id", run_id, "--task-id", "params",
        %(param_args)s
        ]
        """ % {"param_args": "\\n".join(pieces)}
        '''
    )
    [cmd] = [c for c in commands_of(ctx) if c.subcommand == "init"]
    assert texts(cmd)[-2:] == ["--ǁ", "ǁ"]


# ---- lists spliced in with repr --------------------------------------------------------------------------
REPR_SPLICED = '''
_HEADER = """
import subprocess, sys

def _launch(ctx, step_name, run_id, task_id, paths, attempt=0, more_args=None):
    cmd = [sys.executable, FLOW_FILE, "--quiet", "step", step_name,
           "--run-id", run_id, "--task-id", task_id, "--retry-count", str(attempt),
           "--input-paths", paths]
    if more_args:
        cmd.extend(more_args)
    subprocess.run(cmd, check=True)
"""


class Compiler:
    def _more_args(self):
        args = []
        for label in self.labels:
            args += ["--tag", label]
        for deco in self.decorators:
            args += [f"--with={deco}"]
        return repr(args)

    def _render_op(self, node):
        extra = self._more_args()
        return f"""
def op_{node.name}(ctx, upstream):
    _launch(ctx, {node.name!r}, RUN, "1", upstream,
        attempt=ctx.retry_number, more_args={extra})
"""
'''


def test_repr_of_a_list_fills_the_generated_functions_parameter():
    ctx = context(REPR_SPLICED)
    filled = [c for c in commands_of(ctx) if c.has_option("--with")]
    assert len(filled) == 1
    cmd = filled[0]
    assert [o.name for o in cmd.sub_options][-2:] == ["--tag", "--with"]
    assert span_text(ctx, cmd.option("--with").token.span) == 'f"--with={deco}"'
    assert not cmd.unknown_after_subcommand


def test_a_parameter_no_template_fills_stays_unknown():
    ctx = context(REPR_SPLICED.replace("more_args={extra}", "more_args=None"))
    [cmd] = commands_of(ctx)
    assert cmd.unknown_after_subcommand and not cmd.has_option("--with")


# ---- programs inside generated programs ------------------------------------------------------------------
NESTED = """
def foreach_block(step_name):
    return (
        '    _res = subprocess.run(\\n'
        '        [sys.executable, "-c", r\\"\\"\\"\\n'
        'import gzip, pickle, sys\\n'
        '_blob = open(sys.argv[1], "rb").read()\\n'
        'print(pickle.loads(gzip.decompress(_blob)))\\n'
        '\\"\\"\\", blob_path],\\n'
        '        capture_output=True, text=True)\\n'
        '    print("step %s", _res.stdout)\\n'
    ) % step_name
"""


def test_a_python_c_program_is_its_own_unit_and_blank_in_its_holder():
    ctx = context(NESTED)
    units = code_strings(ctx)
    assert len(units) == 2
    outer, inner = units
    assert "pickle" not in outer.code and "subprocess.run(" in outer.code
    assert inner.code.strip().startswith("import gzip, pickle, sys")
    start = inner.code.index("pickle.loads")
    assert span_text(ctx, inner.span(start, start + len("pickle.loads"))) == "pickle.loads"


def test_shell_python_c_programs_and_one_word_arguments():
    ctx = context(
        '''
        SCRIPT = """
        python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["n"])' out.json
        bash -c true
        """
        '''
    )
    units = code_strings(ctx)
    assert [u.code.strip() for u in units[1:]] == ['import json, sys; print(json.load(open(sys.argv[1]))["n"])']
