"""One line per finding: ``path:row:col: CODE [*] message``, then ruff's summary lines."""

from __future__ import annotations

from typing import List, Mapping, Optional

from mfok_lint.cli.report._common import FixedCounts, display_path, fix_marker, ordered, paint, summary
from mfok_lint.core.diagnostics import Diagnostic


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
    diagnostics = ordered(diagnostics)
    colon = paint(":", "separator", color)
    lines = [
        paint(display_path(d.path), "path", color)
        + colon
        + str(d.location.row)
        + colon
        + str(d.location.column)
        + colon
        + " "
        + paint(d.code, "code", color)
        + " "
        + fix_marker(d, unsafe_fixes, color)
        + d.message
        for d in diagnostics
    ]
    body = "".join(line + "\n" for line in lines)
    return body + summary(
        diagnostics, rules=rules, fixed=fixed, show_fixes=show_fixes, unsafe_fixes=unsafe_fixes, color=color
    )
