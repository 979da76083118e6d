"""MFO013 config-passed-to-init: flow parameters collected for ``init`` without filtering out configs.

Since Metaflow 2.13, ``flow._get_parameters()`` yields ``Config`` objects first and then the
``Parameter``s. A config is not an option of ``init`` (it travels as the top-level
``--config-value``/``--config`` or ``METAFLOW_FLOW_CONFIG_VALUE``): forwarding it as ``--<name>`` makes click
reject the ``init`` command, and exposing it as a scheduler input invites runs that cannot start.
Metaflow's own compilers skip them with ``if param.IS_CONFIG_PARAMETER: continue``.

Decisions:
* A candidate is a ``for``/comprehension over ``<x>._get_parameters()`` that *collects* the parameter
  (stores into a subscript, appends/extends/adds/updates a collection, yields, or is a comprehension at
  all). Loops that only validate (raise on duplicates, on missing defaults) are not candidates.
* A filter anywhere in the loop body or the comprehension's conditions clears it: ``IS_CONFIG_PARAMETER``
  (attribute or ``getattr`` string), ``isinstance(..., Config...)``, or a ``Config`` type test. The class is
  recognised under any name the file imports it as (``from metaflow import Config as MFConfig``,
  ``ConfigValue as CV``, ``mf.Config`` after ``import metaflow as mf``): ``syntax.names.class_in_file``.
* The candidate is reported only in a file where parameters visibly reach ``init``: an ``init`` command
  (command model) with options spliced or templated after the subcommand (``"--%(var)s"``,
  ``["--" + name, value]``, a splat), or ``METAFLOW_INIT_<NAME>`` variables. An ``init`` command with fixed
  options only does not count: the collected values then feed something else (an input schema).
  Helpers in other modules are not followed.
* Preview: the link between the collecting loop and the ``init`` command is by co-location, not by
  data flow.
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from mfok_lint.model.commands import HOLE
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import class_in_file, code_of

_FILTER = re.compile(
    r"""IS_CONFIG_PARAMETER|isinstance\([^)]*\bConfig\w*|\bConfig\w*\s*\)|type\([^)]*\)\s*(?:is|==)\s*Config"""
)
_COLLECTING_METHODS = ("append", "extend", "add", "update", "insert", "setdefault")
_CONFIG_CLASSES = frozenset({"Config", "ConfigValue"})


def _is_get_parameters(node: cst.BaseExpression) -> bool:
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return False
    return node.func.attr.value == "_get_parameters"


class _TestsConfigClass(cst.CSTVisitor):
    """``isinstance``/``issubclass`` against a config class, or ``type(x) is``/``==`` one, whatever the file
    imported the class as."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.found = False

    def _names_config(self, expr: cst.BaseExpression) -> bool:
        candidates = [e.value for e in expr.elements] if isinstance(expr, cst.Tuple) else [expr]
        return any(class_in_file(self.ctx, c, _CONFIG_CLASSES) for c in candidates)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in ("isinstance", "issubclass") and len(node.args) == 2:
            if self._names_config(node.args[1].value):
                self.found = True

    def visit_Comparison(self, node: cst.Comparison) -> None:
        left = node.left
        if not (isinstance(left, cst.Call) and isinstance(left.func, cst.Name) and left.func.value == "type"):
            return
        for target in node.comparisons:
            if isinstance(target.operator, (cst.Is, cst.Equal)) and self._names_config(target.comparator):
                self.found = True


def _filters_configs(ctx, node: cst.CSTNode) -> bool:
    if _FILTER.search(code_of(node)):
        return True
    tests = _TestsConfigClass(ctx)
    visiting.visit(node, tests)
    return tests.found


class _Collects(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(isinstance(t.target, cst.Subscript) for t in node.targets):
            self.found = True

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _COLLECTING_METHODS:
            self.found = True

    def visit_Yield(self, node: cst.Yield) -> None:
        self.found = True


def _init_takes_dynamic_options(cmd) -> bool:
    """An ``init`` command with room for parameter options: spliced tokens or ``--<hole>`` after ``init``."""
    if cmd.subcommand != "init" or cmd.subcommand_index is None:
        return False
    if cmd.unknown_after_subcommand:
        return True
    after = cmd.tokens[cmd.subcommand_index + 1:]
    return any((t.static or "").startswith("--") and HOLE in (t.static or "") for t in after)


class ConfigPassedToInit(Rule):
    needs = frozenset({"commands", cst.For, cst.ListComp, cst.DictComp, cst.SetComp, cst.GeneratorExp})
    triggers = Text(b"_get_parameters")

    def check(self, ctx) -> None:
        candidates = [
            node for node in ctx.nodes(cst.For, cst.ListComp, cst.DictComp, cst.SetComp, cst.GeneratorExp)
            if _collects_parameters(ctx, node)
        ]
        if not candidates:
            return
        if "METAFLOW_INIT_" not in ctx.text and not any(_init_takes_dynamic_options(c) for c in ctx.commands):
            return
        for node in candidates:
            target = node.iter if isinstance(node, cst.For) else node
            ctx.report(target)


def _collects_parameters(ctx, node: cst.CSTNode) -> bool:
    """A loop or comprehension over ``_get_parameters()`` that collects what it iterates, without a Config filter."""
    if isinstance(node, cst.For):
        if not _is_get_parameters(node.iter) or _filters_configs(ctx, node.body):
            return False
        collects = _Collects()
        visiting.visit(node.body, collects)
        return collects.found
    clause: Optional[cst.CompFor] = node.for_in  # type: ignore[attr-defined]
    while clause is not None:
        if _is_get_parameters(clause.iter):
            return not _filters_configs(ctx, node)
        clause = clause.inner_for_in
    return False
