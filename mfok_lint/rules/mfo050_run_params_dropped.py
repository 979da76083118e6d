"""MFO050 run-params-dropped: a command declares ``--run-param`` and never sends what it parses.

``Deployer(...).<type>().create().trigger(alpha=5)`` reaches the extension as ``<type> trigger --run-param alpha=5``
(the extension's ``DeployedFlow.trigger`` turns its keywords into ``run_params``). A ``trigger`` that parses the
values and then starts the run without them runs every triggered flow with its parameters' defaults, and nothing
says so.

Decisions:
- Checked: click commands of the module declaring an option with the string ``--run-param`` or the name
  ``run_params``, whose function takes that parameter by name.
- The parameter's values are followed through the function by ``model.values.local_flow``: into locals only
  (names assigned from them, loop variables, containers they are put in), or *sent* (any call but a pure builtin,
  a string/dict method or a logging call; a return, an attribute, a test such as ``if run_params:``, which may
  reject them on purpose). Only values never sent are reported. A body that reads
  ``click.get_current_context()``, ``locals()`` or ``vars()`` may reach them another way and is not judged.
- Reported at the first call after the values are parsed whose name says it starts the run (``trigger``,
  ``start``, ``submit``, ``execute``, ``launch``, ``run`` as a word of the name), since that is where they are
  missing; otherwise where the values are first read, or at the parameter when they are never read.
"""

from __future__ import annotations

import re
from typing import List, Optional

import libcst as cst

from mfok_lint.model.click_commands import click_commands
from mfok_lint.model.values.local_flow import LOGGING_CALL, LocalFlow, follow
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import called_name, dotted_name

_STARTS_RUN = re.compile(r"(^|_)(trigger|start|submit|execute|launch|run|create_run|create_execution)(_|$)", re.I)
_OPAQUE = re.compile(r"\bget_current_context\b|\blocals\(\)|\bvars\(\)")


def _declares_run_param(command) -> Optional[str]:
    for param in command.params:
        if param.argument:
            continue
        if "--run-param" in param.opts or param.name == "run_params":
            return param.name
    return None


def _start_call_after(function: cst.FunctionDef, first: cst.CSTNode, ctx) -> Optional[cst.Call]:
    start = ctx.offsets(first)[0]
    calls: List[cst.Call] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            name = called_name(node.func) or ""
            if _STARTS_RUN.search(name) and not LOGGING_CALL.search(dotted_name(node.func) or ""):
                calls.append(node)

    visiting.visit(function.body, Finder())
    after = [(ctx.offsets(c)[0], c) for c in calls]
    after = [pair for pair in after if pair[0] > start]
    return min(after, key=lambda pair: pair[0])[1] if after else None


class RunParamsDropped(Rule):
    needs = frozenset({"cst"})
    triggers = Text(b"run-param") | Text(b"run_params")

    def check(self, ctx) -> None:
        for command in click_commands(ctx):
            if command.is_group or not command.complete:
                continue
            name = _declares_run_param(command)
            if name is None:
                continue
            function = command.function
            params = function.params
            if not any(p.name.value == name for p in list(params.params) + list(params.kwonly_params)):
                continue
            body_text = ctx.module.code_for_node(function.body)
            if _OPAQUE.search(body_text):
                continue
            flow = follow(function, [name])
            if flow.escaped:
                continue
            self._report(ctx, function, name, flow)

    def _report(self, ctx, function: cst.FunctionDef, name: str, flow: LocalFlow) -> None:
        command = function.name.value
        if flow.first_use is None:
            param = next(p for p in list(function.params.params) + list(function.params.kwonly_params) if p.name.value == name)
            ctx.report(
                param.name,
                message=f"`{command}` declares `--run-param` but never reads `{name}`: the run starts with every "
                "parameter at its default",
            )
            return
        start = _start_call_after(function, flow.first_use, ctx)
        if start is not None:
            ctx.report(
                start,
                message=f"`{called_name(start.func)}(...)` starts the run without the parameters parsed from "
                f"`--run-param` (`{name}`): nothing built from them is ever sent, so the run uses the defaults",
            )
            return
        ctx.report(
            flow.first_use,
            message=f"the parameters parsed from `--run-param` (`{name}`) never leave `{command}`: nothing built "
            "from them is sent, so the run uses the defaults",
        )
