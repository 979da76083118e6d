"""The rule contract. One rule = one module in this package holding one ``Rule`` subclass, plus its registry row
(``registry.py``), its catalog page (``rules_catalog/<CODE>.md``) and its tests (``tests/rules/test_<code>.py``).

A rule says three things, and the engine derives everything else from them:

``needs``
    What ``check`` reads of the unit, so the engine knows which parse to do and which shared walks to run:
    ``"ast"`` (CPython's tree; a rule that needs nothing more gets no libcst parse), ``"cst"`` (the libcst
    module, node offsets, edits), ``"commands"`` (the command model), ``"code_strings"`` (generated code held in
    string literals), ``"package"`` (``ctx.package_code``: the other modules of the extension, for questions one
    file cannot answer), and libcst node classes (``cst.Call``): the nodes ``ctx.nodes(...)`` returns, collected
    for every rule in one walk. Workflow and package rules read ``ctx.root`` / ``ctx.package`` and need nothing.
``triggers``
    The cheap tests of ``mfok_lint.prefilter`` under which the rule can report in a file at all
    (``Text(b"retry-count") & CommandText()``). Files where they fail are never parsed for the rule.
``check(ctx)``
    Looks at the unit and calls ``ctx.report(target, message=None, fix=None)`` for each finding.

What a rule is called, its status, its fix availability and its summary are its registry row; rules never
import metaflow and never execute the code they check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, FrozenSet, Tuple, Union

from mfok_lint.prefilter import ALWAYS, Trigger
from mfok_lint.rules.registry import FixAvailability, RuleKind, RuleRow

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst

    from mfok_lint.rules.context import Context

Need = Union[str, type]
# What a need brings besides itself: every model is read from the libcst module.
NEEDS_CST = frozenset({"cst", "commands", "code_strings", "package"})
KNOWN_NEEDS = NEEDS_CST | {"ast"}


class Rule:
    row: ClassVar[RuleRow]  # the rule's registry row, attached when the registry loads the rule's module
    needs: ClassVar[FrozenSet[Need]] = frozenset()
    triggers: ClassVar[Trigger] = ALWAYS

    def check(self, ctx: "Context") -> None:
        """Report findings with ``ctx.report(target, message=None, fix=None)``."""

    # ---- what the engine derives from the declarations ------------------------------------------------------
    def applies_to_file(self, path: str, raw: bytes) -> bool:
        """Could the rule report anything in this file? (Its ``triggers``; the engine parses only files some
        rule wants.)"""
        return self.triggers.matches(path, raw)

    def node_classes(self) -> Tuple["type[cst.CSTNode]", ...]:
        return tuple(need for need in self.needs if isinstance(need, type))

    def needs_cst(self) -> bool:
        return bool(self.node_classes()) or any(need in NEEDS_CST for need in self.needs)

    # ---- what the registry says of the rule -----------------------------------------------------------------
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

    def __repr__(self) -> str:
        return f"<{self.code} {self.name}>"
