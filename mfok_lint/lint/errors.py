"""Findings the engine itself makes about a unit (syntax errors) and the internal errors of rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from mfok_lint.core.diagnostics import Diagnostic, Fix, Locator, diagnostic_for
from mfok_lint.rules import Rule, all_rules


@dataclass
class InternalError:
    path: str
    message: str


def _meta_factory(path: str, text: str, locator: Locator):
    rules = all_rules()

    def make(code: str, message: str, start: int, end: int, fix: Optional[Fix]) -> Diagnostic:
        return diagnostic_for(rules[code], path, locator, start, end, message, fix)

    return make


def _syntax_error_diag(path: str, text: str, locator: Locator, message: str, row: int, col: int) -> Diagnostic:
    row = max(1, min(row, locator.line_count))
    line_len = len(locator.line(row))
    col = max(1, min(col, line_len + 1))
    start = locator.offset(row, col)
    return _meta_factory(path, text, locator)("MFO900", message, start, start, None)


def nul_byte_error(text: str) -> Optional[Tuple[str, int, int]]:
    """(message, row, column) of MFO900 for a Python text holding a NUL byte, which no parser accepts; else None.
    One wording wherever the text comes from (a file, stdin, flake8's lines)."""
    if "\x00" not in text:
        return None
    return ("File contains a NUL byte and cannot be parsed", text.count("\n", 0, text.index("\x00")) + 1, 1)


def _record(errors: Optional[List[InternalError]], path: str, rule: Optional[Rule], exc: BaseException) -> None:
    where = f"{rule.code} " if rule is not None else ""
    message = f"internal error in {where}on {path}: {type(exc).__name__}: {exc}".splitlines()[0]
    if errors is None:
        raise exc
    errors.append(InternalError(path, message))
