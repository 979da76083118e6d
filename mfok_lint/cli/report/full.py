"""The default format: each finding with a source snippet, the fix's help line and the fix as a diff.

Mirrors ruff's current renderer (the rustc-like layout):

    CODE [*] message
     --> path:row:col
      |
    1 | source line
      |        ^^^^
    help: fix message
      |
      - old line
    1 + new line
      |
    note: This is an unsafe fix and may change runtime behavior

Design decisions:
- Snippet context is two lines each side, with blank context lines at the edges dropped; a span over
  several lines is drawn with ruff's left margin (``/`` or ``_^`` opener, ``|`` rail, ``|_^`` closer).
- Tabs are shown as four columns and wide (East Asian) characters as two, so carets line up under
  the code in a terminal.
- The fix diff always appears, like ruff's (``--show-fixes`` only adds the "Fixed N errors" listing
  after ``--fix``); hunks carry one line of context, changes up to four lines apart share a hunk, and
  hunks are separated by a dashed rule. Line numbers in the diff are those of the fixed file. Where
  several minimal diffs exist, difflib may pick a different one than ruff's Myers diff.
- Long lines are clipped around the marked span like ruff's (140-column budget, ellipsis at cut ends).
- The ``help:`` line is the fix's message, or ``extra["help"]`` for advice on a finding without a fix.
- Without the file's text (unreadable file) only the header and the location are printed.
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import List, Mapping, Optional, Tuple

from mfok_lint.cli.report._common import (
    FixedCounts,
    Sources,
    apply_fix,
    display_path,
    fix_marker,
    help_text,
    ordered,
    paint,
    summary,
)
from mfok_lint.core.diagnostics import Applicability, Diagnostic, Locator

CONTEXT_LINES = 2
DIFF_CONTEXT_LINES = 1
HUNK_MERGE_GAP = 4
HUNK_SEPARATOR = "-" * 80
TERM_WIDTH = 140
ELLIPSIS = "…"

NOTES = {
    Applicability.UNSAFE: "This is an unsafe fix and may change runtime behavior",
    Applicability.DISPLAY_ONLY: "This is a display-only fix and is likely to be incorrect",
}


def _char_width(char: str) -> int:
    if char == "\t":
        return 4
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _one_column_each(text: str) -> bool:
    """Every character is one terminal column wide (the common case, which needs no per-character look-up)."""
    return text.isascii() and "\t" not in text


def _width(text: str) -> int:
    if _one_column_each(text):
        return len(text)
    return sum(_char_width(c) for c in text)


def _expand(line: str) -> str:
    return line.replace("\t", "    ")


def render(
    diagnostics: List[Diagnostic],
    *,
    sources: Mapping[str, str],
    rules: Mapping[str, object],
    show_fixes: bool = False,
    unsafe_fixes: bool = False,
    fixed: Optional[FixedCounts] = None,
    color: bool = False,
) -> str:
    texts = Sources(sources)
    diagnostics = ordered(diagnostics)
    blocks = [_render_one(d, texts, unsafe_fixes, color) for d in diagnostics]
    body = "".join(block + "\n\n" for block in blocks)
    return body + summary(
        diagnostics, rules=rules, fixed=fixed, show_fixes=show_fixes, unsafe_fixes=unsafe_fixes, color=color
    )


def _render_one(diagnostic: Diagnostic, texts: Sources, unsafe_fixes: bool, color: bool) -> str:
    marker = fix_marker(diagnostic, unsafe_fixes, color, star="full_star").rstrip()
    header = (
        paint(diagnostic.code, "full_code", color)
        + (" " + marker if marker else "")
        + paint(" " + diagnostic.message, "bold", color)
    )
    where = f"{display_path(diagnostic.path)}:{diagnostic.location.row}:{diagnostic.location.column}"
    locator = texts.locator(diagnostic.path)
    if locator is None:
        return "\n".join([header, " " + paint("--> ", "gutter", color) + where])

    snippet_rows, snippet = _snippet(diagnostic, locator, color)
    width = len(str(snippet_rows[-1])) if snippet_rows else 1
    lines = [header, " " * width + paint("--> ", "gutter", color) + where]
    lines.extend(snippet)

    advice = help_text(diagnostic)
    if advice:
        lines.append(paint("help", "help", color) + paint(": " + advice, "bold", color))
    fix = diagnostic.fix
    if fix is not None:
        text = texts.text(diagnostic.path) or ""
        lines.extend(_diff(text, apply_fix(text, fix), color))
        note = NOTES.get(fix.applicability)
        if note:
            lines.append(paint("note", "note", color) + paint(": " + note, "bold", color))
    return "\n".join(lines)


def _span(diagnostic: Diagnostic, locator: Locator) -> Tuple[int, int, int, int]:
    """(start_row, start_col, end_row, end_col), 1-based, clamped to the file, end exclusive."""
    last = locator.line_count
    start_row = min(max(diagnostic.location.row, 1), last)
    end_row = min(max(diagnostic.end_location.row, start_row), last)
    start_col = max(diagnostic.location.column, 1)
    end_col = max(diagnostic.end_location.column, 1)
    if end_row > start_row and end_col == 1:
        # A span ending at the very start of a line really ends with the previous line's newline.
        end_row -= 1
        end_col = len(locator.line(end_row)) + 2
    if end_row == start_row and end_col < start_col:
        end_col = start_col
    return start_row, start_col, end_row, end_col


class _Window:
    """Which columns of long source lines to show, so the marked span stays on a terminal-wide line.

    Follows the rustc/annotate-snippets margin rules ruff's renderer inherits: leading whitespace
    beyond 20 columns is trimmed, then the window is fitted around the marked span; cut ends are
    marked with an ellipsis.
    """

    PAD = 6

    def __init__(
        self, whitespace_left: int, span_left: int, span_right: int, column_width: int, longest: int
    ):
        self.whitespace_left = max(whitespace_left - self.PAD, 0)
        self.span_left = max(span_left - self.PAD, 0)
        self.span_right = span_right + self.PAD
        self.label_right = span_right + self.PAD
        self.column_width = column_width
        self.left = self.whitespace_left - 16 if self.whitespace_left > 20 else 0
        self.right = max(longest, self.left)
        if self.right - self.left > column_width:
            if self.label_right - self.whitespace_left <= column_width:
                self.left = self.whitespace_left
            elif self.label_right - self.span_left <= column_width:
                self.left = max(self.span_left - (column_width - (self.label_right - self.span_left)) // 2, 0)
            elif self.span_right - self.span_left <= column_width:
                self.left = max(
                    self.span_left - (column_width - (self.span_right - self.span_left)) // 5 * 2, 0
                )
            else:
                self.left, self.right = self.span_left, self.span_right
                return
            self.right = self.left + column_width

    def _cut_right(self, line_len: int) -> bool:
        right = self.right - self.PAD if self.right in (self.span_right, self.label_right) else self.right
        return right < line_len and self.left + self.column_width < line_len

    @staticmethod
    def _take(text: str, columns: int) -> str:
        """The longest head of ``text`` that fits in ``columns``."""
        if _one_column_each(text):
            return text[: max(columns, 0)]
        kept, taken = [], 0
        for char in text:
            char_width = _char_width(char)
            if taken + char_width > columns:
                break
            taken += char_width
            kept.append(char)
        return "".join(kept)

    def clip(self, text: str, color: bool) -> str:
        line_len = _width(text)
        left = min(self.left, line_len)
        right = line_len if line_len - self.left <= self.column_width else min(line_len, self.right)
        head, body, tail = "", self._take(text[left:], right - left), ""
        if self.left > 0:
            head, body = paint(ELLIPSIS, "gutter", color), body[1:]
        if self._cut_right(line_len):
            body, tail = body[:-1], paint(ELLIPSIS, "gutter", color)
        return head + body + tail


def _snippet(diagnostic: Diagnostic, locator: Locator, color: bool) -> Tuple[List[int], List[str]]:
    start_row, start_col, end_row, end_col = _span(diagnostic, locator)
    first = max(1, start_row - CONTEXT_LINES)
    last = min(locator.line_count, end_row + CONTEXT_LINES)
    while first < start_row and not locator.line(first).strip():
        first += 1
    while last > end_row and not locator.line(last).strip():
        last -= 1
    rows = list(range(first, last + 1))
    width = len(str(last))
    bar = paint("|", "gutter", color)
    empty_gutter = " " * width + " " + bar

    multiline = start_row != end_row
    texts = {row: _expand(locator.line(row)) for row in rows}
    start_line = locator.line(start_row)
    end_line = locator.line(end_row)
    span_start = _width(start_line[: start_col - 1])
    span_end = _width(end_line[: end_col - 1]) if not multiline else _width(end_line[: end_col - 2])
    indents = [len(t) - len(t.lstrip()) for t in texts.values() if t.strip()]
    window = _Window(
        whitespace_left=min(indents) if indents else 0,
        span_left=min(span_start, span_end),
        span_right=max(span_start, span_end + (1 if multiline else 0)),
        column_width=TERM_WIDTH - (width + 3 + (2 if multiline else 0)),
        longest=max(_width(text) for text in texts.values()),
    )
    shift = window.left

    def numbered(row: int, margin: str = "") -> str:
        text = window.clip(texts[row], color)
        content = margin + text if text else margin.rstrip()
        return paint(str(row).rjust(width), "gutter", color) + " " + bar + _spaced(content)

    out = [empty_gutter]
    if not multiline:
        line = start_line
        covered = line[start_col - 1 : end_col - 1]
        carets = _width(covered) + (1 if end_col - 1 > len(line) and start_col - 1 <= len(line) else 0)
        carets = max(carets, 1)
        for row in rows:
            out.append(numbered(row))
            if row == start_row:
                prefix = max(span_start - shift, 0)
                out.append(empty_gutter + " " + " " * prefix + paint("^" * carets, "caret", color))
    else:
        before = start_line[: start_col - 1]
        closer = max(span_end - shift, 0)
        for row in rows:
            if row < start_row or row > end_row:
                out.append(numbered(row, "  "))
            elif row == start_row:
                if not before.strip():
                    out.append(numbered(row, paint("/", "caret", color) + " "))
                else:
                    out.append(numbered(row, "  "))
                    opener = " " + "_" * (max(span_start - shift, 0) + 1) + "^"
                    out.append(empty_gutter + " " + paint(opener, "caret", color))
            else:
                out.append(numbered(row, paint("|", "caret", color) + " "))
                if row == end_row:
                    out.append(empty_gutter + " " + paint("|" + "_" * (closer + 1) + "^", "caret", color))
    if rows and rows[-1] > end_row:
        out.append(empty_gutter)
    return rows, out


def _diff(old: str, new: str, color: bool) -> List[str]:
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    groups = _hunks(_line_opcodes(old_lines, new_lines))
    if not groups:
        return []
    highest = max(j2 for group in groups for _, _, _, _, j2 in group)
    width = len(str(max(highest, 1)))
    bar = paint("|", "gutter", color)
    blank_number = paint(" " * width, "gutter", color)
    edge = blank_number + " " + bar

    def show(line: str, style: Optional[str] = None) -> str:
        content = line.rstrip("\r\n")
        return _spaced(paint(content, style, color) if style else content)

    out = [edge]
    for index, group in enumerate(groups):
        if index:
            out.append(HUNK_SEPARATOR)
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset, line in enumerate(new_lines[j1:j2]):
                    number = paint(str(j1 + offset + 1).ljust(width), "gutter", color)
                    out.append(f"{number} {bar}" + show(line))
                continue
            for line in old_lines[i1:i2]:
                out.append(blank_number + " " + paint("-", "removed_marker", color) + show(line, "removed"))
            for offset, line in enumerate(new_lines[j1:j2]):
                number = paint(str(j1 + offset + 1).ljust(width), "gutter", color)
                out.append(f"{number} " + paint("+", "added_marker", color) + show(line, "added"))
    out.append(edge)
    return out


def _line_opcodes(old: List[str], new: List[str]) -> List[Tuple[str, int, int, int, int]]:
    """difflib opcodes turning ``old`` into ``new``, matching only what lies between their common head and tail.

    Myers diffs (ruff's among them) set the common head and tail aside the same way. It keeps a fix's diff
    proportional to the edit rather than to the file: difflib's longest-match search over a whole
    4,000-line module cost more than everything else a warm run does.
    """
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    middle = difflib.SequenceMatcher(
        None, old[head : len(old) - tail], new[head : len(new) - tail], autojunk=False
    ).get_opcodes()
    codes = [("equal", 0, head, 0, head)] if head else []
    codes.extend((tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in middle)
    if tail:
        codes.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return codes


def _hunks(codes: List[Tuple[str, int, int, int, int]]) -> List[List[Tuple[str, int, int, int, int]]]:
    """Changes up to HUNK_MERGE_GAP unchanged lines apart share a hunk; a hunk's outer context is one line."""
    hunks: List[List[Tuple[str, int, int, int, int]]] = []
    hunk: List[Tuple[str, int, int, int, int]] = []
    before = None
    for code in codes:
        tag, i1, i2 = code[:3]
        if tag != "equal":
            if not hunk and before is not None:
                hunk.append(before)
            hunk.append(code)
        elif hunk and i2 - i1 <= HUNK_MERGE_GAP:
            hunk.append(code)
        else:
            if hunk:
                hunk.append(code)
                hunks.append(hunk)
                hunk = []
            before = code
    if hunk:
        hunks.append(hunk)
    return [_trim_context(hunk) for hunk in hunks]


def _trim_context(group):
    group = list(group)
    tag, i1, i2, j1, j2 = group[0]
    if tag == "equal" and i2 - i1 > DIFF_CONTEXT_LINES:
        cut = i2 - i1 - DIFF_CONTEXT_LINES
        group[0] = (tag, i1 + cut, i2, j1 + cut, j2)
    tag, i1, i2, j1, j2 = group[-1]
    if tag == "equal" and i2 - i1 > DIFF_CONTEXT_LINES:
        group[-1] = (tag, i1, i1 + DIFF_CONTEXT_LINES, j1, j1 + DIFF_CONTEXT_LINES)
    return group


def _spaced(content: str) -> str:
    """``" " + content``, or nothing for an empty line so no line ends in a stray space."""
    return " " + content if content else ""
