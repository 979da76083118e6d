"""MFO032 fatal-secondary-api-call (preview): a follow-up scheduler call after the deploy can abort ``create``.

Once the ``create`` command has pushed the workflow to the scheduler (``deploy``/``upload``/``create``...),
the deployment exists. Calls that follow (creating or replacing the cron schedule, listing old versions or
recurring runs to clean them up) talk to the same remote API and fail on the same transient errors (a
timeout, a 503, a rate limit). Without a handler such an error makes the command exit non-zero:
``Deployer.create()`` raises although the workflow is deployed, no attribute file is written, and the caller
has no ``DeployedFlow`` to retry or clean up with.

Design decisions:
- Preview: whether a follow-up call is optional (a schedule refresh, a cleanup) or part of the deployment
  (an event trigger the flow depends on) is a judgement the linter cannot make; the rule shows where the
  deploy is exposed and leaves the choice (retry, warn, or fail on purpose) to the author.
- Scope: the click command named ``create`` (``@<group>.command(...)`` with that name or function name) and the
  same-module functions it calls, followed three levels deep, in source order.
- The *primary* call is the first method call named ``deploy``/``upload``/``create``/``apply``/``register``/
  ``upsert``/``push``/``publish`` (alone or as a prefix, ``create_flow``), on any receiver but the CLI's own
  objects (``obj.x()``, ``self.x()``, ``f.x()``) and standard modules (``os``, ``json``, ``tempfile``...);
  ``obj.client.deploy()`` counts.
- *Secondary* calls come after it in the same function: method calls whose name has ``schedule`` in it, or
  starts with ``list``, ``get_all``, ``read_all``, ``search``, or reads a collection (``read_<plural>``).
  One is reported unless it sits in the body of a ``try`` that has an ``except`` handler.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from mfok_lint.model.package import click_command_name
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import dotted_name

_PRIMARY = re.compile(r"^_?(deploy|upload|create|apply|register|upsert|push|publish)(_|$)")
_SECONDARY = re.compile(r"schedule|^_?(list|get_all|read_all|search)|^_?read_\w+s$")
# The CLI's own objects and standard modules: ``obj.echo``, ``os.path.join``, ``f.write`` are not scheduler calls.
_LOCAL_RECEIVERS = {"obj", "f", "self"}
_LOCAL_MODULES = {"click", "os", "json", "tempfile", "sys", "shutil", "re", "yaml"}
_HELPER_DEPTH = 3


def _method(call: cst.Call) -> Optional[str]:
    if isinstance(call.func, cst.Attribute):
        receiver = dotted_name(call.func.value) or ""
        if receiver in _LOCAL_RECEIVERS or receiver.split(".")[0] in _LOCAL_MODULES:
            return None
        return call.func.attr.value
    return None


class _Ordered(cst.CSTVisitor):
    """Calls of one function in source order, each with whether a ``try`` with a handler guards it."""

    def __init__(self) -> None:
        self.calls: List[Tuple[cst.Call, bool]] = []
        self._guards = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Try(self, node: cst.Try) -> bool:
        guarded = bool(node.handlers)
        if guarded:
            self._guards += 1
        visiting.visit(node.body, self)
        if guarded:
            self._guards -= 1
        for part in (*node.handlers, node.orelse, node.finalbody):
            if part is not None:
                visiting.visit(part, self)
        return False

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append((node, self._guards > 0))


def _ordered_calls(function: cst.FunctionDef) -> List[Tuple[cst.Call, bool]]:
    visitor = _Ordered()
    visiting.visit(function.body, visitor)
    return visitor.calls


def _is_create_command(function: cst.FunctionDef) -> bool:
    return click_command_name(function) == "create"


class FatalSecondaryApiCall(Rule):
    needs = frozenset({"cst"})
    triggers = Text(b"command")

    def check(self, ctx: Context) -> None:
        functions: Dict[str, cst.FunctionDef] = {}
        commands: List[cst.FunctionDef] = []
        for stmt in ctx.module.body:
            if isinstance(stmt, cst.FunctionDef):
                functions[stmt.name.value] = stmt
                if _is_create_command(stmt):
                    commands.append(stmt)
        reported: Set[int] = set()
        for command in commands:
            self._walk(ctx, command, functions, False, _HELPER_DEPTH, set(), reported)

    def _walk(self, ctx, function, functions, deployed, depth, visiting, reported) -> bool:
        """Report unguarded secondary calls after the primary one; return whether a primary call happened."""
        visiting = visiting | {function.name.value}
        for call, guarded in _ordered_calls(function):
            method = _method(call)
            if method is not None and not deployed and _PRIMARY.match(method):
                deployed = True
                continue
            if method is not None and deployed and _SECONDARY.search(method) and not guarded:
                if id(call) not in reported:
                    reported.add(id(call))
                    ctx.report(
                        call,
                        message=(
                            f"`{method}()` runs after the deployment was created and is not guarded: a transient "
                            "error aborts `create` although the workflow is already deployed"
                        ),
                    )
                continue
            callee = dotted_name(call.func)
            if callee in functions and callee not in visiting and depth > 1 and not guarded:
                deployed = self._walk(ctx, functions[callee], functions, deployed, depth - 1, visiting, reported)
        return deployed
