"""Workflow files (``.github/workflows/*.yml``): parsed with PyYAML's composer, which keeps a line and column for
every node, so a finding points at the exact offending key. Imported only when a workflow file is linted.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import yaml

from mfok_lint.diagnostics import Diagnostic, Fix, Locator


class YamlContext:
    def __init__(self, path: str, text: str, root: Optional[yaml.Node]) -> None:
        self.path = path
        self.text = text
        self.root = root
        self.locator = Locator(text)
        self.diagnostics: List[Diagnostic] = []

    def report(self, rule, node: yaml.Node, message: Optional[str] = None, fix: Optional[Fix] = None) -> Diagnostic:
        start = self.locator.offset(node.start_mark.line + 1, node.start_mark.column + 1)
        end = self.locator.offset(node.end_mark.line + 1, node.end_mark.column + 1)
        diag = Diagnostic(
            code=rule.code,
            message=message or rule.message,
            path=self.path,
            location=self.locator.location(start),
            end_location=self.locator.location(end),
            fix=fix,
            name=rule.name,
            url=rule.url,
            preview=rule.preview,
        )
        self.diagnostics.append(diag)
        return diag


def run_yaml_rules(path: str, text: str, rules: Sequence, internal_errors, report_syntax: bool = True) -> List[Diagnostic]:
    from mfok_lint.engine import _record, _syntax_error_diag

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
