"""The rule protocol. One rule = one module in this package, holding one ``Rule`` subclass.

A rule declares what it needs so the engine can skip work:
- ``triggers``: byte strings (or compiled ``bytes`` regexes) of which at least one must occur in a file's raw
  bytes for the rule to run on it (the cheap prefilter: most files never mention a Metaflow command). Empty =
  always run. Rules whose question needs a finer text test override ``applies_to``.
- ``applies_to_path()``: rules about the extension layout only look at files inside ``metaflow_extensions/``.
- ``applies_to_file()``: both of the above; a rule whose screen needs the path and the text together (a file
  beside the linted one) overrides it, and reads other files only through ``mfok_lint.core.dependencies``.
- ``visitor()``: an optional libcst ``BatchableCSTVisitor``; all selected rules' visitors share ONE traversal.
  Its ``METADATA_DEPENDENCIES`` are resolved only when the rule runs on a file.
- ``check()``: runs after the traversal; most rules ask the lazily built file model (``ctx.commands``, ...).
Rules never import metaflow and never execute the code they check.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar, Optional, Tuple, Union

from mfok_lint.rules.registry import FixAvailability, RuleKind, RuleRow

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst

    from mfok_lint.rules.context import FileContext



class Rule:
    row: ClassVar[RuleRow]  # the rule's registry row, attached when the registry loads the rule's module
    triggers: ClassVar[Tuple[Union[bytes, "re.Pattern[bytes]"], ...]] = ()
    lint_tests: ClassVar[bool] = False  # whether the rule also applies to test files (see is_test_path)

    # What the registry says of the rule, read through its row.
    @property
    def code(self) -> str:
        return self.row.code

    @property
    def name(self) -> str:
        return self.row.name

    @property
    def message(self) -> str:
        """The default message of a finding: the row's summary."""
        return self.row.summary

    @property
    def kind(self) -> RuleKind:
        return self.row.kind

    @property
    def fix_availability(self) -> FixAvailability:
        return self.row.fix

    @property
    def preview(self) -> bool:
        return self.row.preview

    @property
    def url(self) -> str:
        return self.row.url

    def applies_to(self, raw: bytes) -> bool:
        if not self.triggers:
            return True
        for trigger in self.triggers:
            if trigger.search(raw) if isinstance(trigger, re.Pattern) else trigger in raw:
                return True
        return False

    def applies_to_path(self, path: str) -> bool:
        return True

    def applies_to_file(self, path: str, raw: bytes) -> bool:
        """Whether the rule could report anything in this file; the engine parses only files some rule wants."""
        return self.applies_to_path(path) and self.applies_to(raw)

    def visitor(self, ctx: "FileContext") -> "Optional[cst.BatchableCSTVisitor]":
        return None

    def check(self, ctx: "FileContext") -> None:
        """Report findings with ``ctx.report(self, node, ...)``."""

    def check_package(self, package) -> None:
        """PACKAGE rules: judge the extension package around a file (see ``mfok_lint.model.package``)."""

    def __repr__(self) -> str:
        return f"<{self.code} {self.name}>"
