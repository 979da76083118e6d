"""One parsed Python text: its libcst module, character offsets of its nodes, and models memoised for it.

Everything expensive is lazy: node offsets (a code generation of the module) are computed when the first one is
asked for, each model when a rule first asks for it. The module is wrapped without a deep copy, and nothing here
outlives the pass over the file.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from mfok_lint.core.diagnostics import Applicability, Edit, Fix, Locator
from mfok_lint.core.spans import Span, Target
from mfok_lint.syntax.node_index import NodeClass, NodeIndex
from mfok_lint.syntax.visiting import MetadataWrapper


class SourceFile:
    def __init__(self, path: str, text: str, module: Optional[cst.Module] = None) -> None:
        self.path = path
        self.text = text
        self.locator = Locator(text)
        self._module = module
        self._wrapper: Optional[MetadataWrapper] = None
        self._spans: Optional[Dict[cst.CSTNode, Tuple[int, int]]] = None
        self._cache: Dict[str, Any] = {}
        self.node_index: Optional[NodeIndex] = None  # filled by the engine's shared walk

    @property
    def module(self) -> cst.Module:
        if self._module is None:
            raise LookupError(f"{self.path}: no libcst module was parsed for this file")
        return self._module

    def attach_module(self, module: cst.Module) -> None:
        """Give the file the module parsed from its text (once)."""
        if self._module is not None and self._module is not module:
            raise ValueError(f"{self.path}: a module is attached already")
        self._module = module

    @property
    def wrapper(self) -> MetadataWrapper:
        """The module wrapped for metadata and batched visits, without a deep copy."""
        if self._wrapper is None:
            self._wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        return self._wrapper

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

    def metadata(self, provider):
        """Resolve one libcst metadata provider for this file (computed once, only when asked)."""
        key = "meta:" + provider.__name__
        return self.lazy(key, lambda ctx: ctx.wrapper.resolve(provider))

    # ---- nodes by class ------------------------------------------------------------------------------------
    def nodes(self, *classes: NodeClass) -> List[cst.CSTNode]:
        """The module's nodes of these classes, in walk order (from the shared walk's index when it has them)."""
        return self._index(classes).nodes(*classes)

    def functions_around(self, node: cst.CSTNode) -> Tuple[cst.FunctionDef, ...]:
        """The function definitions enclosing a node ``nodes()`` returned, outermost first."""
        return self._index((type(node),)).functions_around(node)

    def _index(self, classes: Tuple[NodeClass, ...]) -> NodeIndex:
        index = self.node_index
        if index is None or not index.complete or not index.classes.issuperset(classes):
            # No shared walk collected these classes (a model or test asking on its own): walk for them.
            from mfok_lint.syntax import visiting

            wanted = set(classes) | (set(index.classes) if index is not None and index.complete else set())
            index = self.node_index = NodeIndex(wanted)
            visiting.visit_batched(self.module, [index])
        return index

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

    # ---- edits -------------------------------------------------------------------------------------------
    def edit(self, target: Target, content: str) -> Edit:
        start, end = self.offsets(target)
        return Edit(start, end, content, self.locator.location(start), self.locator.location(end))

    def insert_at(self, offset: int, content: str) -> Edit:
        loc = self.locator.location(offset)
        return Edit(offset, offset, content, loc, loc)

    def make_fix(self, applicability: Applicability, message: str, edits: Sequence[Edit]) -> Fix:
        return Fix(Applicability(applicability), message, tuple(sorted(edits, key=lambda e: (e.start, e.end))))
