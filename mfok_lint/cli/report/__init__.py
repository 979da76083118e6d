"""Report formats of mfok-lint, named and shaped like ruff's ``--output-format`` values.

``render(fmt, diagnostics, ...)`` returns exactly the text to write to stdout (the machine formats
end without a newline where ruff's do, so callers write the string as is rather than ``print`` it).

Design decisions:
- One module per format; this package only dispatches, so adding a format touches one new module and
  the ``FORMATS`` table.
- Modules are imported on first use: a run renders one format and never pays for the others.
- Only the human formats (full, concise, grouped) end with ruff's summary ("Found N errors.", the
  fixable counts, "All checks passed!"); machine formats hold nothing but the findings.
- ``fixed`` maps a path to the number of findings ``--fix`` removed there, or to a mapping
  code -> number; the per-code form is what ``--show-fixes`` needs to list "N × CODE (name)".
- Colour is decided by the caller (``color=``); formatters never look at the terminal themselves.
"""

from __future__ import annotations

import importlib
from typing import List, Mapping, Optional

from mfok_lint.cli.report._common import FixedCounts, is_applicable, summary
from mfok_lint.core.diagnostics import Diagnostic
from mfok_lint.core.settings import OUTPUT_FORMATS

FORMATS = OUTPUT_FORMATS

#: Formats a human reads; they carry the summary lines and honour ``color``.
TEXT_FORMATS = frozenset({"full", "concise", "grouped"})

_MODULES = {
    "full": "full",
    "concise": "concise",
    "grouped": "grouped",
    "json": "json_format",
    "json-lines": "json_lines",
    "junit": "junit",
    "github": "github",
    "gitlab": "gitlab",
    "pylint": "pylint",
    "sarif": "sarif",
}


class UnknownFormatError(ValueError):
    """Raised for an output format mfok-lint does not know; the message is fit for the user."""


def render(
    fmt: str,
    diagnostics: List[Diagnostic],
    *,
    sources: Mapping[str, str],
    rules: Mapping[str, object],
    show_fixes: bool = False,
    unsafe_fixes: bool = False,
    fixed: Optional[FixedCounts] = None,
    color: bool = False,
) -> str:
    module_name = _MODULES.get(fmt)
    if module_name is None:
        raise UnknownFormatError(f"unknown output format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return module.render(
        list(diagnostics),
        sources=sources,
        rules=rules,
        show_fixes=show_fixes,
        unsafe_fixes=unsafe_fixes,
        fixed=fixed,
        color=color,
    )


__all__ = [
    "FORMATS",
    "TEXT_FORMATS",
    "FixedCounts",
    "UnknownFormatError",
    "is_applicable",
    "render",
    "summary",
]
