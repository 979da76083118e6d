"""Findings grouped under their file, positions aligned per file, like ruff's ``grouped`` format.

    path:
      row:col CODE [*] message

Rows are right-aligned and columns left-aligned to the widest of the file, so codes line up.
"""

from __future__ import annotations

import itertools
from typing import List, Mapping, Optional

from mfok_lint.cli.report._common import FixedCounts, absolute_path, display_path, fix_marker, ordered, paint, summary
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
    out: List[str] = []
    for _, group_iter in itertools.groupby(diagnostics, key=lambda d: absolute_path(d.path)):
        group = list(group_iter)
        row_width = max(len(str(d.location.row)) for d in group)
        col_width = max(len(str(d.location.column)) for d in group)
        out.append(paint(display_path(group[0].path), "grouped_path", color) + ":")
        for d in group:
            position = (
                str(d.location.row).rjust(row_width)
                + paint(":", "separator", color)
                + str(d.location.column).ljust(col_width)
            )
            out.append(
                "  "
                + position
                + " "
                + paint(d.code, "code", color)
                + " "
                + fix_marker(d, unsafe_fixes, color)
                + d.message
            )
        out.append("")
    body = "".join(line + "\n" for line in out)
    return body + summary(
        diagnostics, rules=rules, fixed=fixed, show_fixes=show_fixes, unsafe_fixes=unsafe_fixes, color=color
    )
