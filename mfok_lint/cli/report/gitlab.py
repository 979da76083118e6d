"""GitLab Code Quality report (a Code Climate JSON array), as ruff writes it.

Design decisions:
- ``location.path`` is relative to ``$CI_PROJECT_DIR`` when GitLab sets it, else to the working
  directory: GitLab matches the path against the repository.
- ``fingerprint`` must stay the same while a finding survives unrelated edits (GitLab uses it to tell
  new findings from old), so it hashes code, path and message but not the line; findings that would
  collide (the same message twice in one file) are numbered in file order so each still gets its own.
- Positions carry begin/end line and column, the precise form of Code Climate locations.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import Any, Dict, List, Mapping, Optional

from mfok_lint.cli.report._common import display_path, ordered
from mfok_lint.core.diagnostics import Diagnostic

SEVERITY = "major"


def project_dir() -> Optional[str]:
    return os.environ.get("CI_PROJECT_DIR") or None


def fingerprint(code: str, path: str, message: str, occurrence: int) -> str:
    digest = hashlib.sha256()
    for part in (code, path, message, str(occurrence)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def issues(diagnostics: List[Diagnostic]) -> List[Dict[str, Any]]:
    base = project_dir()
    seen: Counter = Counter()
    result = []
    for d in ordered(diagnostics):
        path = display_path(d.path, base).replace(os.sep, "/")
        identity = (d.code, path, d.message)
        occurrence = seen[identity]
        seen[identity] += 1
        result.append(
            {
                "check_name": d.code,
                "description": f"{d.code}: {d.message}",
                "severity": SEVERITY,
                "fingerprint": fingerprint(d.code, path, d.message, occurrence),
                "location": {
                    "path": path,
                    "positions": {
                        "begin": {"line": d.location.row, "column": d.location.column},
                        "end": {"line": d.end_location.row, "column": d.end_location.column},
                    },
                },
            }
        )
    return result


def render(
    diagnostics: List[Diagnostic], *, sources: Mapping[str, str], rules: Mapping[str, object], **_options
) -> str:
    return json.dumps(issues(diagnostics), indent=2, ensure_ascii=False)
