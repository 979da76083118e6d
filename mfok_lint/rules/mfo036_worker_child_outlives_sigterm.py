"""MFO036 worker-child-outlives-sigterm (preview): a worker program starts the step as a child and nothing
handles ``SIGTERM``, so stopping the worker leaves the step running.

Schedulers stop a worker by signalling it: ``docker stop`` and Kubernetes pod deletion send ``SIGTERM`` to the
container's main process, process-based workers (``supervisord``, systemd with ``KillMode=process``, a
scheduler's own process runner) send it to the process they started, then ``SIGKILL`` after a grace period.
Python leaves ``SIGTERM`` at the operating system's default action (the ``signal`` module documents the only
handlers it installs: ``SIGPIPE`` ignored, ``SIGINT`` raised as ``KeyboardInterrupt``), and the default action
ends the process at once: no exception is raised, so no ``finally``/``except`` block, ``with`` exit or
``atexit`` hook runs. Every protection a wrapper has against an interrupted wait is skipped: ``subprocess.run``
kills its child only when the wait raises, and an ``except BaseException: proc.kill()`` never executes. The
child is not signalled when its parent dies (it is re-parented, POSIX ``_exit``), so the ``python flow.py step``
process keeps running, keeps writing artifacts and metadata for a task the scheduler has already marked
stopped, and may race the retry the scheduler starts.

Design decisions (preview: a worker's stopper is not in the code):
- The wrapper is a *program*: a module (the file itself, or generated Python held in a string literal) with a
  module-level ``if __name__ == "__main__":`` block. Only code that block reaches runs in the process the
  scheduler signals: its own statements, the same-module functions it calls (plain names, ``self.``/``cls.``
  methods, methods of the module's classes), and, when it calls a click group, the module's click commands.
- A function under any other decorator (``@flow``, ``@task``, ``@op``, ``@activity.defn``, ...) is not followed:
  the scheduler's runtime runs it, and runtimes own the process's signals (Dagster's
  ``setup_interrupt_handlers`` maps ``SIGTERM`` to ``SIGINT``, i.e. ``KeyboardInterrupt``); there an
  interrupted wait is MFO022's question. So is a plain task-body function the scheduler imports and calls.
- The launch runs a Metaflow ``step`` command (the same test as MFO022: the launching function builds one, is
  called by a function that does, or belongs to an emitted script that holds one) through
  ``subprocess.Popen``/``run``/``call``/``check_call``/``check_output``, ``os.system`` or
  ``asyncio.create_subprocess_exec``/``_shell``.
- Legal, not reported: a ``signal.signal(SIGTERM, ...)`` or ``loop.add_signal_handler(SIGTERM, ...)`` anywhere
  in the unit with a handler other than ``SIG_DFL`` (whether it forwards the signal, kills the child or raises,
  each lets the wrapper stop the child; a handler that merely sets a flag keeps the wrapper alive too); a call
  to a function named like a signal or interrupt handler installer (``setup_interrupt_handlers()``), whose
  effect is not visible here; a launch with ``preexec_fn=`` (where ``prctl(PR_SET_PDEATHSIG)`` is set, so the
  kernel signals the child when the wrapper dies); ``os.execv*``, which is no child at all (the wrapper becomes
  the step).
- Launches MFO022 reports (a wait nothing protects even against exceptions) are left to it: its fix comes
  first, and this rule then reports the launch if ``SIGTERM`` still bypasses the new handler.
- Shell wrappers are not reported. The shapes extensions emit are container commands (``bash -c "...; python
  flow.py step ..."``) and ``sbatch`` scripts; a container's main process ignores signals it has no handler for
  (the kernel's rule for a PID namespace's init) and the whole namespace is killed when it exits, and Slurm
  signals every process of the job, so the step does not outlive them.
- Reported on the launch call. No fix: the handler's behaviour (forward ``SIGTERM`` and wait, or kill) is the
  scheduler's contract to choose.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, Iterable, List, Set

from mfok_lint.model.processes import (
    FUNCTION_NODES,
    callee,
    functions_by_name,
    is_process_launch,
    own_body,
    step_functions,
    step_units,
)
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.rules.mfo022_step_subprocess_orphan import check_function, stopper_names

# Decorators that leave the function in the wrapper's own process, with the wrapper's signal disposition.
_NEUTRAL_DECORATORS = {
    "staticmethod", "classmethod", "property", "wraps", "lru_cache", "cache", "contextmanager",
    "command", "group", "option", "argument", "pass_obj", "pass_context", "version_option", "help_option",
}  # fmt: skip
_INSTALLER_RE = re.compile(r"(signal|interrupt)s?_?handl|handle_\w*signals|setup_\w*(interrupt|signal)", re.IGNORECASE)
_OTHER_SIGNALS = re.compile(r"^(signal\.)?SIG(INT|HUP|QUIT|ALRM|CHLD|USR1|USR2|PIPE|WINCH|CONT|TSTP|BREAK)$")


class WorkerChildOutlivesSigterm(Rule):
    needs = frozenset({"commands", "code_strings"})
    # A program (``__main__``) that launches a process, in a file that builds a Metaflow command.
    triggers = Text(b"__main__") & Text(b"subprocess", b"system", b"create_subprocess_") & CommandText()

    def check(self, ctx: Context) -> None:
        for unit in step_units(ctx, ("__main__",), may_report=_may_report):
            if _handles_sigterm(unit.tree):
                continue
            steps = {id(fn) for fn in step_functions(unit)}
            functions = functions_by_name(unit.tree)
            for block in _main_blocks(unit.tree):
                if unit.builds_step(block):
                    steps.update(id(f) for n in own_body(block) if isinstance(n, ast.Call)
                                 and isinstance(n.func, ast.Name) for f in functions.get(n.func.id, []))
            stoppers = stopper_names(unit.tree)
            prefix = "Generated code: " if unit.generated else ""
            for scope in _program_scopes(unit.tree):
                if id(scope) not in steps and not (isinstance(scope, ast.If) and unit.builds_step(scope)):
                    continue
                left_to_mfo022 = {id(f.node) for f in check_function(scope, stoppers)}
                for launch in _launches(scope):
                    if id(launch) in left_to_mfo022:
                        continue
                    ctx.report(unit.locate(launch), message=prefix + _message(launch))


def _may_report(tree: ast.Module) -> bool:
    """A superset of the file's findings: a main block, and a launch in the code it reaches."""
    if _handles_sigterm(tree):
        return False
    return any(any(True for _ in _launches(scope)) for scope in _program_scopes(tree))


def _main_blocks(tree: ast.Module) -> List[ast.If]:
    blocks = []
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and len(node.test.comparators) == 1:
            sides = [node.test.left, node.test.comparators[0]]
            names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
            mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
            if names and mains and isinstance(node.test.ops[0], ast.Eq):
                blocks.append(node)
    return blocks


def _decorator_name(decorator: ast.AST) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else ""


def _in_wrapper_process(fn: ast.AST) -> bool:
    return all(_decorator_name(d) in _NEUTRAL_DECORATORS for d in fn.decorator_list)


def _is_click_group(fn: ast.AST) -> bool:
    return any(_decorator_name(d) == "group" for d in fn.decorator_list)


def _is_click_command(fn: ast.AST) -> bool:
    return any(_decorator_name(d) in ("command", "group") for d in fn.decorator_list)


def _program_scopes(tree: ast.Module) -> List[ast.AST]:
    """The main blocks and every function they reach in the wrapper's own process."""
    blocks = _main_blocks(tree)
    if not blocks:
        return []
    functions = functions_by_name(tree)
    methods: Set[str] = {
        item.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for item in node.body
        if isinstance(item, FUNCTION_NODES)
    }  # fmt: skip
    imported = _imported_names(tree)
    seen: Dict[int, ast.AST] = {}
    queue: List[ast.AST] = list(blocks)
    while queue:
        scope = queue.pop()
        for name in _called_names(scope, methods, imported):
            for fn in functions.get(name, []):
                if id(fn) in seen or not _in_wrapper_process(fn):
                    continue
                seen[id(fn)] = fn
                queue.append(fn)
                if _is_click_group(fn):
                    for defs in functions.values():
                        for command in defs:
                            if _is_click_command(command) and id(command) not in seen:
                                seen[id(command)] = command
                                queue.append(command)
    return [*blocks, *seen.values()]


def _imported_names(tree: ast.Module) -> Set[str]:
    names: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _called_names(scope: ast.AST, methods: Set[str], imported: Set[str]) -> Iterable[str]:
    for node in own_body(scope):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            yield func.id
        elif isinstance(func, ast.Attribute) and func.attr in methods:
            root = func.value
            while isinstance(root, (ast.Attribute, ast.Call)):
                root = root.func if isinstance(root, ast.Call) else root.value
            if not (isinstance(root, ast.Name) and root.id in imported and root.id not in ("self", "cls")):
                yield func.attr


def _launches(scope: ast.AST) -> Iterable[ast.Call]:
    for node in own_body(scope):
        if isinstance(node, ast.Call) and is_process_launch(node):
            if any(k.arg == "preexec_fn" for k in node.keywords):
                continue
            yield node


def _handles_sigterm(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        _qualifier, name = callee(node)
        if name in ("signal", "add_signal_handler"):
            if len(node.args) < 2:
                continue
            which = ast.unparse(node.args[0])
            handler = ast.unparse(node.args[1])
            if _OTHER_SIGNALS.match(which) or handler.endswith("SIG_DFL"):
                continue
            return True
        elif name != "send_signal" and _INSTALLER_RE.search(name):
            return True
    return False


def _message(launch: ast.Call) -> str:
    qualifier, name = callee(launch)
    spelled = f"{qualifier}.{name}" if qualifier else name
    return (
        f"`{spelled}()` starts the step from a worker program that does not handle `SIGTERM`: when the "
        "scheduler stops the worker, Python's default action ends it without running its `finally`/`except` "
        "blocks, and the step keeps running; install a `SIGTERM` handler that terminates the child (or raises, "
        "so the cleanup runs), or `os.execv` the step"
    )
