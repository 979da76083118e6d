"""Shared checks for rule fixes: parse, idempotence, the finding gone, nothing changed outside the edits."""

from __future__ import annotations

import libcst

from mfok_lint.lint.check import lint_text
from mfok_lint.lint.fixes import apply_edits, fix_text


def apply_one(text: str, diagnostic) -> str:
    assert diagnostic.fix is not None, f"no fix offered for: {diagnostic.message}"
    fixed = apply_edits(text, diagnostic.fix.edits)
    start, end = diagnostic.fix.span
    # Nothing outside the edited span moved: the untouched prefix and suffix are byte-identical.
    assert fixed[:start] == text[:start]
    assert fixed[len(fixed) - (len(text) - end):] == text[end:]
    return fixed


def assert_fix_converges(text: str, code: str, path: str, unsafe: bool = False) -> str:
    """Fix everything the rule offers; the result parses, re-lints clean, and a second pass is a no-op."""
    outcome = fix_text(text, path, select=[code], unsafe_fixes=unsafe)
    assert not outcome.errors, outcome.errors
    libcst.parse_module(outcome.text)
    assert outcome.text != text
    assert [d for d in lint_text(outcome.text, path=path, select=[code]) if d.code == code] == []
    again = fix_text(outcome.text, path, select=[code], unsafe_fixes=unsafe)
    assert again.text == outcome.text
    return outcome.text
