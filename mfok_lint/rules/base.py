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

import enum
import re
from typing import TYPE_CHECKING, ClassVar, Optional, Tuple, Union

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst

    from mfok_lint.rules.context import FileContext

DOCS_URL = "https://mfok.readthedocs.io/en/latest/rules/{code}/"


class FixAvailability(str, enum.Enum):
    ALWAYS = "always"
    SOMETIMES = "sometimes"
    NONE = "none"

    @property
    def ruff_label(self) -> str:
        """The phrase ruff's `rule --output-format json` uses in its "fix" key."""
        return {
            "always": "Fix is always available.",
            "sometimes": "Fix is sometimes available.",
            "none": "Fix is not available.",
        }[self.value]


class RuleKind(str, enum.Enum):
    PYTHON = "python"  # one Python file at a time
    PACKAGE = "package"  # needs the extension's other files (cross-file)
    YAML = "yaml"  # GitHub Actions workflow files
    META = "meta"  # produced by the engine itself (syntax error, noqa bookkeeping)


class Rule:
    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    message: ClassVar[str] = ""  # one sentence; the default diagnostic message and the rule summary
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    preview: ClassVar[bool] = False
    kind: ClassVar[RuleKind] = RuleKind.PYTHON
    triggers: ClassVar[Tuple[Union[bytes, "re.Pattern[bytes]"], ...]] = ()
    capability: ClassVar[Optional[str]] = None  # the mfok_runtime Cap this rule protects
    lint_tests: ClassVar[bool] = False  # whether the rule also applies to test files (see is_test_path)

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)

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
