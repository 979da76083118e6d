"""MFO001 run-params-tuple: a multi-value option's tuple forwarded where a list is required.

click hands ``multiple=True`` and ``nargs=-1`` options to the command as tuples. Metaflow's programmatic
click API (``Deployer``, ``get_lower_level_group(...).trigger(**kwargs)``) type-checks every value against
``Union[List[T], Tuple[T]]``, and ``Tuple[T]`` means a tuple of exactly one element, so a tuple of two or more
run parameters (or an empty one) raises ``TypeError`` ("Invalid type for 'run_params'"); scheduler clients
that validate list-typed inputs reject tuples the same way, and ``list + tuple`` raises outright.

Where a tuple comes from and where it arrives is the value model's question (``model.values.tuples``: sources,
assignments and mappings followed, sinks, same-module helpers). Where the finding goes is where the fix goes:
* a tuple the extension makes itself on every path to the sink (``run_params = tuple(...)``, ``x = params or ()``
  with no click value in it, ``()``) is reported at the expression that makes it, once however many sinks it
  reaches, and the fix (safe) builds a list there: ``tuple(...)`` becomes ``list(...)``, a tuple display a list
  display, any other composition is wrapped in ``list(...)``;
* a click multi-value value forwarded unconverted (alone or inside ``x or ()``) is reported at each arrival, and
  the fix (safe) inserts ``name = list(name) if name else []`` before the first forwarding statement of the
  function, at that statement's indentation; ``tuple(...)`` written inline at the sink becomes ``list(...)``.
"""

from __future__ import annotations

import re
from typing import Dict, Tuple

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.model.values.reaching import Unit
from mfok_lint.model.values.tuples import TUPLE_FLOW_NODES, tuple_flows
from mfok_lint.prefilter import Text
from mfok_lint.prefilter.screens import MultiValueClickOption
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context

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
        first_unit: Dict[Tuple[int, str], Unit] = {}
        for f in findings:
            if f.variable is not None:
                key = (id(analysis.function_of(f.unit)), f.variable)
                if key not in first_unit or f.unit.order < first_unit[key].order:
                    first_unit[key] = f.unit
        reported_constructs = set()
        for f in sorted(findings, key=lambda f: f.unit.order):
            if f.built is not None:
                for construct in f.built:
                    if id(construct) in reported_constructs:
                        continue
                    reported_constructs.add(id(construct))
                    at_sink = construct is f.node
                    advice = "forward multi-value options as a `list`" if at_sink else "build it as a `list` here"
                    message = f"{f.detail}; {advice}"
                    ctx.report(construct, message=message, fix=_list_fix(ctx, construct))
                continue
            fix = None
            if f.inline_tuple is not None:
                fix = ctx.make_fix(
                    Applicability.SAFE, "Build a `list` instead of a `tuple`", [ctx.edit(f.inline_tuple.func, "list")]
                )
            elif f.variable is not None:
                unit = first_unit[(id(analysis.function_of(f.unit)), f.variable)]
                fix = _conversion_fix(ctx, unit, f.variable)
            message = f"{f.detail}; forward multi-value options as a `list`"
            ctx.report(f.node, message=message, fix=fix)


def _list_fix(ctx: Context, construct: cst.BaseExpression):
    if isinstance(construct, cst.Call) and isinstance(construct.func, cst.Name) and construct.func.value == "tuple":
        edit = ctx.edit(construct.func, "list")
    elif isinstance(construct, cst.Tuple):
        # A tuple's span stops inside its parentheses; they become brackets around the same inside.
        inner_start, inner_end = ctx.node_range(construct)
        start, end = inner_start, inner_end
        if construct.lpar:
            start = ctx.text.rfind("(", 0, inner_start)
            end = ctx.text.find(")", inner_end) + 1
            inside = ctx.text[start + 1:inner_start] + ctx.text[inner_end:end - 1]
            if len(construct.lpar) > 1 or inside.strip():
                return None
        edit = ctx.edit((start, end), "[" + ctx.text[inner_start:inner_end] + "]")
    else:
        edit = ctx.edit(construct, f"list({ctx.code_for(construct)})")
    return ctx.make_fix(Applicability.SAFE, "Build a `list` instead of a `tuple`", [edit])


def _conversion_fix(ctx: Context, unit: Unit, variable: str):
    start, _ = ctx.node_range(unit.stmt)
    line_start = ctx.text.rfind("\n", 0, start) + 1
    indent = ctx.text[line_start:start]
    if indent.strip():
        return None  # the statement shares its line with another one
    line = f"{indent}{variable} = list({variable}) if {variable} else []\n"
    return ctx.make_fix(
        Applicability.SAFE, f"Convert `{variable}` to a list before forwarding it", [ctx.insert_at(line_start, line)]
    )
