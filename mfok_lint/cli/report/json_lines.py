"""One compact JSON object per line (ruff's ``json-lines``), same schema as the ``json`` format."""

from __future__ import annotations

import json
from typing import List, Mapping

from mfok_lint.cli.report.json_format import objects
from mfok_lint.core.diagnostics import Diagnostic


def render(
    diagnostics: List[Diagnostic], *, sources: Mapping[str, str], rules: Mapping[str, object], **_options
) -> str:
    return "".join(
        json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n"
        for obj in objects(diagnostics, sources, rules)
    )
