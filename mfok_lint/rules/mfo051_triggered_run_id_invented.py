"""MFO051 triggered-run-id-invented: ``trigger`` writes a pathspec whose run id it made up and never gave the run.

``Deployer.trigger()`` returns a ``TriggeredRun`` built from the ``pathspec`` the extension's ``trigger`` command
writes to ``--deployer-attribute-file``; ``triggered_run.run`` is ``Run(pathspec)`` and ``wait_for_run`` polls
it. The run id in it must be the one the triggered run's ``init``/``step`` commands use. A fresh ``uuid4()`` (or a
random number, or the clock) that the command never hands to the scheduler names a run that never exists, so
``triggered_run.run`` stays ``None`` and ``wait_for_run`` times out.

Decisions:
- Read in functions that mention ``deployer_attribute_file`` and build a dict literal with a ``"pathspec"`` key.
- The fresh value: a local assigned from an expression that calls ``uuid.uuid1/uuid4``, ``random.*``,
  ``secrets.*``, ``time.time``/``time_ns``, ``datetime.now``/``utcnow``, and assigned nowhere else in the function
  (a fallback beside the scheduler's real id is not judged).
- It is followed (``model.values.local_flow``); reported when it reaches the pathspec and nothing else: writing
  the attribute file (``json.dump``/``json.dumps``, ``.write`` of one) and logging do not count as handing it to
  the run, any other call, store or return does.
- Reported at the assignment of the fresh value.
"""

from __future__ import annotations

import re
from typing import Dict, List, Set

import libcst as cst

from mfok_lint.model.values.local_flow import follow
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import called_name, dotted_name, string_value

_FRESH = re.compile(
    r"(^|\.)(uuid1|uuid4|token_hex|token_urlsafe|randint|random|getrandbits|choice|choices|time_ns|utcnow|now)$"
    r"|(^|\.)time\.time$|^time$"
)
_FRESH_MODULES = ("uuid", "random", "secrets", "time", "datetime", "_uuid")


def _fresh_call(expr: cst.CSTNode) -> bool:
    found: List[bool] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            name = dotted_name(node.func) or ""
            if not name:
                return
            head = name.split(".", 1)[0]
            last = name.rsplit(".", 1)[-1]
            if head in _FRESH_MODULES and _FRESH.search(name):
                found.append(True)
            elif name in ("uuid4", "uuid1") or (last in ("now", "utcnow") and "datetime" in name):
                found.append(True)

    visiting.visit(expr, Finder())
    return bool(found)


def _writes_attribute_file(call: cst.Call) -> bool:
    name = dotted_name(call.func) or ""
    if name in ("json.dump", "json.dumps"):
        return True
    if called_name(call.func) == "write" and call.args:
        inner = call.args[0].value
        return isinstance(inner, cst.Call) and dotted_name(inner.func) == "json.dumps"
    return False


class _Function(cst.CSTVisitor):
    def __init__(self) -> None:
        self.assignments: Dict[str, List[cst.Assign]] = {}
        self.pathspecs: List[cst.BaseExpression] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.assignments.setdefault(target.target.value, []).append(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.assignments.setdefault(node.target.value, []).append(node)  # type: ignore[arg-type]

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement) and string_value(element.key) == "pathspec":
                self.pathspecs.append(element.value)


def _mentions(node: cst.CSTNode, names: Set[str]) -> bool:
    found: List[bool] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            if n.value in names:
                found.append(True)

    visiting.visit(node, Finder())
    return bool(found)


class TriggeredRunIdInvented(Rule):
    needs = frozenset({"cst", cst.FunctionDef})
    triggers = Text(b"pathspec") & Text(b"deployer_attribute_file")

    def check(self, ctx) -> None:
        for function in ctx.nodes(cst.FunctionDef):
            code = ctx.module.code_for_node(function.body)
            if "deployer_attribute_file" not in code or "pathspec" not in code:
                continue
            walk = _Function()
            visiting.visit(function.body, walk)
            if not walk.pathspecs:
                continue
            for name, assignments in walk.assignments.items():
                if len(assignments) != 1 or not _fresh_call(assignments[0].value):
                    continue
                flow = follow(function, [name], allowed=_writes_attribute_file)
                if flow.escaped:
                    continue
                if not any(_mentions(p, flow.followed) for p in walk.pathspecs):
                    continue
                ctx.report(
                    assignments[0],
                    message=f"`{name}` is made up here and only written into the triggered run's `pathspec`: the run "
                    "never uses it, so `TriggeredRun.run` finds nothing; take the run id the scheduler's run will use",
                )
