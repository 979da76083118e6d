"""full, concise, grouped and pylint against real ruff output for the same findings."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from output_support import diagnostics_from_ruff_json, fixed_counts, ruff

from mfok_lint.cli.report import render
from mfok_lint.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Location

TEXT_FORMATS = ["full", "concise", "grouped", "pylint"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("unsafe_fixes", [False, True])
def test_text_format_is_byte_identical_to_ruff(in_sample, fmt, unsafe_fixes):
    flags = ["--unsafe-fixes"] if unsafe_fixes else []
    expected = in_sample.ruff("--output-format", fmt, *flags)
    ours = render(fmt, in_sample.diagnostics, sources=in_sample.sources, rules={}, unsafe_fixes=unsafe_fixes)
    assert ours == expected
    if fmt == "full":
        # The sample reaches the renderer's harder paths: clipped long lines, multi-hunk diffs.
        assert "…" in expected and "\n" + "-" * 80 + "\n" in expected and "|_" in expected


@pytest.mark.parametrize("fmt", ["concise", "grouped"])
def test_colored_line_formats_match_ruff_escape_for_escape(in_sample, fmt):
    expected = in_sample.ruff("--output-format", fmt, env_extra={"FORCE_COLOR": "1"})
    assert "\x1b[" in expected
    ours = render(fmt, in_sample.diagnostics, sources=in_sample.sources, rules={}, color=True)
    assert ours == expected


def _outside_fix_diffs(text: str) -> list:
    """Lines of full output except those of the fix diffs (ruff adds intra-line emphasis there).

    Ruff's coloured diff lines end their colour after the newline, so lines are split on the plain
    text's line boundaries and the escapes kept.
    """
    kept, in_diff = [], False
    for raw in re.split(r"\n(?!\x1b\[0m)", text):
        plain = ANSI.sub("", raw)
        if plain.startswith("help: "):
            kept.append(raw)
            in_diff = True
            continue
        if plain.startswith("note: ") or plain == "":
            in_diff = False
        if not in_diff:
            kept.append(raw)
    return kept


def test_colored_full_matches_ruff_outside_the_diff(in_sample):
    expected = in_sample.ruff("--output-format", "full", env_extra={"FORCE_COLOR": "1"})
    ours = render("full", in_sample.diagnostics, sources=in_sample.sources, rules={}, color=True)
    assert ANSI.sub("", ours) == in_sample.ruff("--output-format", "full")
    ours_kept, expected_kept = _outside_fix_diffs(ours), _outside_fix_diffs(expected)
    assert any("\x1b[1m\x1b[94m-->" in line for line in expected_kept)
    assert len(expected_kept) > 100
    assert ours_kept == expected_kept


def test_without_color_there_are_no_escapes(in_sample):
    for fmt in TEXT_FORMATS:
        assert "\x1b" not in render(fmt, in_sample.diagnostics, sources=in_sample.sources, rules={})


def test_show_fixes_summary_matches_ruff_after_fix(ruff_sample, tmp_path, monkeypatch):
    shutil.copytree(ruff_sample.root, tmp_path / "fixed")
    root = tmp_path / "fixed"
    expected = ruff("--fix", "--show-fixes", "--output-format", "concise", *ruff_sample.files, cwd=root)
    remaining_json = json.loads(ruff("--output-format", "json", *ruff_sample.files, cwd=root))
    fixed_sources = {rel: (root / rel).read_text() for rel in ruff_sample.files}
    remaining = diagnostics_from_ruff_json(remaining_json, root, fixed_sources)
    monkeypatch.chdir(root)

    ours = render(
        "concise",
        remaining,
        sources=fixed_sources,
        rules=_rules_named_like_ruff(ruff_sample.diagnostics),
        show_fixes=True,
        fixed=fixed_counts(ruff_sample.diagnostics),
    )
    assert "Fixed " in expected and "remaining)." in expected
    assert ours == expected


def _rules_named_like_ruff(diagnostics):
    class Named:
        def __init__(self, name):
            self.name = name

    return {d.code: Named(d.name) for d in diagnostics}


def test_fixed_counts_may_be_plain_numbers_per_file(in_sample):
    out = render("concise", [], sources={}, rules={}, show_fixes=True, fixed={"a.py": 2, "c.py": 1})
    assert (
        out
        == "\nFixed 3 errors:\n- a.py:\n    2 fixes\n- c.py:\n    1 fix\n\nFound 3 errors (3 fixed, 0 remaining).\n"
    )
    # Without --show-fixes only the count survives, exactly as ruff words it.
    assert (
        render("concise", [], sources={}, rules={}, fixed={"a.py": 2})
        == "Found 2 errors (2 fixed, 0 remaining).\n"
    )


@pytest.mark.parametrize("fmt", ["full", "concise", "grouped"])
def test_no_findings_prints_all_checks_passed_like_ruff(ruff_sample, tmp_path, monkeypatch, fmt):
    (tmp_path / "clean.py").write_text("x = 1\n")
    expected = ruff("--output-format", fmt, "clean.py", cwd=tmp_path)
    monkeypatch.chdir(tmp_path)
    assert render(fmt, [], sources={}, rules={}) == expected == "All checks passed!\n"
    assert render(fmt, [], sources={}, rules={}, color=True) == "\x1b[1;32mAll checks passed!\x1b[0m\n"


def _finding(path, row, col, end_col, fix=None, code="MFO001", message="step command lacks --branch"):
    return Diagnostic(code, message, path, Location(row, col), Location(row, end_col), fix=fix)


def test_display_only_fix_is_shown_but_never_counted_as_fixable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = "cmd = ['step', name]\n"
    fix = Fix(Applicability.DISPLAY_ONLY, "Pass the raw branch", (Edit(7, 13, "'step', '--branch', b"),))
    diag = _finding("flow_ext.py", 1, 8, 14, fix)
    full = render("full", [diag], sources={"flow_ext.py": text}, rules={}, unsafe_fixes=True)
    assert full.splitlines()[0] == "MFO001 step command lacks --branch"  # no [*], even with --unsafe-fixes
    assert "help: Pass the raw branch" in full
    assert "1 + cmd = ['step', '--branch', b, name]" in full
    assert "note: This is a display-only fix and is likely to be incorrect" in full
    assert full.endswith("Found 1 error.\n")
    concise = render("concise", [diag], sources={}, rules={})
    assert concise == "flow_ext.py:1:8: MFO001 step command lacks --branch\nFound 1 error.\n"


def test_hidden_unsafe_fix_hint_and_plurals(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    unsafe = Fix(Applicability.UNSAFE, "Use the raw branch", (Edit(0, 1, "y"),))
    safe = Fix(Applicability.SAFE, "Add --branch", (Edit(0, 1, "z"),))
    two_unsafe = [_finding("a.py", 1, 1, 2, unsafe), _finding("a.py", 2, 1, 2, unsafe)]
    assert render("concise", two_unsafe, sources={}, rules={}).splitlines()[-2:] == [
        "Found 2 errors.",
        "2 unsafe fixes available with `--fix --unsafe-fixes`.",
    ]
    mixed = two_unsafe + [_finding("a.py", 3, 1, 2, safe)]
    assert render("concise", mixed, sources={}, rules={}).splitlines()[-1] == (
        "[*] 1 fixable with `--fix` (2 unsafe fixes available with `--fix --unsafe-fixes`)."
    )
    assert render("concise", mixed, sources={}, rules={}, unsafe_fixes=True).splitlines()[-1] == (
        "[*] 3 fixable with `--fix`."
    )


def test_paths_relative_under_cwd_absolute_outside(tmp_path, monkeypatch):
    inside = tmp_path / "proj"
    inside.mkdir()
    monkeypatch.chdir(inside)
    outside = str(tmp_path / "elsewhere" / "ext.py")
    findings = [_finding(str(inside / "pkg" / "ext.py"), 3, 5, 9), _finding(outside, 1, 1, 2)]
    lines = render("pylint", findings, sources={}, rules={}).splitlines()
    assert lines == [
        f"{outside}:1: [MFO001] step command lacks --branch",
        "pkg/ext.py:3: [MFO001] step command lacks --branch",
    ]


def test_full_without_source_text_still_names_the_location(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = render("full", [_finding("gone.py", 4, 2, 6)], sources={}, rules={})
    assert out == "MFO001 step command lacks --branch\n --> gone.py:4:2\n\nFound 1 error.\n"


def test_full_snippet_aligns_carets_under_tabs_and_wide_characters(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = "\tname = '名前'; run(name)\n"
    col = text.index("run") + 1
    out = render("full", [_finding("w.py", 1, col, col + 3)], sources={"w.py": text}, rules={})
    source_line, caret_line = out.splitlines()[3:5]
    assert source_line == "1 |     name = '名前'; run(name)"
    # Tab = 4 columns, each CJK character = 2: the carets sit exactly under "run".
    assert caret_line == "  |" + " " * (1 + 4 + len("name = '") + 4 + len("'; ")) + "^^^"
