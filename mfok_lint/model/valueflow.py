"""Where a command-line value comes from: the few assignment shapes extension code uses, followed by name.

Several command rules ask "was this option value computed from X?" (a formatted branch, an internal
``.TYPE``). The answer needs only what extensions actually write: a local ``name = expr`` in the function
building the command, tuple unpacking of a call, and ``self.attr = expr`` anywhere in the file (set in
``__init__``, read in a builder). Parameters, loop variables and values from other modules are left
unresolved: a rule that cannot see the origin stays silent.

Decisions:
* No ScopeProvider and no cross-module following: one cheap walk per function, one per file, memoised on
  the file context, so several rules share it.
* ``"--opt=%s" % x`` and ``f"--opt={x}"`` are traced through their substituted operands, so the origin a
  rule quotes is the operand, not the whole template.
"""

from __future__ import annotations

from typing import Callable, Dict, Iterator, List, Optional, Set

import libcst as cst

from mfok_lint.model.environment import dotted_name

from mfok_lint.model.walk import statements

__all__ = ["Assignments", "code_of", "small_statements", "trace_origin"]

_EMPTY = cst.Module(body=[])
MAX_HOPS = 4


def code_of(node: Optional[cst.CSTNode]) -> str:
    if node is None:
        return ""
    try:
        return _EMPTY.code_for_node(node)
    except Exception:  # a node of a generated-source tree is still renderable; stay defensive
        return ""


def small_statements(node: cst.CSTNode) -> Iterator[cst.BaseSmallStatement]:
    """Every small statement under ``node``, in source order (see ``model.walk``).

    Assignments are statements, so this index no longer walks every expression node, which made it the most
    expensive part of several rules.
    """
    for statement in statements(node):
        if isinstance(statement, cst.BaseSmallStatement):
            yield statement


class Assignments:
    """Dotted name -> every value expression assigned to it (tuple targets paired with the whole call)."""

    def __init__(self) -> None:
        self.values: Dict[str, List[cst.BaseExpression]] = {}

    def collect(self, node: cst.CSTNode) -> "Assignments":
        for statement in small_statements(node):
            if isinstance(statement, cst.Assign):
                self.visit_Assign(statement)
            elif isinstance(statement, cst.AnnAssign):
                self.visit_AnnAssign(statement)
        return self

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        name = dotted_name(target)
        if name is not None:
            self.values.setdefault(name, []).append(value)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(target.elements):
                for t, v in zip(target.elements, value.elements):
                    self._bind(t.value, v.value)
            elif isinstance(value, cst.Call):
                for t in target.elements:
                    self._bind(t.value, value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)


def _assignments_of(ctx, node: Optional[cst.CSTNode]) -> Optional[Assignments]:
    if node is None:
        return None
    cache = ctx.lazy("valueflow.assignments", lambda _ctx: {})
    found = cache.get(id(node))
    if found is None:
        found = cache[id(node)] = Assignments().collect(node)
    return found


def trace_origin(
    ctx, expr: cst.BaseExpression, function: Optional[cst.FunctionDef], matches: Callable[[str], Optional[str]]
) -> Optional[str]:
    """The first source text ``matches`` accepts among ``expr`` and the values it was assigned from.

    The assignment indexes are built only when a name has to be followed: most values match or fail on
    their own text, and a walk of a large module costs more than every rule's check together.
    """
    scopes: Dict[str, Optional[Assignments]] = {}

    def assignments(kind: str) -> Optional[Assignments]:
        if kind not in scopes:
            scopes[kind] = _assignments_of(ctx, function if kind == "local" else ctx.module)
        return scopes[kind]

    return _trace(expr, assignments, matches, set(), 0)


def _trace(expr, assignments, matches, seen: Set[str], hops: int) -> Optional[str]:
    if hops > MAX_HOPS:
        return None
    inner: List[cst.BaseExpression] = []
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        right = expr.right
        inner = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
    elif isinstance(expr, cst.FormattedString):
        inner = [p.expression for p in expr.parts if isinstance(p, cst.FormattedStringExpression)]
    if inner:
        for part in inner:
            found = _trace(part, assignments, matches, seen, hops + 1)
            if found is not None:
                return found
        return None
    found = matches(code_of(expr))
    if found is not None:
        return found
    name = dotted_name(expr)
    if name is None or name in seen:
        return None
    seen.add(name)
    scope = assignments("file" if name.startswith("self.") else "local")
    values = scope.values.get(name, []) if scope is not None else []
    for value in values:
        found = _trace(value, assignments, matches, seen, hops + 1)
        if found is not None:
            return found
    return None
