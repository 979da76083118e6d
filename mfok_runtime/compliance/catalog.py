"""Which MFO rules relate to a capability, and what the linter finds in the extension's own source.

The mapping lives in the rule catalog: each `rules_catalog/*.md` page has a `capability:` front-matter key
(one name or a list). The front matter is read here directly (a small `key: value` subset of YAML), so the
report works with any catalog version and without importing the linter.

Findings come from running `python -m mfok_lint check --output-format json` on the extension's
`metaflow_extensions/<pkg>` directory in a subprocess: the report only needs the codes and locations, and
a linter failure must never break the compliance report (it degrades to a note).
"""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
from typing import Dict, List, Optional, Tuple


def catalog_dir() -> Optional[str]:
    import importlib.util

    spec = importlib.util.find_spec("rules_catalog")
    if spec is None:
        return None
    locations = list(spec.submodule_search_locations or [])
    if locations:
        return locations[0]
    return os.path.dirname(spec.origin) if spec.origin else None


def _front_matter(text: str) -> Dict[str, str]:
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end == -1:
        return {}
    data = {}
    for line in text[3:end].splitlines():
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if match:
            data[match.group(1).strip()] = match.group(2).strip()
    return data


def _names(value: str) -> List[str]:
    value = value.strip().strip("[]")
    return [part.strip().strip("'\"").upper() for part in value.split(",") if part.strip().strip("'\"")]


def rules_by_capability(directory: Optional[str] = None) -> Dict[str, List[Tuple[str, str]]]:
    """{"RETRY": [("MFO004", "retry-count-hardcoded"), ...], ...}"""
    directory = directory or catalog_dir()
    mapping: Dict[str, List[Tuple[str, str]]] = {}
    if not directory:
        return mapping
    for path in sorted(glob.glob(os.path.join(directory, "*.md"))):
        try:
            with open(path, encoding="utf-8") as handle:
                meta = _front_matter(handle.read())
        except OSError:
            continue
        code = meta.get("code") or os.path.basename(path).split("-")[0].split(".")[0].upper()
        name = meta.get("name", "").strip("'\"")
        for cap in _names(meta.get("capability", "")):
            mapping.setdefault(cap, []).append((code.strip("'\""), name))
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
