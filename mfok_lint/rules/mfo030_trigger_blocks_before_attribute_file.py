"""MFO030 trigger-blocks-before-attribute-file: the ``trigger`` command waits for the run before reporting it.

``Deployer.trigger()`` starts the extension's ``trigger`` CLI command in a subprocess and returns as soon as the
command writes the JSON to ``--deployer-attribute-file`` (Metaflow reads it through a FIFO with a timeout). A
command that first runs the flow, or waits for the scheduler to finish it, makes ``trigger()`` block for the
whole run or time out, and the ``TriggeredRun`` it should have returned at once (to ``wait_for_run()``,
``status``, ``terminate()``) never exists while the run is going.

Design decisions:
- The command is a function decorated ``@<group>.command(...)`` named ``trigger`` (``name="trigger"`` or the
  function's own name) that declares ``--deployer-attribute-file``; its parameter name comes from the option
  (explicit destination or ``deployer_attribute_file``).
- The *write point* is the first call that receives that parameter as an argument: ``open(path, "w")`` or a
  helper that writes the file. A command that never passes it anywhere is MFO044's concern, not this rule's.
- What counts as waiting for the run (source order, before the write point, on a path that reaches it):
  a loop whose body sleeps (``time.sleep``/``asyncio.sleep``: a polling loop); in-process execution
  (``execute_job``, ``execute_in_process``, temporal's ``execute_workflow``); calls named ``wait_for_*`` /
  ``wait_until_*``; ``<handle>.result()``; and a call of a same-module function whose body (followed three
  levels deep) does any of these. The call site is reported.
- Deliberately *not* counted: ``subprocess.run``, ``Popen.wait()``, ``communicate()``. A trigger must wait
  for the *submission* (``gh workflow run``, ``pyflyte run --remote``, an HTTP POST) to learn the run id it
  writes as ``pathspec``; a linter cannot tell a submission command from one that runs the flow, and
  reporting every submission would bury the real findings.
- A waiting call in one branch of an ``if`` and the write in the other branch do not precede each other; nor
  does a waiting call in a block that ends with ``return``/``raise`` before the write's block resumes.
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
from mfok_lint.syntax.names import called_name, dotted_name, string_value

_OPTION = "--deployer-attribute-file"
_RUNNING = {"execute_job", "execute_in_process", "execute_workflow"}
_WAIT_NAME = re.compile(r"^_*wait_(for|until)(_|$)")
_HELPER_DEPTH = 3

# A position in the function: the chain of (owner id, field) suites that enclose a node, outermost first.
Path = Tuple[Tuple[int, str], ...]



def _is_sleep(call: cst.Call) -> bool:
    return called_name(call.func) == "sleep"


def _direct_wait(call: cst.Call) -> Optional[str]:
    """Why this call itself waits for a run, or None."""
    name = called_name(call.func) or ""
    if name in _RUNNING or _WAIT_NAME.match(name):
        return f"`{name}()`"
    if name == "result" and isinstance(call.func, cst.Attribute) and not call.args:
        receiver = dotted_name(call.func.value) or ""
        if receiver.rsplit(".", 1)[-1].lower().endswith("handle"):
            return f"`{receiver}.result()`"
    return None


class _Calls(cst.CSTVisitor):
    """Every call and every sleeping loop of one function body, with the suites that enclose them."""

    def __init__(self) -> None:
        self.path: List[Tuple[int, str]] = []
        self.calls: List[Tuple[cst.Call, Path]] = []
        self.loops: List[Tuple[cst.CSTNode, Path]] = []
        self.exits: Set[Tuple[int, str]] = set()
        self._loop_stack: List[cst.CSTNode] = []
        self._loop_sleeps: Set[int] = set()

    def _enter(self, owner: cst.CSTNode, field: str, suite: Optional[cst.CSTNode]) -> None:
        if suite is None:
            return
        self.path.append((id(owner), field))
        body = getattr(suite, "body", ())
        last = body[-1] if isinstance(body, (list, tuple)) and body else None
        if isinstance(last, cst.SimpleStatementLine) and any(isinstance(s, (cst.Return, cst.Raise)) for s in last.body):
            self.exits.add((id(owner), field))
        visiting.visit(suite, self)
        self.path.pop()

    def visit_If(self, node: cst.If) -> bool:
        visiting.visit(node.test, self)
        self._enter(node, "body", node.body)
        if isinstance(node.orelse, cst.If):
            self.path.append((id(node), "orelse"))
            visiting.visit(node.orelse, self)
            self.path.pop()
        elif node.orelse is not None:
            self._enter(node, "orelse", node.orelse.body)
        return False

    def _loop(self, node: cst.CSTNode) -> None:
        self._loop_stack.append(node)

    def visit_While(self, node: cst.While) -> None:
        self._loop(node)

    def leave_While(self, original_node: cst.While) -> None:
        self._close_loop(original_node)

    def visit_For(self, node: cst.For) -> None:
        self._loop(node)

    def leave_For(self, original_node: cst.For) -> None:
        self._close_loop(original_node)

    def _close_loop(self, node: cst.CSTNode) -> None:
        self._loop_stack.pop()
        if id(node) in self._loop_sleeps:
            self.loops.append((node, tuple(self.path)))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function runs only if called; its body is not this command's order

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append((node, tuple(self.path)))
        if self._loop_stack and _is_sleep(node):
            self._loop_sleeps.add(id(self._loop_stack[-1]))


def _scan(function: cst.FunctionDef) -> _Calls:
    calls = _Calls()
    calls._enter(function, "body", function.body)
    return calls


def _exclusive(before: Path, after: Path, exits: Set[Tuple[int, str]]) -> bool:
    """True when code at ``before`` cannot be followed by code at ``after`` in one execution."""
    shared = 0
    while shared < min(len(before), len(after)) and before[shared] == after[shared]:
        shared += 1
    if shared < len(before) and shared < len(after) and before[shared][0] == after[shared][0]:
        return True  # the two sides of one ``if``
    return any(suite in exits for suite in before[shared:])


def _attribute_file_parameter(function: cst.FunctionDef) -> Optional[str]:
    for decorator in function.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call) or called_name(call.func) != "option":
            continue
        names = [string_value(a.value) for a in call.args if a.keyword is None]
        if _OPTION not in names:
            continue
        for name in names:
            if name and not name.startswith("-") and name.isidentifier():
                return name
        return "deployer_attribute_file"
    return None


def _is_trigger_command(function: cst.FunctionDef) -> bool:
    return click_command_name(function) == "trigger"


def _mentions(node: cst.CSTNode, name: str) -> bool:
    if isinstance(node, cst.Name):
        return node.value == name
    found = []

    class _Find(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            if n.value == name:
                found.append(n)

    visiting.visit(node, _Find())
    return bool(found)


class TriggerBlocksBeforeAttributeFile(Rule):
    needs = frozenset({"cst"})
    triggers = Text(b"deployer-attribute-file")

    def check(self, ctx: Context) -> None:
        functions: Dict[str, cst.FunctionDef] = {}
        commands: List[cst.FunctionDef] = []
        for stmt in ctx.module.body:
            if isinstance(stmt, cst.FunctionDef):
                functions[stmt.name.value] = stmt
                if _is_trigger_command(stmt):
                    commands.append(stmt)
        if not commands:
            return
        helper_reasons: Dict[str, Optional[str]] = {}
        for command in commands:
            parameter = _attribute_file_parameter(command)
            if parameter is None:
                continue
            self._check_command(ctx, command, parameter, functions, helper_reasons)

    def _check_command(self, ctx, command, parameter, functions, helper_reasons) -> None:
        scan = _scan(command)
        writes = [
            (call, path)
            for call, path in scan.calls
            if any(_mentions(arg.value, parameter) for arg in call.args)
        ]
        if not writes:
            return
        waits: List[Tuple[cst.CSTNode, Path, str]] = []
        for loop, path in scan.loops:
            waits.append((loop, path, "a polling loop that sleeps"))
        for call, path in scan.calls:
            reason = _direct_wait(call)
            if reason is None:
                callee = dotted_name(call.func)
                if callee in functions and callee != command.name.value:
                    reason = self._helper_reason(callee, functions, helper_reasons, _HELPER_DEPTH)
                    if reason is not None:
                        reason = f"`{callee}()`, which calls {reason}"
            if reason is not None:
                waits.append((call, path, reason))
        reported: Set[int] = set()
        for node, path, reason in sorted(waits, key=lambda w: ctx.node_range(w[0])[0]):
            start = ctx.node_range(node)[0]
            for write, write_path in writes:
                if ctx.node_range(write)[0] <= start or _exclusive(path, write_path, scan.exits):
                    continue
                if id(node) not in reported and not _inside_any(ctx, node, [w for w, _ in writes]):
                    reported.add(id(node))
                    ctx.report(
                        node if not isinstance(node, (cst.While, cst.For)) else _loop_head(node),
                        message=(
                            f"`trigger` waits for the run ({reason}) before writing `--deployer-attribute-file`, "
                            "so `Deployer.trigger()` blocks for the whole run"
                        ),
                    )
                break

    def _helper_reason(self, name, functions, cache, depth) -> Optional[str]:
        if name in cache:
            return cache[name]
        cache[name] = None  # recursion guard
        scan = _scan(functions[name])
        reason: Optional[str] = "a polling loop that sleeps" if scan.loops else None
        for call, _ in scan.calls:
            if reason is not None:
                break
            reason = _direct_wait(call)
            callee = dotted_name(call.func)
            if reason is None and depth > 1 and callee in functions and callee != name:
                inner = self._helper_reason(callee, functions, cache, depth - 1)
                reason = f"`{callee}()`" if inner is not None else None
        cache[name] = reason
        return reason


def _inside_any(ctx: Context, node: cst.CSTNode, containers: List[cst.CSTNode]) -> bool:
    start, end = ctx.node_range(node)
    for container in containers:
        c_start, c_end = ctx.node_range(container)
        if c_start <= start and end <= c_end:
            return True
    return False


def _loop_head(node) -> cst.CSTNode:
    return node.test if isinstance(node, cst.While) else node.iter
