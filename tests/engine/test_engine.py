"""The engine on its own: prefilter, batched traversal, noqa, fixes, overlap, convergence, atomic writes.

Rules here are small real Rule subclasses written for the test, driven through the real engine.
"""

import os
import stat
from dataclasses import replace

import libcst as cst
import pytest

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.core.settings import Settings
from mfok_lint.lint import check, fixes
from mfok_lint.prefilter import Text
from mfok_lint.rules import all_rules
from mfok_lint.rules.base import Rule
from mfok_lint.rules.registry import ALWAYS, NEVER, PYTHON, SAFE, STABLE, RuleRow
from mfok_lint.run import runner


class NameIsFoo(Rule):
    """Reports every Name `foo`; safe fix renames it to `bar`."""

    # borrows a registered code so noqa parsing treats it as known
    row = RuleRow("MFO900", "test-name-is-foo", PYTHON, STABLE, ALWAYS, SAFE, (), "name is foo")
    needs = frozenset({cst.Name})
    triggers = Text(b"foo")

    def __init__(self, applicability=Applicability.SAFE, replacement="bar"):
        self.applicability = applicability
        self.replacement = replacement
        self.visited = 0

    def check(self, ctx):
        for node in ctx.nodes(cst.Name):
            self.visited += 1
            if node.value == "foo":
                fix = ctx.make_fix(self.applicability, "rename", [ctx.edit(node, self.replacement)])
                ctx.report(node, fix=fix)


class Exploding(Rule):
    row = RuleRow("MFO002", "test-exploding", PYTHON, STABLE, NEVER, None, (), "never")

    def check(self, ctx):
        raise ValueError("boom")


def test_prefilter_skips_files_without_triggers():
    rule = NameIsFoo()
    assert check.check_source("x = 1\n", "a.py", [rule]) == []
    assert rule.visited == 0
    diags = check.check_source("foo = 1\n", "a.py", [rule])
    assert [(d.code, d.location.row, d.location.column, d.end_location.column) for d in diags] == [("MFO900", 1, 1, 4)]
    assert rule.visited > 0


def test_diagnostics_sorted_and_positions_are_characters():
    rule = NameIsFoo()
    text = "s = 'é'; foo = 1\nfoo\n"
    diags = check.check_source(text, "a.py", [rule])
    assert [(d.location.row, d.location.column) for d in diags] == [(1, 10), (2, 1)]


def test_noqa_suppresses_and_marks_used():
    rules = [NameIsFoo(), all_rules()["MFO901"], all_rules()["MFO902"]]
    text = "foo = 1  # noqa: MFO900\nx = 2  # noqa: MFO900\nfoo  # noqa: E501\n"
    diags = check.check_source(text, "a.py", rules)
    assert [(d.code, d.location.row) for d in diags] == [("MFO901", 2), ("MFO900", 3)]


def test_blanket_noqa_and_file_level():
    rule = NameIsFoo()
    assert check.check_source("foo  # noqa\n", "a.py", [rule]) == []
    assert check.check_source("# mfok-lint: noqa: MFO900\nfoo\n", "a.py", [rule]) == []
    assert check.check_source("# mfok-lint: noqa\nfoo\n", "a.py", [rule]) == []
    assert len(check.check_source("# mfok-lint: noqa: MFO002\nfoo\n", "a.py", [rule])) == 1


def test_bare_prefix_noqa_is_invalid_and_suppresses_nothing():
    rules = [NameIsFoo(), all_rules()["MFO902"]]
    diags = check.check_source("foo = 1  # noqa: MFO\n", "a.py", rules)
    assert sorted(d.code for d in diags) == ["MFO900", "MFO902"]
    assert "blanket" in [d for d in diags if d.code == "MFO902"][0].message


def test_noqa_in_string_is_not_a_directive():
    rules = [NameIsFoo()]
    diags = check.check_source("foo = '# noqa: MFO900'\n", "a.py", rules)
    assert len(diags) == 1


def test_noqa_row_for_multiline_string():
    class InString(Rule):
        row = RuleRow("MFO003", "t", PYTHON, STABLE, NEVER, None, (), "m")

        def check(self, ctx):
            start = ctx.text.index("step")
            ctx.report((start, start + 4))

    text = 'cmd = """\npython flow.py step start\n"""  # noqa: MFO003\n'
    assert check.check_source(text, "a.py", [InString()]) == []
    diags = check.check_source(text.replace("  # noqa: MFO003", ""), "a.py", [InString()])
    assert diags[0].location.row == 2 and diags[0].noqa_row == 3


def test_internal_error_is_recorded_not_raised():
    errors = []
    diags = check.check_source("foo = 1\n", "a.py", [NameIsFoo(), Exploding()], internal_errors=errors)
    assert len(diags) == 1
    assert len(errors) == 1 and "MFO002" in errors[0].message and "boom" in errors[0].message


def test_syntax_error_reported_as_finding():
    rules = [NameIsFoo(), all_rules()["MFO900"]]
    diags = check.check_source("foo = (\n", "a.py", rules)
    assert [d.code for d in diags] == ["MFO900"]
    # files no rule wants are still syntax-checked, cheaply
    diags = check.check_source("x = (\n", "a.py", [all_rules()["MFO900"]])
    assert [d.code for d in diags] == ["MFO900"]


def test_fix_loop_applies_safe_only_by_default():
    unsafe = NameIsFoo(Applicability.UNSAFE)
    out = fixes.fix_source("foo = foo\n", "a.py", [unsafe])
    assert out.text == "foo = foo\n" and not out.fixed
    out = fixes.fix_source("foo = foo\n", "a.py", [unsafe], unsafe=True)
    assert out.text == "bar = bar\n" and out.fixed["MFO900"] == 2 and out.diagnostics == []
    display = NameIsFoo(Applicability.DISPLAY_ONLY)
    assert fixes.fix_source("foo\n", "a.py", [display], unsafe=True).text == "foo\n"


def test_fix_that_breaks_syntax_is_dropped_and_reported():
    broken = NameIsFoo(replacement="bar(")
    out = fixes.fix_source("foo = 1\n", "a.py", [broken])
    assert out.text == "foo = 1\n"
    assert any("does not parse" in e for e in out.errors)
    assert [d.code for d in out.diagnostics] == ["MFO900"]


def test_fix_that_never_converges_is_reported():
    loop = NameIsFoo(replacement="foo")  # "fixes" foo into foo forever
    out = fixes.fix_source("foo\n", "a.py", [loop])
    assert any("did not converge" in e for e in out.errors)


def test_overlapping_edits_first_wins():
    from mfok_lint.core.diagnostics import Diagnostic, Edit, Fix, Location

    def diag(start, end, content):
        fix = Fix(Applicability.SAFE, "m", (Edit(start, end, content),))
        return Diagnostic("MFO900", "m", "a.py", Location(1, 1), Location(1, 1), fix=fix)

    chosen = fixes.select_non_overlapping([diag(0, 5, "a"), diag(3, 8, "b"), diag(8, 9, "c")])
    assert [d.fix.edits[0].content for d in chosen] == ["a", "c"]


def test_unused_noqa_fix_removes_code_or_directive():
    rules = [NameIsFoo(), all_rules()["MFO901"]]
    out = fixes.fix_source("x = 1  # noqa: MFO900\n", "a.py", rules)
    assert out.text == "x = 1\n"
    out = fixes.fix_source("x = 1  # noqa: E501, MFO900\n", "a.py", rules)
    assert out.text == "x = 1  # noqa: E501\n"
    assert fixes.fix_source(out.text, "a.py", rules).text == out.text


def test_process_file_writes_atomically_and_keeps_mode(tmp_path):
    target = tmp_path / "mod.py"
    target.write_bytes(b"\xef\xbb\xbffoo = 1\r\nprint(foo)\r\n")
    os.chmod(target, 0o751)
    settings = Settings()
    result = runner.process_file(str(target), replace(settings, fix=True), [NameIsFoo()])
    assert result.fixed["MFO900"] == 2
    assert target.read_bytes() == b"\xef\xbb\xbfbar = 1\r\nprint(bar)\r\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir()] == ["mod.py"]  # no temp file left behind


def test_process_file_does_not_overwrite_a_file_changed_on_disk(tmp_path):
    target = tmp_path / "mod.py"
    target.write_text("foo = 1\n")
    original_write = runner.write_atomic

    def racing_write(path, data, expected=None):
        with open(path, "w") as handle:  # another process edits the file between read and write
            handle.write("foo = 2  # edited elsewhere\n")
        return original_write(path, data, expected)

    runner.write_atomic = racing_write
    try:
        result = runner.process_file(str(target), Settings(fix=True), [NameIsFoo()])
    finally:
        runner.write_atomic = original_write
    assert target.read_text() == "foo = 2  # edited elsewhere\n"
    assert any("changed on disk" in e for e in result.errors)


def test_diff_mode_writes_nothing(tmp_path):
    target = tmp_path / "mod.py"
    target.write_text("foo = 1\n")
    result = runner.process_file(str(target), Settings(fix=True, diff=True), [NameIsFoo()])
    assert result.changed and result.source == "bar = 1\n"
    assert target.read_text() == "foo = 1\n"


@pytest.mark.parametrize(
    "raw, expect",
    [
        (b"x = '\xff'\n", "not valid UTF-8"),
        (b"x = 1\x00\n", "NUL byte"),
    ],
)
def test_bad_bytes_become_mfo900(tmp_path, raw, expect):
    target = tmp_path / "bad.py"
    target.write_bytes(raw)
    result = runner.process_file(str(target), Settings(), [all_rules()["MFO900"]])
    assert [d.code for d in result.diagnostics] == ["MFO900"]
    assert expect in result.diagnostics[0].message


def test_a_nul_byte_is_worded_the_same_from_a_file_and_from_text(tmp_path):
    """The runner screens files for NUL bytes before the engine; text handed to the engine directly (stdin, the
    flake8 plugin) gets the same finding."""
    raw = "x = 1\ny = '\x00'\n"
    target = tmp_path / "bad.py"
    target.write_text(raw)
    from_file = runner.process_file(str(target), Settings(), [all_rules()["MFO900"]]).diagnostics
    from_text = check.check_source(raw, str(target), [all_rules()["MFO900"]])
    assert [(d.message, d.location.row, d.location.column) for d in from_text] == [
        (d.message, d.location.row, d.location.column) for d in from_file
    ] == [("File contains a NUL byte and cannot be parsed", 2, 1)]


def test_unreadable_path_is_a_one_line_error(tmp_path):
    result = runner.process_file(str(tmp_path / "missing.py"), Settings(), [NameIsFoo()])
    assert len(result.errors) == 1 and "cannot read" in result.errors[0]
    (tmp_path / "dir.py").mkdir()
    result = runner.process_file(str(tmp_path / "dir.py"), Settings(), [NameIsFoo()])
    assert result.errors == [f"{tmp_path / 'dir.py'}: is a directory"]


def test_add_noqa_then_clean():
    from mfok_lint.lint import noqa

    text = "foo = 1\nx = foo  # noqa: E501\n"
    diags = check.check_source(text, "a.py", [NameIsFoo()])
    new, added = noqa.add_noqa(text, diags)
    assert new == "foo = 1  # noqa: MFO900\nx = foo  # noqa: E501, MFO900\n" and added == 2
    assert check.check_source(new, "a.py", [NameIsFoo(), all_rules()["MFO901"]]) == []


def test_per_file_ignores_with_negation(tmp_path):
    from mfok_lint.rules.selection import ignored_codes_for

    rules = list(all_rules().values())
    settings = Settings(per_file_ignores={"tests/*.py": ["MFO9"], "!src/**/*.py": ["MFO900"]}, project_root=str(tmp_path))
    assert "MFO901" in ignored_codes_for(str(tmp_path / "tests" / "t.py"), settings, rules)
    assert "MFO900" in ignored_codes_for(str(tmp_path / "tests" / "t.py"), settings, rules)
    assert ignored_codes_for(str(tmp_path / "src" / "a" / "m.py"), settings, rules) == frozenset()


def test_linter_does_not_import_metaflow_or_pytest_and_astroid_only_on_demand():
    import subprocess
    import sys

    code = (
        "import sys; from mfok_lint.lint.check import lint_text; from mfok_lint.rules import all_rules; all_rules();"
        "lint_text('import subprocess\\nsubprocess.run([\"python\", \"f.py\", \"step\", \"start\"])\\n');"
        "lint_text('from .config import X\\nN = 0\\ndef f(s):\\n    return [\"f.py\", \"step\", s, \"--run-id\", \"1\","
        " \"--retry-count\", str(N)]\\n');"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('metaflow', 'pytest', 'astroid')]; print(bad);"
        " sys.exit(bool(bad))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_contract_rules_skip_test_files():
    rule = NameIsFoo()
    for path in ("tests/test_compiler.py", "pkg/tests/helpers.py", "conftest.py", "pkg/compiler_test.py"):
        assert check.check_source("foo = 1\n", path, [rule]) == [], path
    assert len(check.check_source("foo = 1\n", "pkg/testing_utils.py", [rule])) == 1


def test_compiler_warnings_about_the_linted_code_are_not_errors(tmp_path):
    """Under ``PYTHONWARNINGS=error`` (common in CI) ``"\\d"`` or ``1()`` must not make a valid file a syntax error."""
    import subprocess
    import sys

    (tmp_path / "warns.py").write_text('pattern = "\\d+"\nvalue = 1() if False else 0\n')
    code = (
        "import sys; from mfok_lint.cli.main import main\n"
        "main(['check', '--isolated', '--no-cache', '--output-format', 'concise', sys.argv[1]])\n"
    )
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "warns.py")], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "MFO900" not in proc.stdout and proc.stderr == ""


def test_the_collector_thresholds_are_raised_for_a_lint_and_restored_after_it():
    import gc

    seen = []

    class Records(Rule):
        row = RuleRow("MFO003", "t", PYTHON, STABLE, NEVER, None, (), "m")

        def check(self, ctx):
            seen.append(gc.get_threshold())

    before = gc.get_threshold()
    assert before != check.LINT_GC_THRESHOLDS
    check.check_source("x = 1\n", "a.py", [Records()])
    assert seen == [check.LINT_GC_THRESHOLDS]
    assert gc.get_threshold() == before
    with pytest.raises(ZeroDivisionError):
        with check.collector_tuned_for_lint():
            1 / 0
    assert gc.get_threshold() == before


class ReadsAst(Rule):
    """Reports the first function definition it finds on CPython's tree; needs nothing else."""

    row = RuleRow("MFO003", "test-reads-ast", PYTHON, STABLE, NEVER, None, (), "a function")
    needs = frozenset({"ast"})

    def check(self, ctx):
        import ast

        for node in ast.walk(ctx.ast):
            if isinstance(node, ast.FunctionDef):
                ctx.report((ctx.locator.offset(node.lineno, 1), ctx.locator.offset(node.lineno, 4)))
                return


def test_a_rule_that_needs_only_the_ast_gets_no_libcst_parse(monkeypatch):
    from mfok_lint.syntax import cstparse

    parsed = []
    real = cstparse.parse_module
    monkeypatch.setattr(cstparse, "parse_module", lambda text: parsed.append(text) or real(text))
    found = check.check_source("x = 1\ndef f():\n    pass\n", "a.py", [ReadsAst()])
    assert [(d.code, d.location.row) for d in found] == [("MFO003", 2)]
    assert parsed == []
    check.check_source("foo = 1\n", "a.py", [NameIsFoo()])  # a rule that needs libcst's tree gets it
    assert parsed == ["foo = 1\n"]


def test_a_rule_reading_nodes_it_did_not_declare_is_an_internal_error():
    class Undeclared(Rule):
        row = RuleRow("MFO002", "test-undeclared", PYTHON, STABLE, NEVER, None, (), "m")
        needs = frozenset({cst.Name})

        def check(self, ctx):
            ctx.nodes(cst.Call)

    errors = []
    assert check.check_source("f(x)\n", "a.py", [Undeclared()], internal_errors=errors) == []
    assert len(errors) == 1 and "reads Call nodes without declaring them in needs" in errors[0].message


def test_one_walk_collects_the_nodes_of_every_rule(monkeypatch):
    from mfok_lint.syntax.node_index import NodeIndex

    walks = []
    original = NodeIndex.__init__

    def counting(self, classes):
        walks.append(frozenset(classes))
        original(self, classes)

    monkeypatch.setattr(NodeIndex, "__init__", counting)

    class ReadsCalls(Rule):
        row = RuleRow("MFO002", "test-reads-calls", PYTHON, STABLE, NEVER, None, (), "a call")
        needs = frozenset({cst.Call})

        def check(self, ctx):
            for call in ctx.nodes(cst.Call):
                ctx.report(call)

    found = check.check_source("foo(1)\n", "a.py", [NameIsFoo(), ReadsCalls()])
    assert sorted(d.code for d in found) == ["MFO002", "MFO900"]
    assert walks == [frozenset({cst.Name, cst.Call})]
