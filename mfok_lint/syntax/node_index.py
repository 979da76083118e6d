"""Every node of some libcst classes in a module, in source order, with the functions around each.

Rules that look at nodes of a kind (every ``Call``, every ``Raise``) declare those classes in their ``needs``; the
engine collects the union for all rules in the one shared traversal of the file (a batched visitor, see
``syntax.visiting``), instead of each rule walking the tree. ``nodes(Call, FunctionDef)`` keeps the order of the
walk (parents before children, source order), so a rule that reads several classes sees them as a visitor would.
"""

from __future__ import annotations

from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, Tuple, Type

import libcst as cst

NodeClass = Type[cst.CSTNode]
_NO_FUNCTIONS: Tuple[cst.FunctionDef, ...] = ()


class NodeIndex(cst.BatchableCSTVisitor):
    def __init__(self, classes: Iterable[NodeClass]) -> None:
        super().__init__()
        self.classes: FrozenSet[NodeClass] = frozenset(classes)
        self.order: List[cst.CSTNode] = []
        self._functions: Dict[int, Tuple[cst.FunctionDef, ...]] = {}
        self._around: Tuple[cst.FunctionDef, ...] = ()  # the functions around the walk's position, shared by reference
        self._queries: Dict[Tuple[NodeClass, ...], List[cst.CSTNode]] = {}
        self.complete = False

    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        visitors: Dict[str, Callable[[cst.CSTNode], None]] = {}
        for cls in self.classes:
            if cls is not cst.FunctionDef:
                visitors[f"visit_{cls.__name__}"] = self._collect
        visitors["visit_FunctionDef"] = self._enter_function
        visitors["leave_FunctionDef"] = self._leave_function
        visitors["leave_Module"] = self._finish
        return visitors

    def _collect(self, node: cst.CSTNode) -> None:
        self.order.append(node)
        if self._around:
            self._functions[id(node)] = self._around

    def _enter_function(self, node: cst.CSTNode) -> None:
        if cst.FunctionDef in self.classes:
            self._collect(node)
        self._around = self._around + (node,)  # type: ignore[operator]

    def _leave_function(self, node: cst.CSTNode) -> None:
        self._around = self._around[:-1]

    def _finish(self, node: cst.CSTNode) -> None:
        self.complete = True

    # ---- queries ----------------------------------------------------------------------------------------------
    def nodes(self, *classes: NodeClass) -> List[cst.CSTNode]:
        """The collected nodes of these classes, in walk order."""
        found = self._queries.get(classes)
        if found is None:
            missing = [cls.__name__ for cls in classes if cls not in self.classes]
            if missing:
                raise LookupError(f"{', '.join(missing)} not collected: declare the class in the rule's needs")
            found = self._queries[classes] = [node for node in self.order if isinstance(node, classes)]
        return found

    def functions_around(self, node: cst.CSTNode) -> Tuple[cst.FunctionDef, ...]:
        """The function definitions enclosing a collected node, outermost first (a function is not its own)."""
        return self._functions.get(id(node), _NO_FUNCTIONS)
