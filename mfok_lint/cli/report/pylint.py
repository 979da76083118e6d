"""Pylint's parseable layout, ``path:row: [CODE] message``, which many editors and CI annotators read."""

from __future__ import annotations

from typing import List, Mapping

from mfok_lint.cli.report._common import display_path, ordered
from mfok_lint.core.diagnostics import Diagnostic


def render(
    diagnostics: List[Diagnostic], *, sources: Mapping[str, str], rules: Mapping[str, object], **_options
) -> str:
    return "".join(
        f"{display_path(d.path)}:{d.location.row}: [{d.code}] {d.message}\n" for d in ordered(diagnostics)
    )
