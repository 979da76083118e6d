"""What a rule sees of the unit it checks, and the one way it reports: ``ctx.report(target, message, fix)``.

One class for every kind of unit. ``ctx.kind`` says which:
- ``"python"``: a Python module. ``ctx.module`` (libcst) when the rule needs ``"cst"``, ``ctx.ast`` (CPython's
  tree) when it needs ``"ast"``, ``ctx.commands`` (the command model) when it needs ``"commands"``, and
  ``ctx.nodes(cst.Call, ...)`` / ``ctx.functions_around(node)`` for the node classes the rule declares in its
  ``needs``, and ``ctx.package_code`` (every module of the extension around it) when it needs ``"package"``;
- ``"template"``: a template file of an extension package, seen as a module whose one statement assigns the
  file's text to a name (``lint.templates``); everything above applies, findings are mapped back to the file;
- ``"workflow"``: a GitHub Actions workflow: ``ctx.root`` is its composed YAML node tree;
- ``"package"``: the extension package around a configuration file: ``ctx.package`` (``model.package``); findings
  go into that configuration file, the only file of the package this pass reports into.

A target is a node of the unit (a libcst node, or a YAML node of a workflow), a ``Span`` inside a node, or absolute
``(start, end)`` character offsets. Files beside the unit are read through ``ctx.read_text`` and its siblings,
which record what was read, so cached findings follow those files without the rule knowing.

The models a rule asks for are computed once per unit and shared by every rule of the pass (``ctx.lazy``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional, Tuple

import libcst as cst

from mfok_lint.core import dependencies
from mfok_lint.core.diagnostics import Diagnostic, Fix, diagnostic_for
from mfok_lint.core.metaflow_contract import MetaflowRange, newest_known
from mfok_lint.core.spans import Target
from mfok_lint.syntax import pyast
from mfok_lint.syntax.source_file import SourceFile

if TYPE_CHECKING:  # pragma: no cover
    import ast

    import yaml

    from mfok_lint.model.package import PackageModel
    from mfok_lint.model.package_code import PackageCode

PYTHON, TEMPLATE, WORKFLOW, PACKAGE = "python", "template", "workflow", "package"


class Context(SourceFile):
    def __init__(
        self, kind: str, path: str, text: str, module: Optional[cst.Module] = None, metaflow: Optional[MetaflowRange] = None
    ) -> None:
        super().__init__(path, text, module)
        self.kind = kind
        # The Metaflow releases the code is judged against (``target-metaflow-version``, or those the file's
        # distribution claims): a rule whose requirement changed between releases checks theirs.
        self.metaflow: MetaflowRange = metaflow if metaflow is not None else MetaflowRange.of(newest_known())
        self.diagnostics: List[Diagnostic] = []
        self.rule: Optional[Any] = None  # the rule (``rules.base.Rule``) whose check is running: findings are its
        self.root: Optional["yaml.Node"] = None  # workflow units
        self.package: Optional["PackageModel"] = None  # package units

    # ---- reporting ---------------------------------------------------------------------------------------------
    def report(self, target: Target, message: Optional[str] = None, fix: Optional[Fix] = None, **extra: Any) -> Diagnostic:
        """A finding of the running rule at ``target``; ``message`` defaults to the rule's summary."""
        if self.rule is None:
            raise RuntimeError("report() outside a rule's check")
        start, end = self.offsets(target)
        diag = diagnostic_for(self.rule, self.path, self.locator, start, end, message, fix, **extra)
        self.diagnostics.append(diag)
        return diag

    def offsets(self, target: Target) -> Tuple[int, int]:
        mark = getattr(target, "start_mark", None)
        if mark is not None:  # a YAML node
            end = target.end_mark  # type: ignore[union-attr]
            return (
                self.locator.offset(mark.line + 1, mark.column + 1),
                self.locator.offset(end.line + 1, end.column + 1),
            )
        return super().offsets(target)

    # ---- Python units ------------------------------------------------------------------------------------------
    @property
    def ast(self) -> Optional["ast.Module"]:
        """CPython's tree of the text (shared with every other reader of it), or None when CPython cannot parse it."""
        return pyast.parse(self.text)

    @property
    def commands(self):
        """Every Metaflow command the module builds (``model.commands``)."""
        from mfok_lint.model.commands import commands_of

        return commands_of(self)

    def nodes(self, *classes):
        """The module's nodes of these classes, in walk order; a rule reads only the classes it declares in its
        ``needs`` (they are what the engine's one shared walk collects)."""
        if self.rule is not None:
            undeclared = [cls.__name__ for cls in classes if cls not in self.rule.needs]
            if undeclared:
                raise LookupError(f"{self.rule.code} reads {', '.join(undeclared)} nodes without declaring them in needs")
        return super().nodes(*classes)

    @property
    def package_code(self) -> "PackageCode":
        """The other modules of the extension the file belongs to (``model.package_code``), for a rule that declares
        ``"package"`` in its ``needs``."""
        if self.rule is not None and "package" not in self.rule.needs:
            raise LookupError(f"{self.rule.code} reads the package without declaring it in needs")
        from mfok_lint.model.package_code import package_code

        return package_code(self)

    # ---- files beside the unit (recorded, so cached findings follow them) -----------------------------------
    @staticmethod
    def read_bytes(path: str) -> Optional[bytes]:
        return dependencies.read_bytes(path)

    @staticmethod
    def read_text(path: str) -> Optional[str]:
        return dependencies.read_text(path)

    @staticmethod
    def list_dir(path: str) -> List[str]:
        return dependencies.list_dir(path)

    @staticmethod
    def is_file(path: str) -> bool:
        return dependencies.is_file(path)

    @staticmethod
    def is_dir(path: str) -> bool:
        return dependencies.is_dir(path)

    @staticmethod
    def note_read(path: str, kind: str = "file") -> None:
        """Record an input read by other means (``os.walk``, a memoised reader)."""
        dependencies.note(path, kind)
