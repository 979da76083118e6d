"""What a rule sees of one file: the parsed source, the file models, and ``report()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional

import libcst as cst
import yaml

from mfok_lint.core.diagnostics import Diagnostic, Edit, Fix, Locator, diagnostic_for
from mfok_lint.core.spans import Span, Target  # noqa: F401 - part of the context's vocabulary
from mfok_lint.syntax.source_file import SourceFile

if TYPE_CHECKING:  # pragma: no cover
    from mfok_lint.rules.base import Rule


class FileContext(SourceFile):
    def __init__(self, path: str, text: str, module: cst.Module, settings: Any = None) -> None:
        super().__init__(path, text, module, settings)
        self.diagnostics: List[Diagnostic] = []

    @property
    def commands(self):
        from mfok_lint.model.commands import build_commands

        return self.lazy("commands", build_commands)

    def report(
        self,
        rule: "Rule",
        target: Target,
        message: Optional[str] = None,
        fix: Optional[Fix] = None,
        **extra: Any,
    ) -> Diagnostic:
        start, end = self.offsets(target)
        diag = diagnostic_for(rule, self.path, self.locator, start, end, message, fix, **extra)
        self.diagnostics.append(diag)
        return diag


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
        return self.report_span(rule, start, end, message, fix)

    def report_span(
        self, rule, start: int, end: int, message: Optional[str] = None, fix: Optional[Fix] = None
    ) -> Diagnostic:
        """A finding at text offsets, for positions inside a scalar (a command in a ``run:`` script)."""
        diag = diagnostic_for(rule, self.path, self.locator, start, end, message, fix)
        self.diagnostics.append(diag)
        return diag

    def insert_at(self, offset: int, content: str) -> Edit:
        location = self.locator.location(offset)
        return Edit(offset, offset, content, location, location)
