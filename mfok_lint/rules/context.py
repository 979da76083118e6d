"""Per-file state shared by all rules during one lint pass.

Everything expensive is lazy: positions (a full metadata walk) are resolved only when the first finding
of the file is reported, the command model only when a rule asks for it. The libcst module is wrapped
without a deep copy, and nothing here outlives the file's pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union

import libcst as cst

from mfok_lint.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Locator, diagnostic_for
from mfok_lint.syntax.visiting import MetadataWrapper

if TYPE_CHECKING:  # pragma: no cover
    from mfok_lint.rules.base import Rule


@dataclass(frozen=True)
class Span:
    """A piece of source: a node, optionally narrowed to [start, end) characters of that node's own code.

    Tokens found inside string literals (shell scripts, generated source) point into their literal this way.
    """

    node: cst.CSTNode
    start: Optional[int] = None
    end: Optional[int] = None


Target = Union[cst.CSTNode, Span, Tuple[int, int]]  # a node, a span, or absolute (start, end) offsets


class FileContext:
    def __init__(self, path: str, text: str, module: cst.Module, settings: Any = None) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.settings = settings
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.locator = Locator(text)
        self.diagnostics: List[Diagnostic] = []
        self._spans: Optional[Dict[cst.CSTNode, Tuple[int, int]]] = None
        self._cache: Dict[str, Any] = {}

    # ---- lazily computed models ------------------------------------------------------------------------
    def lazy(self, key: str, factory):
        """Memoise a per-file model (e.g. the command model) for every rule of this pass."""
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = factory(self)
            return value

    def cached(self, key: str):
        """The model memoised under ``key``, or None when nothing has built it (no factory runs)."""
        return self._cache.get(key)

    @property
    def commands(self):
        from mfok_lint.model.commands import build_commands

        return self.lazy("commands", build_commands)

    def metadata(self, provider):
        """Resolve one libcst metadata provider for this file (computed once, only when asked)."""
        key = "meta:" + provider.__name__
        return self.lazy(key, lambda ctx: ctx.wrapper.resolve(provider))

    # ---- positions ---------------------------------------------------------------------------------------
    def node_range(self, node: cst.CSTNode) -> Tuple[int, int]:
        """Absolute (start, end) character offsets of a node (where libcst's ``PositionProvider`` puts it)."""
        if self._spans is None:
            from mfok_lint.syntax.offsets import node_offsets

            self._spans = node_offsets(self.module)
        return self._spans[node]

    def node_line(self, node: cst.CSTNode) -> int:
        """The 1-based line a node starts on."""
        return self.locator.location(self.node_range(node)[0]).row

    def offsets(self, target: Target) -> Tuple[int, int]:
        if isinstance(target, tuple):
            return target
        if isinstance(target, Span):
            start, end = self.node_range(target.node)
            if target.start is not None:
                s = start + target.start
                e = start + (target.end if target.end is not None else target.start)
                return s, min(e, end)
            return start, end
        return self.node_range(target)

    def code_for(self, node: cst.CSTNode) -> str:
        start, end = self.node_range(node)
        return self.text[start:end]

    # ---- reporting ---------------------------------------------------------------------------------------
    def edit(self, target: Target, content: str) -> Edit:
        start, end = self.offsets(target)
        return Edit(start, end, content, self.locator.location(start), self.locator.location(end))

    def insert_at(self, offset: int, content: str) -> Edit:
        loc = self.locator.location(offset)
        return Edit(offset, offset, content, loc, loc)

    def make_fix(self, applicability: Applicability, message: str, edits: Sequence[Edit]) -> Fix:
        return Fix(Applicability(applicability), message, tuple(sorted(edits, key=lambda e: (e.start, e.end))))

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
