"""MFO022 step-subprocess-orphan: a step's child process keeps running after the scheduler cancels the task.

When a scheduler cancels a task (user abort, timeout, a lost heartbeat) the worker's waiting code is
interrupted with an exception: ``CancelledError`` in asyncio workers, ``KeyboardInterrupt`` or the
scheduler's own termination exception in threaded ones. The ``python flow.py step ...`` child does not
notice; unless the waiting code terminates it, it runs on as an orphan, writes artifacts for a run that
was cancelled, and may still be running when a retry of the same task starts.

Design decisions:
- What is reported is a *wait that nothing protects*:
  * ``subprocess.Popen(...)`` or ``await asyncio.create_subprocess_exec/shell(...)`` whose process the
    function waits for (``wait``, ``communicate``, reading its output) while nothing in the function calls
    ``terminate()``/``kill()``/``send_signal()`` on it (nested functions count: a signal handler that
    forwards ``SIGTERM`` protects it), nor hands it to a function of the same code that does;
  * ``subprocess.run``/``call``/``check_call``/``check_output`` called directly inside ``async def`` or handed
    to ``asyncio.to_thread``/``run_in_executor``: cancelling the awaiting task cannot stop the thread, so
    the child outlives it.
- ``subprocess.run`` (and ``call``, ``check_*``) in synchronous code is *not* reported: the standard
  library kills the child when its wait is interrupted by any exception, ``KeyboardInterrupt`` included,
  which is exactly the protection this rule asks for.
- Step commands only: the launching function must build a Metaflow ``step`` command (the shared command
  model, ``ctx.commands``), or be called from a function that does, or live in an emitted script that
  holds one. Other processes (``package save``, ``gh``, ``pip``) are left alone.
- Emitted worker code is analysed like the extension's own code: string literals holding generated Python
  (``model.generated_code``) are parsed with ``ast`` and the same checks run inside them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, Iterable, List, Set

from mfok_lint.model.processes import callee, functions_by_name, own_body, step_functions, step_units
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context

_BLOCKING = {"run", "call", "check_call", "check_output"}
_ASYNC_LAUNCH = {"create_subprocess_exec", "create_subprocess_shell"}
_STOPPERS = {"terminate", "kill", "send_signal"}
_WAITS = {"wait", "communicate", "poll"}


@dataclass
class _Finding:
    node: ast.AST
    message: str


class StepSubprocessOrphan(Rule):
    needs = frozenset({"commands", "code_strings"})
    # Only a step command launched as a process can be orphaned: both must be in the file.
    triggers = Text(b"Popen", b"create_subprocess_", b"to_thread", b"run_in_executor", b"subprocess.run") & CommandText()

    def check(self, ctx: Context) -> None:
        for unit in step_units(ctx, ("Popen", "subprocess", "create_subprocess_"), may_report=_any_finding):
            stoppers = stopper_names(unit.tree)
            prefix = "Generated code: " if unit.generated else ""
            for fn in step_functions(unit):
                for finding in check_function(fn, stoppers):
                    ctx.report(unit.locate(finding.node), message=prefix + finding.message)


def stopper_names(tree: ast.AST) -> Set[str]:
    """Functions of the unit that stop a process handed to them (MFO036 reads the same set)."""
    functions = functions_by_name(tree)
    return {name for name, defs in functions.items() if any(_stops_a_parameter(d) for d in defs)}


def _any_finding(tree: ast.AST) -> bool:
    """Whether any function of the file would be reported if it built a step: a superset of the findings,
    since the step functions are some of these."""
    stoppers = stopper_names(tree)
    return any(check_function(fn, stoppers) for defs in functions_by_name(tree).values() for fn in defs)


def _stops_a_parameter(fn: ast.AST) -> bool:
    params = {a.arg for a in fn.args.args + fn.args.kwonlyargs + fn.args.posonlyargs}
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _STOPPERS:
            if isinstance(node.func.value, ast.Name) and node.func.value.id in params:
                return True
    return False


def check_function(fn: ast.AST, stoppers: Set[str]) -> List[_Finding]:
    """This rule's findings in one function; MFO036 leaves exactly these launches to it."""
    findings: List[_Finding] = []
    is_async = isinstance(fn, ast.AsyncFunctionDef)
    launched: Dict[str, ast.AST] = {}
    for node in own_body(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            if isinstance(value, ast.Call):
                qualifier, name = callee(value)
                if name == "Popen" or (name in _ASYNC_LAUNCH and qualifier.endswith("asyncio")):
                    launched[node.targets[0].id] = value
        elif isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Call):
            if callee(node.context_expr)[1] == "Popen" and isinstance(node.optional_vars, ast.Name):
                launched[node.optional_vars.id] = node.context_expr
        if isinstance(node, ast.Call):
            qualifier, name = callee(node)
            if is_async and qualifier == "subprocess" and name in _BLOCKING:
                findings.append(
                    _Finding(
                        node,
                        f"`subprocess.{name}()` runs the step inside `async def`: cancelling the task cannot "
                        "interrupt it, and the child is never terminated; use `asyncio.create_subprocess_exec` "
                        "and kill the process in an `except BaseException` handler",
                    )
                )
            if name in ("to_thread", "run_in_executor") and any(_is_blocking_ref(a) for a in node.args):
                findings.append(
                    _Finding(
                        node,
                        f"`{name}()` runs the step subprocess in a thread: cancelling the await leaves the thread "
                        "and the child running; launch it with `asyncio.create_subprocess_exec` and kill it on "
                        "cancellation",
                    )
                )
    for variable, call in launched.items():
        if not _waited(fn, variable) or _stopped(fn, variable, stoppers):
            continue
        findings.append(
            _Finding(
                call,
                f"the step process `{variable}` is waited for but never terminated when the wait is interrupted; "
                f"call `{variable}.terminate()`/`{variable}.kill()` in an `except BaseException` handler",
            )
        )
    return findings


def _is_blocking_ref(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "subprocess" and node.attr in _BLOCKING
    if isinstance(node, ast.Call) and callee(node)[1] == "partial" and node.args:
        return _is_blocking_ref(node.args[0])
    return False


def _uses_of(fn: ast.AST, variable: str) -> Iterable[ast.Attribute]:
    for node in ast.walk(fn):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == variable:
            yield node


def _waited(fn: ast.AST, variable: str) -> bool:
    for attr in _uses_of(fn, variable):
        if attr.attr in _WAITS or attr.attr in ("stdout", "stderr"):
            return True
    return False


def _stopped(fn: ast.AST, variable: str, stoppers: Set[str]) -> bool:
    if any(attr.attr in _STOPPERS for attr in _uses_of(fn, variable)):
        return True
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and callee(node)[1] in stoppers:
            if any(isinstance(a, ast.Name) and a.id == variable for a in node.args):
                return True
    return False
