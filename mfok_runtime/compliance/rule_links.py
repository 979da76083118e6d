"""Which MFO rules protect a capability, and which of them fire on the extension's own source.

The mapping is the `capabilities` column of the rule registry (`mfok_lint.rules.registry.RULES`), which
imports nothing heavy; the runner reads no catalog page.

Findings come from running `python -m mfok_lint check --output-format json --select <codes>` on the
extension's `metaflow_extensions/<pkg>` directory in a subprocess. The codes are selected by name, so
preview rules linked to a capability run too. A linter failure never breaks the compliance report: it
degrades to a note.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Dict, List, Optional, Sequence, Tuple

from .report import Result, RuleLink


def rules_by_capability() -> Dict[str, List[Tuple[str, str, str]]]:
    """{"RETRY": [("MFO004", "retry-count-hardcoded", url), ...], ...} in registry order."""
    try:
        from mfok_lint.rules.registry import RULES
    except ImportError:
        return {}
    mapping: Dict[str, List[Tuple[str, str, str]]] = {}
    for row in RULES:
        for cap in row.capabilities:
            mapping.setdefault(str(cap).upper(), []).append((row.code, row.name, row.url))
    return mapping


def lint_findings(source_root: Optional[str], codes: Sequence[str], timeout: float = 180.0) -> Tuple[List[dict], str]:
    """(findings, note). Each finding: {"code", "path", "row", "message"}."""
    if not source_root or not os.path.isdir(source_root):
        return [], "extension source not found; linter not run"
    if not codes:
        return [], ""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "mfok_lint", "check", "--output-format", "json", "--no-fix",
             "--select", ",".join(sorted(set(codes))), source_root],
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
        path = item.get("filename") or item.get("path", "")
        if path and source_root and os.path.isabs(path):
            path = os.path.relpath(path, os.path.dirname(source_root))
        findings.append({
            "code": item.get("code", ""),
            "path": path,
            "row": location.get("row", item.get("row", 0)),
            "message": item.get("message", ""),
        })
    return findings, ""


def attach_rules(results: Sequence[Result], source_root: Optional[str]) -> str:
    """Link every failed capability to its rules, those that fire on the extension first. Returns a note."""
    failed = [r for r in results if r.status == "failed"]
    if not failed:
        return ""
    by_cap = rules_by_capability()
    if not by_cap:
        return "the rule registry (mfok_lint) is not importable; no rule links"
    codes = [code for result in failed for code, _name, _url in by_cap.get(result.capability.value, [])]
    findings, note = lint_findings(source_root, codes)
    for result in failed:
        links = [RuleLink(code, name, url, [f for f in findings if f["code"] == code])
                 for code, name, url in by_cap.get(result.capability.value, [])]
        # Firing rules first (most findings first), then the quiet ones in registry order.
        result.rules = sorted(links, key=lambda link: (not link.fires, -len(link.findings)))
    return note
