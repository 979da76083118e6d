"""Which MFO rules relate to a capability, and what the linter finds in the extension's own source.

The mapping is the `capabilities` column of the linter's rule registry (`mfok_lint/rules/registry.py`), which
imports no rule module.

Findings come from running `python -m mfok_lint check --output-format json` on the extension's
`metaflow_extensions/<pkg>` directory in a subprocess: the report only needs the codes and locations, and
a linter failure must never break the compliance report (it degrades to a note).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Dict, List, Optional, Tuple


def rules_by_capability() -> Dict[str, List[Tuple[str, str]]]:
    """{"RETRY": [("MFO004", "retry-count-hardcoded"), ...], ...}, from the linter's rule registry."""
    from mfok_lint.rules.registry import RULES

    mapping: Dict[str, List[Tuple[str, str]]] = {}
    for row in RULES:
        for cap in row.capabilities:
            mapping.setdefault(cap, []).append((row.code, row.name))
    return mapping


def lint_findings(source_root: Optional[str], timeout: float = 120.0) -> Tuple[List[dict], str]:
    """(findings, note). Each finding: {"code", "path", "row", "message"}."""
    if not source_root or not os.path.isdir(source_root):
        return [], "extension source not found; linter not run"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "mfok_lint", "check", "--output-format", "json", source_root],
            capture_output=True, text=True, timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], "linter not run: %s" % exc
    try:
        data = json.loads(proc.stdout or "null")
    except ValueError:
        last = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or ["no output"]
        return [], "linter gave no JSON (exit %d: %s)" % (proc.returncode, last[0][:200])
    if isinstance(data, dict):
        data = data.get("diagnostics") or data.get("results") or []
    findings = []
    for item in data or []:
        if not isinstance(item, dict):
            continue
        location = item.get("location") or {}
        findings.append({
            "code": item.get("code", ""),
            "path": item.get("filename") or item.get("path", ""),
            "row": location.get("row", item.get("row", 0)),
            "message": item.get("message", ""),
        })
    return findings, ""
