"""Statements of a function in order, and the definitions of a name that reach one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst


@dataclass
class Unit:
    """One statement (or a compound statement's header) of a function, in textual order."""

    order: int
    path: Tuple[int, ...]  # ids of the enclosing blocks, outermost first
    node: cst.CSTNode  # the small statement or header expression
    stmt: cst.CSTNode  # the full statement that holds it (where a fix inserts)


@dataclass
class Definition:
    name: str
    unit: Optional[Unit]  # None: the function parameter
    value: Optional[cst.BaseExpression]  # None: a parameter or an unanalysable binding
    from_click: bool = False


@dataclass
class FunctionFacts:
    func: cst.FunctionDef
    units: List[Unit] = field(default_factory=list)
    defs: Dict[str, List[Definition]] = field(default_factory=dict)


class UnitCollector:
    """Flattens a function body into ordered units with their block paths."""

    def __init__(self, facts: FunctionFacts) -> None:
        self.facts = facts

    def block(self, body: Sequence[cst.CSTNode], path: Tuple[int, ...]) -> None:
        for stmt in body:
            self.statement(stmt, path)

    def _add(self, node: cst.CSTNode, stmt: cst.CSTNode, path: Tuple[int, ...]) -> Unit:
        unit = Unit(len(self.facts.units), path, node, stmt)
        self.facts.units.append(unit)
        return unit

    def suite(self, suite: cst.BaseSuite, path: Tuple[int, ...]) -> None:
        if isinstance(suite, cst.IndentedBlock):
            self.block(suite.body, path)
        elif isinstance(suite, cst.SimpleStatementSuite):
            for small in suite.body:
                self._add(small, suite, path)

    def statement(self, stmt: cst.CSTNode, path: Tuple[int, ...]) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._add(small, stmt, path)
            return
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            return  # analysed on their own
        inner = path + (id(stmt),)
        if isinstance(stmt, cst.If):
            self._add(stmt.test, stmt, path)
            self.suite(stmt.body, inner + (1,))
            orelse = stmt.orelse
            while orelse is not None:
                if isinstance(orelse, cst.If):
                    self._add(orelse.test, stmt, inner)
                    self.suite(orelse.body, inner + (id(orelse), 1))
                    orelse = orelse.orelse
                else:
                    self.suite(orelse.body, inner + (2,))
                    orelse = None
        elif isinstance(stmt, (cst.For, cst.While)):
            header = stmt.iter if isinstance(stmt, cst.For) else stmt.test
            self._add(header, stmt, path)
            self.suite(stmt.body, inner + (1,))
            if stmt.orelse is not None:
                self.suite(stmt.orelse.body, inner + (2,))
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                self._add(item.item, stmt, path)
            self.suite(stmt.body, path)  # a with-body runs unconditionally
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            self.suite(stmt.body, path)
            for i, handler in enumerate(stmt.handlers):
                self.suite(handler.body, inner + (10 + i,))
            if stmt.orelse is not None:
                self.suite(stmt.orelse.body, inner + (2,))
            if stmt.finalbody is not None:
                self.suite(stmt.finalbody.body, path)
        elif isinstance(stmt, cst.Match):
            self._add(stmt.subject, stmt, path)
            for i, case in enumerate(stmt.cases):
                self.suite(case.body, inner + (10 + i,))


def reaching(facts: FunctionFacts, name: str, at: Unit) -> List[Definition]:
    """The definitions of ``name`` that may reach ``at``: the last unconditional one before it (its block path
    a prefix of ``at``'s) and every one after that; all of them when none is unconditional."""
    defs = facts.defs.get(name, [])
    before = [d for d in defs if d.unit is None or d.unit.order < at.order]
    base_index = -1
    for i, d in enumerate(before):
        if d.unit is None or at.path[: len(d.unit.path)] == d.unit.path:
            base_index = i
    if base_index == -1:
        return before
    return before[base_index:]
