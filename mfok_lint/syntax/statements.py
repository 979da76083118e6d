"""Statement-level walks: for questions about statements (imports, assignments, definitions).

A ``CSTVisitor`` walk visits, and rebuilds, every node of a module, expressions and whitespace included;
statements nest only inside statement bodies, so following bodies alone meets every statement after visiting
a few percent of the nodes. The order is the one a ``CSTVisitor`` meets them in (source order, parents first),
and ``enter`` prunes a compound statement the way a ``visit_`` method returning False does.
"""

from __future__ import annotations

from typing import Callable, Iterator, List, Optional

import libcst as cst

__all__ = ["statements"]


def _bodies(node: cst.CSTNode) -> List[cst.CSTNode]:
    if isinstance(node, (cst.Module, cst.IndentedBlock)):
        return list(node.body)
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.With, cst.Else, cst.Finally, cst.MatchCase)):
        return [node.body]
    if isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
        return [node.body]
    if isinstance(node, (cst.If, cst.For, cst.While)):
        return [node.body] + ([node.orelse] if node.orelse is not None else [])
    if isinstance(node, (cst.Try, cst.TryStar)):
        children: List[cst.CSTNode] = [node.body, *node.handlers]
        if node.orelse is not None:
            children.append(node.orelse)
        if node.finalbody is not None:
            children.append(node.finalbody)
        return children
    if isinstance(node, cst.Match):
        return list(node.cases)
    return []


def statements(
    node: cst.CSTNode, enter: Optional[Callable[[cst.CSTNode], bool]] = None
) -> Iterator[cst.CSTNode]:
    """Every compound statement, clause and small statement under ``node`` (itself included), pre-order.

    ``enter(n)`` is asked for every compound statement and clause; False skips ``n`` and all it contains.
    """
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            yield current
            yield from current.body
            continue
        if enter is not None and not enter(current):
            continue
        yield current
        stack.extend(reversed(_bodies(current)))
