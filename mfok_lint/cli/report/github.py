"""GitHub Actions workflow commands: one ``::error`` annotation per finding.

    ::error title=mfok-lint (CODE),file=/abs/path,line=R,col=C,endLine=R,endColumn=C::path:R:C: CODE message

Design decisions:
- Values are escaped the way the Actions runner unescapes them: ``%``, CR and LF in the message, and
  additionally ``:`` and ``,`` in properties. ruff 0.17 writes both raw, so a file name holding a comma
  or a message holding ``%0A`` comes out garbled there; escaping costs nothing for ordinary text.
- The fix's message follows on a second annotation line (``help: ...``) like ruff's.
- Columns are given only for single-line findings: GitHub ignores them on multi-line annotations and
  ruff leaves them out there too.
- ``file`` is absolute, as ruff writes it; the runner maps it into the workspace.
"""

from __future__ import annotations

from typing import List, Mapping

from mfok_lint.cli.report._common import absolute_path, display_path, help_text, ordered
from mfok_lint.core.diagnostics import Diagnostic

TOOL = "mfok-lint"


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    properties = [
        ("title", f"{TOOL} ({d.code})"),
        ("file", absolute_path(d.path)),
        ("line", str(d.location.row)),
    ]
    if d.location.row == d.end_location.row:
        properties.append(("col", str(d.location.column)))
    properties.append(("endLine", str(d.end_location.row)))
    if d.location.row == d.end_location.row:
        properties.append(("endColumn", str(d.end_location.column)))
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    message = f"{display_path(d.path)}:{d.location.row}:{d.location.column}: {d.code} {d.message}"
    advice = help_text(d)
    if advice:
        message += f"\n  help: {advice}"
    return f"::error {props}::{escape_data(message)}"


def render(
    diagnostics: List[Diagnostic], *, sources: Mapping[str, str], rules: Mapping[str, object], **_options
) -> str:
    return "".join(annotation(d) + "\n" for d in ordered(diagnostics))
