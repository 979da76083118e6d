"""Checking a workflow file (``.github/workflows/*.yml``): compose its YAML keeping positions, run the workflow rules."""

from __future__ import annotations

from typing import List, Sequence

import yaml

from mfok_lint.core.diagnostics import Diagnostic, Locator
from mfok_lint.lint.errors import _record, _syntax_error_diag
from mfok_lint.rules.context import YamlContext


def run_yaml_rules(
    path: str, text: str, rules: Sequence, internal_errors, report_syntax: bool = True
) -> List[Diagnostic]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if not report_syntax:
            return []
        row, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return [_syntax_error_diag(path, text, Locator(text), f"YAML error: {getattr(exc, 'problem', exc)}", row, col)]
    ctx = YamlContext(path, text, root)
    for rule in rules:
        try:
            rule.check_yaml(ctx)
        except Exception as exc:  # noqa: BLE001 - a rule bug must not end the run
            _record(internal_errors, path, rule, exc)
    return ctx.diagnostics
