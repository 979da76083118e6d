"""What several formats share: path display, ordering, fixability, colour, edit positions, the summary.

Design decisions:
- Diagnostics are ordered like ruff orders them: by absolute file name, then row, column and code, so the
  output does not depend on the order the engine produced them in.
- Text formats print a path relative to the working directory when the file lies under it and the
  absolute path otherwise (ruff's rule); machine formats decide for themselves.
- A fix counts as fixable (``[*]``, the summary's count) only when ``--fix`` would apply it: safe fixes
  always, unsafe ones only with ``--unsafe-fixes``, display-only fixes never.
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, List, Mapping, Optional, Tuple, Union

from mfok_lint.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Locator

# ANSI styles, named by what they mark; the escape sequences are ruff's own, so coloured output matches
# it byte for byte where that is practical (the fix diff's intra-line emphasis is left out).
_STYLES = {
    "bold": "\x1b[1m",
    "success": "\x1b[1;32m",
    "path": "\x1b[1m",
    "grouped_path": "\x1b[4m",
    "separator": "\x1b[36m",
    "code": "\x1b[1m\x1b[31m",
    "fixed_code": "\x1b[1;31m",
    "star": "\x1b[36m",
    "full_code": "\x1b[1m\x1b[91m",
    "full_star": "\x1b[1m\x1b[96m",
    "gutter": "\x1b[1m\x1b[94m",
    "caret": "\x1b[1m\x1b[91m",
    "help": "\x1b[1m\x1b[96m",
    "note": "\x1b[1m\x1b[33m",
    "removed_marker": "\x1b[1m\x1b[31m",
    "removed": "\x1b[31m",
    "added_marker": "\x1b[1m\x1b[32m",
    "added": "\x1b[32m",
}
RESET = "\x1b[0m"

#: Ruff's current wording; the CLI accepts the same flags, so the hints can name them verbatim.
FIX_FLAG = "`--fix`"
UNSAFE_FLAGS = "`--fix --unsafe-fixes`"

FixedCounts = Mapping[str, Union[int, Mapping[str, int]]]


def paint(text: str, style: str, color: bool) -> str:
    if not color or not text:
        return text
    return _STYLES[style] + text + RESET


def absolute_path(path: str) -> str:
    return os.path.abspath(path)


def display_path(path: str, base: Optional[str] = None) -> str:
    """Relative to ``base`` (default: the working directory) when inside it, else absolute."""
    absolute = os.path.abspath(path)
    root = os.path.abspath(base if base is not None else os.getcwd())
    try:
        rel = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        return absolute
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return absolute
    return rel


def ordered(diagnostics: Iterable[Diagnostic]) -> List[Diagnostic]:
    return sorted(
        diagnostics,
        key=lambda d: (absolute_path(d.path), d.location.row, d.location.column, d.code),
    )


def is_applicable(fix: Optional[Fix], unsafe_fixes: bool) -> bool:
    if fix is None:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return fix.applicability is Applicability.UNSAFE and unsafe_fixes


def fix_marker(diagnostic: Diagnostic, unsafe_fixes: bool, color: bool, star: str = "star") -> str:
    """``"[*] "`` when ``--fix`` would fix this finding, else ``""``."""
    if not is_applicable(diagnostic.fix, unsafe_fixes):
        return ""
    return "[" + paint("*", star, color) + "] "


class Sources:
    """File texts by diagnostic path, with one Locator per file built on first use."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._locators: Dict[str, Locator] = {}

    def text(self, path: str) -> Optional[str]:
        return self._texts.get(path)

    def locator(self, path: str) -> Optional[Locator]:
        if path not in self._locators:
            text = self._texts.get(path)
            if text is None:
                return None
            self._locators[path] = Locator(text)
        return self._locators[path]


def edit_span(edit: Edit, locator: Optional[Locator]) -> Tuple[Location, Location]:
    """The edit's (start, end) positions; computed from offsets when the engine left them unset."""
    if edit.location.row >= 1 and edit.end_location.row >= 1:
        return edit.location, edit.end_location
    if locator is None:
        return edit.location, edit.end_location
    return locator.location(edit.start), locator.location(edit.end)


def sorted_edits(fix: Fix) -> List[Edit]:
    return sorted(fix.edits, key=lambda e: (e.start, e.end))


def apply_fix(text: str, fix: Fix) -> str:
    pieces: List[str] = []
    cursor = 0
    for edit in sorted_edits(fix):
        if edit.start < cursor:  # overlapping edits: the engine resolves these; keep the first
            continue
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.content)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def rule_name(diagnostic: Diagnostic, rules: Mapping[str, object]) -> str:
    if diagnostic.name:
        return diagnostic.name
    rule = rules.get(diagnostic.code)
    return getattr(rule, "name", "") or ""


def rule_url(diagnostic: Diagnostic, rules: Mapping[str, object]) -> Optional[str]:
    if diagnostic.url:
        return diagnostic.url
    rule = rules.get(diagnostic.code)
    return getattr(rule, "url", None) or None


def help_text(diagnostic: Diagnostic) -> Optional[str]:
    """The ``help:`` line: the fix's message, or a rule's advice for a finding it cannot fix."""
    if diagnostic.fix is not None and diagnostic.fix.message:
        return diagnostic.fix.message
    advice = diagnostic.extra.get("help") if isinstance(diagnostic.extra, dict) else None
    return advice if isinstance(advice, str) and advice else None


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _fixed_by_code(fixed: Optional[FixedCounts]) -> Dict[str, Dict[str, int]]:
    """Normalise ``fixed``: a path maps to a count, or to counts per rule code ("" when unknown)."""
    result: Dict[str, Dict[str, int]] = {}
    for path, value in (fixed or {}).items():
        per_code = {"": value} if isinstance(value, int) else dict(value)
        per_code = {code: n for code, n in per_code.items() if n > 0}
        if per_code:
            result[path] = per_code
    return result


def summary(
    diagnostics: List[Diagnostic],
    *,
    rules: Mapping[str, object],
    fixed: Optional[FixedCounts],
    show_fixes: bool,
    unsafe_fixes: bool,
    color: bool,
) -> str:
    """The closing lines of the text formats, worded as ruff words them."""
    lines: List[str] = []
    fixed_by_path = _fixed_by_code(fixed)
    fixed_total = sum(sum(per_code.values()) for per_code in fixed_by_path.values())

    if show_fixes and fixed_total:
        lines.append("")
        lines.append(paint(f"Fixed {_plural(fixed_total, 'error', 'errors')}:", "success", color))
        for path in sorted(fixed_by_path, key=absolute_path):
            dash, colon = paint("-", "separator", color), paint(":", "separator", color)
            lines.append(f"{dash} {paint(display_path(path), 'path', color)}{colon}")
            for code, count in sorted(fixed_by_path[path].items()):
                if code:
                    name = getattr(rules.get(code), "name", "")
                    label = paint(code, "fixed_code", color) + (f" ({name})" if name else "")
                    lines.append(f"    {count} × {label}")
                else:
                    lines.append(f"    {_plural(count, 'fix', 'fixes')}")
        lines.append("")

    remaining = len(diagnostics)
    if remaining == 0 and fixed_total == 0:
        lines.append(paint("All checks passed!", "success", color))
        return "\n".join(lines) + "\n"

    if fixed_total:
        total = remaining + fixed_total
        lines.append(
            f"Found {_plural(total, 'error', 'errors')} ({fixed_total} fixed, {remaining} remaining)."
        )
    else:
        lines.append(f"Found {_plural(remaining, 'error', 'errors')}.")

    applicable = sum(1 for d in diagnostics if is_applicable(d.fix, unsafe_fixes))
    hidden_unsafe = sum(
        1
        for d in diagnostics
        if d.fix is not None and d.fix.applicability is Applicability.UNSAFE and not unsafe_fixes
    )
    hidden_hint = f"{_plural(hidden_unsafe, 'unsafe fix', 'unsafe fixes')} available with {UNSAFE_FLAGS}"
    if applicable:
        line = "[" + paint("*", "star", color) + f"] {applicable} fixable with {FIX_FLAG}"
        if hidden_unsafe:
            line += f" ({hidden_hint})"
        lines.append(line + ".")
    elif hidden_unsafe:
        lines.append(hidden_hint + ".")
    return "\n".join(lines) + "\n"
