"""MFO001 run-params-tuple: a multi-value option's tuple forwarded where a list is required.

click hands ``multiple=True`` and ``nargs=-1`` options to the command as tuples. Metaflow's programmatic
click API (``Deployer``, ``get_lower_level_group(...).trigger(**kwargs)``) type-checks every value against
``Union[List[T], Tuple[T]]``, and ``Tuple[T]`` means a tuple of exactly one element, so a tuple of two or more
run parameters (or an empty one) raises ``TypeError`` ("Invalid type for 'run_params'"); scheduler clients
that validate list-typed inputs reject tuples the same way, and ``list + tuple`` raises outright.

Where a tuple comes from and where it arrives is the value model's question (``model.values.tuples``: sources,
assignments and mappings followed, sinks, same-module helpers). Where the finding goes is where the bug is built,
and the fix (safe) prefers building a list to converting a tuple:
- A tuple the extension makes itself on every path to the sink (``run_params = tuple(...)``, ``x = params or ()``
  with no click value in it, ``()``) is reported at the expression that makes it, once however many sinks it
  reaches. When it is assigned to the forwarded variable and every other use of that variable reads a list like
  the tuple (a truth test, ``len``, iteration, membership, indexing, a mapping that carries it to the sink), the
  fix builds a list there: ``tuple(x for ...)`` becomes ``[x for ...]``, ``tuple(y)`` ``list(y)``, ``(a, b)``
  ``[a, b]``, as the catalog's "Use instead" does; any other composition is wrapped in ``list(...)``. A value
  also returned, hashed, printed or extended with a tuple is converted before the sink instead (below).
- A click multi-value value forwarded unconverted (alone or inside ``x or ()``) is reported at each arrival:
  ``name = list(name) if name else []`` goes before the first forwarding statement of the function, at that
  statement's indentation. The condition is left out where it cannot be false: inside ``if name:`` (or
  ``if name is not None:``, or an ``and`` holding one) with no assignment to ``name`` in that block, or when every
  assignment of the variable gives a value that is never ``None`` (``x or ()``, ``x if x else []``, ...).
- ``tuple(...)`` written inline at the sink becomes a list the same way.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from mfok_lint.core.diagnostics import Applicability, Edit
from mfok_lint.model.values.reaching import FunctionFacts, Unit
from mfok_lint.model.values.tuples import TUPLE_FLOW_NODES, TupleFlow, TupleFlows, tuple_flows
from mfok_lint.prefilter import Text
from mfok_lint.prefilter.screens import MultiValueClickOption
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import dotted_name

_MULTIPLE_TRUE = re.compile(rb"\bmultiple(?:[\s\\]|#[^\n]*)*=(?:[\s\\(]|#[^\n]*)*True\b")


class RunParamsTuple(Rule):
    needs = frozenset(TUPLE_FLOW_NODES)
    # A tuple is only ever judged when it is bound to a multi-value option: ``multiple=True`` (the keyword
    # ``_is_multi_value`` reads, with any whitespace, continuation, comment or parenthesis around ``=``),
    # ``nargs`` or a ``run_param(s)`` name. The bare word "multiple" in prose is not enough; and every source needs
    # a ``run_param(s)`` name or a multi-value click decorator of this file (the word ``nargs`` alone is everywhere
    # in click-based code: Metaflow vendors click itself).
    triggers = Text(_MULTIPLE_TRUE, b"nargs", b"run_param") & (Text(b"run_param") | MultiValueClickOption())

    def check(self, ctx: Context) -> None:
        analysis = tuple_flows(ctx)
        findings = analysis.run()
        by_variable: Dict[Tuple[int, str], List[TupleFlow]] = {}
        for f in findings:
            if f.variable is not None:
                by_variable.setdefault((id(analysis.function_of(f.unit)), f.variable), []).append(f)
        fixes = {key: _variable_fix(ctx, analysis, flows) for key, flows in by_variable.items()}
        reported_constructs: Set[int] = set()
        for f in sorted(findings, key=lambda f: f.unit.order):
            if f.built is not None:
                key = (id(analysis.function_of(f.unit)), f.variable)
                for construct in f.built:
                    if id(construct) in reported_constructs:
                        continue
                    reported_constructs.add(id(construct))
                    fix = _construct_fix(ctx, analysis, f, by_variable.get(key, ()), construct)
                    if fix is None and f.variable is not None:
                        fix = fixes[key]
                        advice = "forward multi-value options as a `list`"
                    elif construct is f.node:
                        advice = "forward multi-value options as a `list`"
                    else:
                        advice = "build it as a `list` here"
                    ctx.report(construct, message=f"{f.detail}; {advice}", fix=fix)
                continue
            fix = None
            if f.inline_tuple is not None:
                edits = _list_instead(ctx, f.inline_tuple)
                if edits:
                    fix = ctx.make_fix(Applicability.SAFE, "Build a `list` instead of a `tuple`", edits)
            elif f.variable is not None:
                fix = fixes[(id(analysis.function_of(f.unit)), f.variable)]
            message = f"{f.detail}; forward multi-value options as a `list`"
            ctx.report(f.node, message=message, fix=fix)


def _construct_fix(
    ctx: Context, analysis: TupleFlows, flow: TupleFlow, flows: Sequence[TupleFlow], construct: cst.BaseExpression
):
    """A list built where the tuple is built: at the sink itself, or where the forwarded variable is assigned
    when nothing else reads the variable as a tuple. None otherwise (the variable's fix converts it instead)."""
    if construct is not flow.node:
        if flow.variable is None:
            return None
        facts = analysis.facts(analysis.function_of(flow.unit))
        holders = [name for name, defs in facts.defs.items() if any(d.value is construct for d in defs)]
        if len(holders) != 1:
            return None
        # The names the tuple is handed through on its way to the forwarded variable (``forwarded = params``):
        # each of them must be read like a list everywhere but in those hand-overs.
        names, links = {holders[0]}, set()
        grown = True
        while grown:
            grown = False
            for name, defs in facts.defs.items():
                for d in defs:
                    if isinstance(d.value, cst.Name) and d.value.value in names:
                        links.add(id(d.value))
                        if name not in names:
                            names.add(name)
                            grown = True
        if flow.variable not in names:
            return None
        sinks = {id(f.node) for f in flows} | links
        for name in names:
            uses = _Uses(name, sinks)
            visiting.visit(facts.func.body, uses)
            if uses.other:
                return None
    edits = _list_instead(ctx, construct) or [ctx.edit(construct, f"list({ctx.code_for(construct)})")]
    return ctx.make_fix(Applicability.SAFE, "Build a `list` instead of a `tuple`", edits)


def _variable_fix(ctx: Context, analysis: TupleFlows, flows: Sequence[TupleFlow]):
    variable = flows[0].variable
    assert variable is not None
    facts = analysis.facts(analysis.function_of(flows[0].unit))
    built = _build_as_list(ctx, facts, variable, {id(f.node) for f in flows})
    if built:
        return ctx.make_fix(Applicability.SAFE, f"Build `{variable}` as a `list`", built)
    first = min((f.unit for f in flows), key=lambda u: u.order)
    return _conversion_fix(ctx, facts, first, variable)


def _conversion_fix(ctx: Context, facts: FunctionFacts, unit: Unit, variable: str):
    start, _ = ctx.node_range(unit.stmt)
    line_start = ctx.text.rfind("\n", 0, start) + 1
    indent = ctx.text[line_start:start]
    if indent.strip():
        return None  # the statement shares its line with another one
    if _guarded(facts, variable, unit) or _never_none(facts, variable):
        line = f"{indent}{variable} = list({variable})\n"
    else:
        line = f"{indent}{variable} = list({variable}) if {variable} else []\n"
    return ctx.make_fix(
        Applicability.SAFE, f"Convert `{variable}` to a list before forwarding it", [ctx.insert_at(line_start, line)]
    )


# ---- building a list where the tuple is built ------------------------------------------------------------------


def _build_as_list(ctx: Context, facts: FunctionFacts, variable: str, sinks: Set[int]) -> Optional[List[Edit]]:
    """Edits that build the variable as a list at each of its assignments; None when one of them is not a tuple
    written here, or when another use of the variable could tell a list from a tuple."""
    definitions = facts.defs.get(variable, [])
    if not definitions:
        return None
    edits: List[Edit] = []
    for d in definitions:
        if d.unit is None or d.value is None:
            return None  # a parameter, a loop variable, an unpacking, an augmented assignment
        found = _list_instead(ctx, d.value)
        if not found:
            return None
        edits.extend(found)
    uses = _Uses(variable, sinks)
    visiting.visit(facts.func.body, uses)
    return None if uses.other else edits


def _list_instead(ctx: Context, expr: cst.BaseExpression) -> Optional[List[Edit]]:
    """Edits turning a tuple-building expression into the list it stands for; None when it is none."""
    if isinstance(expr, cst.Call) and dotted_name(expr.func) == "tuple":
        if not expr.args:
            return [ctx.edit(expr, "[]")]
        value = expr.args[0].value
        plain = len(expr.args) == 1 and expr.args[0].keyword is None and not expr.args[0].star
        if plain and isinstance(value, cst.GeneratorExp) and not value.lpar and expr.args[0].comma is cst.MaybeSentinel.DEFAULT:
            # tuple(x for x in y) -> [x for x in y]: the call's own parentheses become the brackets.
            start, end = ctx.node_range(expr)
            opening = ctx.text.index("(", start + len(ctx.code_for(expr.func)))
            return [ctx.edit((start, opening + 1), "["), ctx.edit((end - 1, end), "]")]
        return [ctx.edit(expr.func, "list")]
    if isinstance(expr, cst.Tuple):
        edits: List[Edit] = []
        if len(expr.elements) == 1:
            comma = expr.elements[0].comma
            if isinstance(comma, cst.Comma):  # (a,) -> [a]
                start, end = ctx.node_range(comma)
                after = comma.whitespace_after
                if isinstance(after, cst.SimpleWhitespace):
                    end += len(after.value)
                edits.append(ctx.edit((start, end), ""))
        if expr.lpar:
            # The innermost parentheses become the brackets; their ranges hold the whitespace inside them.
            left, _ = ctx.node_range(expr.lpar[-1])
            _, right = ctx.node_range(expr.rpar[0])
            edits += [ctx.edit((left, left + 1), "["), ctx.edit((right - 1, right), "]")]
        else:
            start, end = ctx.node_range(expr)
            edits += [ctx.insert_at(start, "["), ctx.insert_at(end, "]")]
        return edits
    if isinstance(expr, cst.IfExp):
        edits = []
        for branch in (expr.body, expr.orelse):
            if _is_list(branch):
                continue
            found = _list_instead(ctx, branch)
            if not found:
                return None
            edits.extend(found)
        return edits or None
    return None


def _is_list(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, (cst.List, cst.ListComp)) or (
        isinstance(expr, cst.Call) and dotted_name(expr.func) in ("list", "sorted")
    )


# Calls whose result is the same for a list and a tuple of the same elements.
_SAME_FOR_LISTS = {
    "len", "list", "sorted", "set", "frozenset", "any", "all", "enumerate", "zip", "iter", "sum", "min", "max",
    "bool", "reversed",
}
_SAME_FOR_LISTS_METHODS = {"join", "extend"}


class _Uses(cst.CSTVisitor):
    """Finds a use of ``variable`` that could tell a list from a tuple (``other``)."""

    def __init__(self, variable: str, sinks: Set[int]) -> None:
        super().__init__()
        self.variable = variable
        self.sinks = sinks
        self.stack: List[cst.CSTNode] = []
        self.other = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Name) and node.value == self.variable and not self._same_for_lists(node):
            self.other = True
        self.stack.append(node)
        return not self.other

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()

    def _same_for_lists(self, name: cst.Name) -> bool:
        if id(name) in self.sinks:
            return True
        child: cst.CSTNode = name
        ancestors = list(reversed(self.stack))
        parent = ancestors[0] if ancestors else None
        if isinstance(parent, cst.Arg) and parent.keyword is child or isinstance(parent, cst.Attribute) and parent.attr is child:
            return True  # a keyword's or an attribute's name, not the variable
        if isinstance(parent, cst.AssignTarget) and parent.target is child:
            return True  # an assignment (each one was checked to build a tuple)
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is child:
            return True
        if isinstance(parent, cst.Subscript) and parent.value is child:
            return True
        if isinstance(parent, cst.ComparisonTarget) and parent.comparator is child:
            return isinstance(parent.operator, (cst.In, cst.NotIn))
        if isinstance(parent, cst.DictElement) and parent.value is child:
            return True  # carried by a mapping (the sink it reaches is among the findings)
        if isinstance(parent, cst.Assign) and parent.value is child:
            return all(isinstance(t.target, cst.Subscript) for t in parent.targets)  # kw["run_params"] = x
        if isinstance(parent, cst.Arg) and parent.value is child and not parent.star:
            call = ancestors[1] if len(ancestors) > 1 else None
            if isinstance(call, cst.Call):
                if parent.keyword is not None:
                    return dotted_name(call.func) == "dict"
                if isinstance(call.func, cst.Name):
                    return call.func.value in _SAME_FOR_LISTS
                if isinstance(call.func, cst.Attribute):
                    return call.func.attr.value in _SAME_FOR_LISTS_METHODS
            return False
        # A truth test: through ``not``, ``and``, ``or`` up to the test of an if, while, conditional or assert.
        for parent in ancestors:
            if isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.Assert)):
                return parent.test is child
            if not (
                isinstance(parent, cst.BooleanOperation)
                or (isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not))
            ):
                return False
            child = parent
        return False


# ---- when the conversion needs no condition ---------------------------------------------------------------------


def _guarded(facts: FunctionFacts, variable: str, unit: Unit) -> bool:
    """Whether ``unit`` sits in the body of an ``if`` whose test proves ``variable`` is not None, and nothing in
    that body assigns the variable."""
    for header in facts.units:
        if not isinstance(header.stmt, cst.If):
            continue
        branch: Optional[cst.If] = header.stmt
        while isinstance(branch, cst.If) and branch.test is not header.node:
            branch = branch.orelse if isinstance(branch.orelse, cst.If) else None
        if branch is None or not _proves_not_none(branch.test, variable):
            continue
        if not _in_body(unit, branch):
            continue
        if any(d.unit is not None and _in_body(d.unit, branch) for d in facts.defs.get(variable, [])):
            continue
        return True
    return False


def _in_body(unit: Unit, branch: cst.If) -> bool:
    path = unit.path
    return any(path[i] == id(branch) and path[i + 1] == 1 for i in range(len(path) - 1))


def _proves_not_none(test: cst.BaseExpression, variable: str) -> bool:
    if isinstance(test, cst.Name):
        return test.value == variable
    if isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == variable:
        return any(
            isinstance(c.operator, cst.IsNot) and isinstance(c.comparator, cst.Name) and c.comparator.value == "None"
            for c in test.comparisons
        )
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _proves_not_none(test.left, variable) or _proves_not_none(test.right, variable)
    return False


def _never_none(facts: FunctionFacts, variable: str) -> bool:
    """Every assignment of the variable in the function gives a value that cannot be None (a parameter can)."""
    definitions = facts.defs.get(variable, [])
    return bool(definitions) and all(d.unit is not None and d.value is not None and _not_none(d.value) for d in definitions)


def _not_none(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, (cst.Tuple, cst.List, cst.ListComp)):
        return True
    if isinstance(expr, cst.Call):
        return dotted_name(expr.func) in ("tuple", "list", "sorted")
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
        return _not_none(expr.right)  # a truthy left operand is not None
    if isinstance(expr, cst.IfExp):
        body_ok = _not_none(expr.body) or _proves_not_none(expr.test, _name(expr.body))
        return body_ok and _not_none(expr.orelse)
    return False


def _name(expr: cst.BaseExpression) -> str:
    return expr.value if isinstance(expr, cst.Name) else ""
