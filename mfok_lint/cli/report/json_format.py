"""ruff's JSON schema, key for key, so tools that read ``ruff check --output-format json`` read ours.

Design decisions:
- Keys and nesting follow ruff exactly (``cell``, ``code``, ``end_location``, ``filename``, ``fix``,
  ``location``, ``message``, ``name``, ``noqa_row``, ``severity``, ``url``), emitted in ruff's
  alphabetical order; ``filename`` is absolute and ``cell`` is always null (no notebooks).
- Every finding is an error (``severity``), as in ruff: mfok-lint has no warning level.
- ``noqa_row`` falls back to the finding's own row when the engine did not set one, which is where a
  ``# noqa`` comment would then have to go.
- Edit positions come from the edit when set, else from its offsets in the file's text.
- The module is not called ``json.py`` so that nothing importing it can shadow the standard library.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping

from mfok_lint.cli.report._common import Sources, absolute_path, edit_span, ordered, rule_name, rule_url, sorted_edits
from mfok_lint.core.diagnostics import Diagnostic, Location

SEVERITY = "error"


def _location(location: Location) -> Dict[str, int]:
    return {"column": location.column, "row": location.row}


def diagnostic_object(diagnostic: Diagnostic, texts: Sources, rules: Mapping[str, object]) -> Dict[str, Any]:
    fix = None
    if diagnostic.fix is not None:
        locator = texts.locator(diagnostic.path)
        edits = []
        for edit in sorted_edits(diagnostic.fix):
            start, end = edit_span(edit, locator)
            edits.append(
                {"content": edit.content, "end_location": _location(end), "location": _location(start)}
            )
        fix = {
            "applicability": diagnostic.fix.applicability.value,
            "edits": edits,
            "message": diagnostic.fix.message,
        }
    return {
        "cell": None,
        "code": diagnostic.code,
        "end_location": _location(diagnostic.end_location),
        "filename": absolute_path(diagnostic.path),
        "fix": fix,
        "location": _location(diagnostic.location),
        "message": diagnostic.message,
        "name": rule_name(diagnostic, rules),
        "noqa_row": diagnostic.noqa_row if diagnostic.noqa_row is not None else diagnostic.location.row,
        "severity": SEVERITY,
        "url": rule_url(diagnostic, rules),
    }


def objects(
    diagnostics: List[Diagnostic], sources: Mapping[str, str], rules: Mapping[str, object]
) -> List[Dict[str, Any]]:
    texts = Sources(sources)
    return [diagnostic_object(d, texts, rules) for d in ordered(diagnostics)]


def render(
    diagnostics: List[Diagnostic], *, sources: Mapping[str, str], rules: Mapping[str, object], **_options
) -> str:
    # No trailing newline: ruff writes the array as is.
    return json.dumps(objects(diagnostics, sources, rules), indent=2, ensure_ascii=False)
