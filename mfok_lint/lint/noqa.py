"""`# noqa` handling: line directives, file-level exemptions, MFO901 (unused) and MFO902 (invalid).

Decisions:
- Directives are read from real comment tokens (``tokenize``), so a "# noqa" inside a string never counts. YAML
  files have no Python tokens; their ``#`` comments are read line by line.
- A finding inside a multi-line string is suppressed on the row that closes the logical line holding the
  string (``noqa_row``), the only row where a comment can go. Tokenizing a file to find its multi-line strings
  costs as much as a rule; CPython's ``ast`` (already parsed, see ``mfok_lint.syntax.pyast``) first tells whether any
  finding's row lies within a string spanning lines at all.
- Only MFO codes are ours. Other codes in the same comment (``E501``) belong to other tools and are left alone.
- ``# noqa: MFO`` (a bare prefix) is MFO902 and suppresses nothing here, because flake8 would read it as a
  blanket noqa; a bare ``# noqa`` is a blanket noqa, as in ruff and flake8.
- MFO901 follows ruff's RUF100: a listed MFO code that suppressed nothing is unused, including codes of rules
  not enabled in this run. Its fix deletes the code, or the whole directive when it was the last code.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set, Tuple

from mfok_lint.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Locator
from mfok_lint.syntax import pyast

_LINE_RE = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Za-z]+[0-9]*(?:[\s,]+[A-Za-z]+[0-9]*)*))?", re.IGNORECASE)
_FILE_RE = re.compile(
    r"#\s*(?P<tool>mfok-lint|flake8)\s*:\s*noqa(?::[\s]?(?P<codes>[A-Za-z]+[0-9]*(?:[\s,]+[A-Za-z]+[0-9]*)*))?",
    re.IGNORECASE,
)
_CODE_RE = re.compile(r"[A-Za-z]+[0-9]*")
PREFIX = "MFO"


@dataclass
class Directive:
    row: int
    start: int  # absolute offset of "#" of the directive
    end: int  # absolute offset just past the directive
    codes: Optional[List[Tuple[str, int, int]]]  # None: blanket; else (code, abs start, abs end)
    used: Set[str] = field(default_factory=set)


@dataclass
class NoqaMap:
    lines: Dict[int, Directive]
    file_blanket: bool
    file_codes: Set[str]
    noqa_rows: Dict[int, int]  # rows inside multi-line strings -> the row that closes their logical line


def _comments(text: str, is_python: bool) -> Iterable[Tuple[int, int, str]]:
    """(row, column, comment text) of every comment."""
    if is_python:
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                if tok.type == tokenize.COMMENT:
                    yield tok.start[0], tok.start[1], tok.string
            return
        except (tokenize.TokenError, SyntaxError, IndentationError):
            pass  # fall through to the line scan: better a rough reading than none
    for row, line in enumerate(text.splitlines(), start=1):
        idx = line.find("#")
        if idx != -1:
            yield row, idx, line[idx:]


def _multiline_rows(text: str) -> Dict[int, int]:
    mapping: Dict[int, int] = {}
    pending: List[Tuple[int, int]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
                pending.append((tok.start[0], tok.end[0]))
            elif tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER) and pending:
                close = tok.start[0]
                for start, end in pending:
                    for row in range(start, end + 1):
                        mapping[row] = close
                pending = []
            elif getattr(tokenize, "FSTRING_START", None) == tok.type:
                pending.append((tok.start[0], tok.start[0]))
            elif getattr(tokenize, "FSTRING_END", None) == tok.type and pending:
                start, _ = pending.pop()
                if tok.end[0] > start:
                    pending.append((start, tok.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return mapping


def _may_be_in_multiline_string(text: str, rows: Set[int]) -> bool:
    """Could one of ``rows`` be inside a string literal that spans lines? True when ``ast`` cannot parse the text.

    Every string token is inside a ``Constant`` or ``JoinedStr`` whose rows cover the token's, so a row no such
    node spans is in no multi-line string token."""
    tree = pyast.parse(text)
    if tree is None:
        return True
    return any(
        node.end_lineno > node.lineno and any(node.lineno <= row <= node.end_lineno for row in rows)
        for node in pyast.nodes_of(tree, ast.Constant, ast.JoinedStr)
    )


def parse(
    text: str, is_python: bool = True, locator: Optional[Locator] = None, rows: Optional[Set[int]] = None
) -> NoqaMap:
    """The file's directives. ``rows``: the only rows whose ``noqa_rows`` entry will be asked (None: all)."""
    locator = locator or Locator(text)
    lines: Dict[int, Directive] = {}
    file_blanket = False
    file_codes: Set[str] = set()
    if "noqa" in text or "NOQA" in text or "NoQA" in text.lower():
        for row, col, comment in _comments(text, is_python):
            file_match = _FILE_RE.search(comment)
            if file_match:
                codes = file_match.group("codes")
                if codes:
                    if file_match.group("tool").lower() == "mfok-lint":
                        file_codes.update(c.upper() for c in _CODE_RE.findall(codes))
                else:
                    file_blanket = True
                continue
            match = _LINE_RE.search(comment)
            if not match:
                continue
            base = locator.offset(row, col + 1)
            codes_group = match.group("codes")
            codes = None
            if codes_group is not None:
                codes = []
                gstart = match.start("codes")
                for cm in _CODE_RE.finditer(codes_group):
                    codes.append((cm.group(0), base + gstart + cm.start(), base + gstart + cm.end()))
            lines[row] = Directive(row, base + match.start(), base + match.end(), codes)
    noqa_rows: Dict[int, int] = {}
    if is_python and ('"""' in text or "'''" in text or "\\\n" in text):
        if rows is None or (rows and _may_be_in_multiline_string(text, rows)):
            noqa_rows = _multiline_rows(text)
    return NoqaMap(lines, file_blanket, file_codes, noqa_rows)


def apply(
    diagnostics: List[Diagnostic],
    text: str,
    path: str,
    *,
    known_codes: Set[str],
    enabled_codes: Set[str],
    is_python: bool = True,
    locator: Optional[Locator] = None,
    make_meta=None,
) -> List[Diagnostic]:
    """Drop suppressed findings, set noqa_row, and add MFO901/MFO902 findings when enabled.

    ``make_meta(code, message, start, end, fix)`` builds an engine diagnostic for a meta rule.
    """
    locator = locator or Locator(text)
    nmap = parse(text, is_python, locator, rows={diag.location.row for diag in diagnostics})
    kept: List[Diagnostic] = []
    for diag in diagnostics:
        diag.noqa_row = nmap.noqa_rows.get(diag.location.row, diag.location.row)
        if nmap.file_blanket or diag.code in nmap.file_codes:
            continue
        directive = nmap.lines.get(diag.noqa_row)
        if directive is not None and _suppresses(directive, diag.code):
            continue
        kept.append(diag)

    meta: List[Diagnostic] = []
    if make_meta is not None and not nmap.file_blanket:
        if "MFO902" in enabled_codes:
            for directive in nmap.lines.values():
                for code, start, end in directive.codes or ():
                    upper = code.upper()
                    if upper.startswith(PREFIX) and upper not in known_codes:
                        if upper == PREFIX or len(upper) < 6:
                            msg = (
                                f"Invalid `noqa` directive: `{code}` is a prefix, not a code "
                                "(flake8 reads it as a blanket `# noqa`)"
                            )
                        else:
                            msg = f"Invalid `noqa` directive: unknown code `{code}`"
                        meta.append(make_meta("MFO902", msg, start, end, None))
        if "MFO901" in enabled_codes:
            for directive in nmap.lines.values():
                if directive.codes is None:
                    continue
                ours = [(c.upper(), s, e) for c, s, e in directive.codes if c.upper() in known_codes]
                unused = [(c, s, e) for c, s, e in ours if c not in directive.used]
                if not unused:
                    continue
                names = ", ".join(f"`{c}`" for c, _, _ in unused)
                disabled = [c for c, _, _ in unused if c not in enabled_codes]
                msg = f"Unused `noqa` directive (unused: {names})"
                if disabled:
                    msg = f"Unused `noqa` directive (unused: {names}; non-enabled: {', '.join(disabled)})"
                fix = _removal_fix(text, locator, directive, {c for c, _, _ in unused})
                meta.append(make_meta("MFO901", msg, directive.start, directive.end, fix))
    for diag in meta:
        diag.noqa_row = diag.location.row
        if diag.code in nmap.file_codes:
            continue
        directive = nmap.lines.get(diag.noqa_row)
        if directive is not None and directive.codes and any(c.upper() == diag.code for c, _, _ in directive.codes):
            continue
        kept.append(diag)
    return kept


def _suppresses(directive: Directive, code: str) -> bool:
    if directive.codes is None:
        return True
    for listed, _, _ in directive.codes:
        if listed.upper() == code:
            directive.used.add(code)
            return True
    return False


def _removal_fix(text: str, locator: Locator, directive: Directive, remove: Set[str]) -> Fix:
    codes = directive.codes or []
    keep = [c for c, _, _ in codes if c.upper() not in remove]
    if keep:
        start = codes[0][1]
        end = codes[-1][2]
        edit = Edit(start, end, ", ".join(keep), locator.location(start), locator.location(end))
        return Fix(Applicability.SAFE, "Remove unused `noqa` codes", (edit,))
    start, end = directive.start, directive.end
    line_start = text.rfind("\n", 0, start) + 1
    # Take the spaces before the directive with it, so no trailing whitespace is left behind.
    while start > line_start and text[start - 1] in " \t":
        start -= 1
    edit = Edit(start, end, "", locator.location(start), locator.location(end))
    return Fix(Applicability.SAFE, "Remove unused `noqa` directive", (edit,))


def add_noqa(text: str, diagnostics: Iterable[Diagnostic], is_python: bool = True) -> Tuple[str, int]:
    """Append `# noqa: CODES` on each row with findings (merging into an existing directive). Returns (text, count)."""
    locator = Locator(text)
    nmap = parse(text, is_python, locator)
    by_row: Dict[int, Set[str]] = {}
    for diag in diagnostics:
        row = diag.noqa_row or diag.location.row
        by_row.setdefault(row, set()).add(diag.code)
    edits: List[Tuple[int, int, str]] = []
    added = 0
    for row, codes in by_row.items():
        directive = nmap.lines.get(row)
        if directive is not None:
            if directive.codes is None:
                continue
            present = {c.upper() for c, _, _ in directive.codes}
            new = sorted(codes - present)
            if not new:
                continue
            end = directive.codes[-1][2] if directive.codes else directive.end
            edits.append((end, end, ", " + ", ".join(new)))
            added += len(new)
        else:
            line = locator.line(row)
            end = locator.offset(row, 1) + len(line)
            edits.append((end, end, "  # noqa: " + ", ".join(sorted(codes))))
            added += len(codes)
    for start, end, content in sorted(edits, reverse=True):
        text = text[:start] + content + text[end:]
    return text, added
