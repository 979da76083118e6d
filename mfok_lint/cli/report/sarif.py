"""SARIF 2.1.0 (one run) for GitHub code scanning and other SARIF viewers.

Design decisions:
- Shape follows ruff's SARIF (results with ``ruleId``, ``level``, ``message``, physical locations and
  ``fixes``; ``tool.driver.rules`` lists the rules that have results, sorted by code), and every key
  is one the OASIS 2.1.0 schema defines; keys are written sorted, as ruff writes them.
- A rule's ``fullDescription`` and ``help`` carry its catalog page (markdown); when the catalog cannot
  provide it the one-sentence rule message stands in, so a report never fails over documentation.
- Artifact URIs are absolute ``file://`` URIs, percent-encoded, which SARIF viewers resolve without an
  ``originalUriBaseIds`` table.
- A fix's deleted region uses the same 1-based row/column convention as the result region.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any, Dict, List, Mapping, Optional

import mfok_lint
from mfok_lint.cli.report._common import Sources, absolute_path, edit_span, ordered, rule_name, rule_url, sorted_edits
from mfok_lint.core.diagnostics import Diagnostic

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL = "mfok-lint"
INFORMATION_URI = "https://mfok.readthedocs.io/en/latest/"
LEVEL = "error"


def rule_documentation(code: str) -> Optional[str]:
    """The catalog page's markdown body for ``code``, or None when the catalog cannot provide it."""
    try:
        from rules_catalog import load_page
    except ImportError:
        return None
    try:
        body = load_page(code).body
    except Exception:  # a missing or malformed page must not cost the user the whole report
        return None
    return body if isinstance(body, str) and body.strip() else None


def _uri(path: str) -> str:
    return pathlib.Path(absolute_path(path)).as_uri()


def _descriptor(code: str, example: Diagnostic, rules: Mapping[str, object]) -> Dict[str, Any]:
    rule = rules.get(code)
    summary = getattr(rule, "summary", "") or example.message
    documentation = rule_documentation(code) or summary
    name = rule_name(example, rules)
    descriptor: Dict[str, Any] = {
        "id": code,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": documentation, "markdown": documentation},
        "help": {"text": summary, "markdown": documentation},
        "defaultConfiguration": {"enabled": True, "level": LEVEL},
        "properties": {"id": code, "name": name, "problem.severity": LEVEL},
    }
    if name:
        descriptor["name"] = name
    url = rule_url(example, rules)
    if url:
        descriptor["helpUri"] = url
    if rule is not None:
        kind = getattr(rule, "kind", None)
        availability = getattr(rule, "fix", None)
        descriptor["properties"].update(
            {
                "kind": getattr(kind, "value", kind),
                "preview": bool(getattr(rule, "preview", False)),
                "fix_availability": getattr(availability, "value", availability),
            }
        )
    return descriptor


def _result(d: Diagnostic, texts: Sources) -> Dict[str, Any]:
    uri = _uri(d.path)
    result: Dict[str, Any] = {
        "ruleId": d.code,
        "level": LEVEL,
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {
                        "startLine": d.location.row,
                        "startColumn": d.location.column,
                        "endLine": d.end_location.row,
                        "endColumn": d.end_location.column,
                    },
                }
            }
        ],
    }
    if d.fix is not None:
        locator = texts.locator(d.path)
        replacements = []
        for edit in sorted_edits(d.fix):
            start, end = edit_span(edit, locator)
            replacement: Dict[str, Any] = {
                "deletedRegion": {
                    "startLine": start.row,
                    "startColumn": start.column,
                    "endLine": end.row,
                    "endColumn": end.column,
                }
            }
            if edit.content:
                replacement["insertedContent"] = {"text": edit.content}
            replacements.append(replacement)
        result["fixes"] = [
            {
                "description": {"text": d.fix.message},
                "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}],
            }
        ]
    return result


def document(
    diagnostics: List[Diagnostic], sources: Mapping[str, str], rules: Mapping[str, object]
) -> Dict[str, Any]:
    diagnostics = ordered(diagnostics)
    texts = Sources(sources)
    first_by_code: Dict[str, Diagnostic] = {}
    for d in diagnostics:
        first_by_code.setdefault(d.code, d)
    return {
        "$schema": SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "informationUri": INFORMATION_URI,
                        "version": mfok_lint.__version__,
                        "rules": [
                            _descriptor(code, first_by_code[code], rules) for code in sorted(first_by_code)
                        ],
                    }
                },
                "results": [_result(d, texts) for d in diagnostics],
            }
        ],
    }


def render(
    diagnostics: List[Diagnostic], *, sources: Mapping[str, str], rules: Mapping[str, object], **_options
) -> str:
    return json.dumps(document(diagnostics, sources, rules), indent=2, sort_keys=True, ensure_ascii=False)
