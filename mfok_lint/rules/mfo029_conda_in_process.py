"""MFO029 conda-in-process: flow code executed inside the orchestrator's own Python process.

``@conda`` / ``@pypi`` act when a step is *launched*: ``runtime_step_cli`` swaps the interpreter for the
step's environment and ``--environment conda`` bootstraps it in the task. A scheduler worker that imports the
user's flow file and calls a step (or a handler defined on the flow) in its own process runs that code with the
worker's interpreter and packages: the declared dependencies are never installed, ``import`` of them fails or,
worse, picks up whatever version the worker happens to have.

Design decisions:
- Reported shape 1: Metaflow's task runner driven by hand, ``MetaflowTask(...)`` constructed outside Metaflow's
  core (where the ``step`` command itself does it), under whatever name the file imports the class as.
- Reported shape 2, within one function: a module loaded *from a file* (``spec_from_file_location`` +
  ``module_from_spec``, ``runpy.run_path``, ``SourceFileLoader(...).load_module()``, ``imp.load_source``), a
  class taken from it (``getattr(mod, name)``, ``mod.Name``, ``namespace[name]``), an instance made of that
  class (``Cls(...)``, ``object.__new__(Cls)``, ``Cls.__new__(Cls)``) and a method of the instance called
  or fetched (``inst.m(...)``, ``getattr(inst, name)``). The instance creation is reported.
- Not reported: loading a *generated* scheduler module and calling one of its functions
  (``getattr(mod, "my_flow")()`` — the generated flow then launches ``python flow.py step`` subprocesses);
  ``importlib.import_module("pkg.mod")`` of installed code (decorator classes, plugins); dagster's
  ``execute_job`` / ``execute_in_process`` on their own, because the in-process *executor* still runs ops that
  may launch each step as a subprocess, which keeps ``@conda`` working. Only calling flow code in-process
  bypasses it.
"""

from __future__ import annotations

import re
from typing import Dict, List, Set

import libcst as cst

from mfok_lint.prefilter import OutsideMetaflowCore, Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import called_name, class_in_file, dotted_name

_METAFLOW_CORE = re.compile(r"(^|/)metaflow/(?!plugins/)")
_FILE_LOADERS = {"module_from_spec", "run_path", "load_module", "load_source"}



class _FunctionFlow(cst.CSTVisitor):
    """Names bound to a file-loaded module, to a class from it and to an instance of that class, in order."""

    def __init__(self) -> None:
        self.from_file = False
        self.modules: Set[str] = set()
        self.classes: Set[str] = set()
        self.instances: Dict[str, cst.Call] = {}
        self.used: List[cst.Call] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # nested functions are walked on their own

    def visit_Call(self, node: cst.Call) -> None:
        name = called_name(node.func) or ""
        if name in ("spec_from_file_location", "run_path", "load_source", "SourceFileLoader"):
            self.from_file = True
        if name == "getattr" and node.args:
            target = dotted_name(node.args[0].value)
            if target in self.instances:
                self.used.append(self.instances[target])
        if isinstance(node.func, cst.Attribute):
            receiver = dotted_name(node.func.value)
            if receiver in self.instances and not node.func.attr.value.startswith("__"):
                self.used.append(self.instances[receiver])

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        target = node.targets[0].target.value
        value = node.value
        if isinstance(value, cst.Call):
            name = called_name(value.func) or ""
            if name in _FILE_LOADERS:
                self.modules.add(target)
                return
            if name == "getattr" and value.args and dotted_name(value.args[0].value) in self.modules:
                self.classes.add(target)
                return
            if self._instantiates(value):
                self.instances[target] = value
                return
        if isinstance(value, cst.Attribute) and dotted_name(value.value) in self.modules:
            self.classes.add(target)
        if isinstance(value, cst.Subscript) and dotted_name(value.value) in self.modules:
            self.classes.add(target)

    def _instantiates(self, call: cst.Call) -> bool:
        func = call.func
        if dotted_name(func) in self.classes:
            return True
        if isinstance(func, cst.Attribute) and func.attr.value == "__new__" and call.args:
            return dotted_name(call.args[0].value) in self.classes
        return False


def _calls_metaflow_task(ctx, func: cst.BaseExpression) -> bool:
    """``MetaflowTask(...)`` under any name the file imports it as (``mod.MetaflowTask`` too)."""
    if dotted_name(func) is None:
        return called_name(func) == "MetaflowTask"
    return class_in_file(ctx, func, ("MetaflowTask",)) is not None


class CondaInProcess(Rule):
    needs = frozenset({cst.Call, cst.FunctionDef})
    # Metaflow's own core drives ``MetaflowTask``; it is the extension's code that must not.
    triggers = OutsideMetaflowCore(_METAFLOW_CORE) & Text(
        b"MetaflowTask", b"spec_from_file_location", b"run_path", b"load_source", b"SourceFileLoader"
    )

    def check(self, ctx: Context) -> None:
        for node in ctx.nodes(cst.Call, cst.FunctionDef):
            if isinstance(node, cst.Call):
                if _calls_metaflow_task(ctx, node.func):
                    ctx.report(
                        node,
                        message="`MetaflowTask` driven in the orchestrator's process: `@conda`/`@pypi` environments never activate",
                    )
                continue
            flow = _FunctionFlow()
            for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
                visiting.visit(stmt, flow)
            if not flow.from_file:
                continue
            seen: Set[int] = set()
            for created in flow.used:
                if id(created) not in seen:
                    seen.add(id(created))
                    ctx.report(created)
