"""MFO046 unvendored-click: an extension CLI built on the PyPI ``click`` instead of Metaflow's vendored copy.

Metaflow builds its whole CLI on ``metaflow._vendor.click`` and mounts the extension's group into it.
A group or command made with the PyPI ``click`` is a different class hierarchy: ``pass_obj`` /
``pass_context`` look for the current context on the other package's stack and raise ``RuntimeError:
There is no active click context``, vendored parameter types are not recognised, and the extension breaks
outright where ``click`` is not installed (Metaflow itself does not depend on it).

Design decisions:
- Checked: modules under ``metaflow_extensions/`` (outside test directories) that import ``click`` or
  ``from click import ...`` and define a CLI with it: a function decorated by ``click.group``,
  ``click.command``, a ``.command(...)`` / ``.group(...)`` of a group, or ``group`` / ``command`` imported
  from click. A module that only uses click's helpers (``click.echo``) without defining commands is left
  alone.
- Metaflow vendors click from 2.5.1 (``metaflow/cli.py``: ``from metaflow._vendor import click``); up to 2.5.0 its
  CLI is built on the PyPI ``click`` it depends on, and ``metaflow._vendor.click`` does not exist. So the rule runs
  on code whose targeted releases reach 2.5.1 (registry row), and the fix emits what every targeted release has.
- The finding is on the import; the fix (unsafe: it changes which package's objects the module builds and
  who must provide the dependency) rewrites it to ``from metaflow._vendor import click`` (keeping an
  alias) or ``from metaflow._vendor.click import ...``. When the targeted releases also reach 2.5.0 or older, it
  tries the vendored import first and falls back to the original one on ``ImportError``; that needs the import
  to be the only statement on its line; such a fallback import is not reported while the targeted releases reach
  2.5.0. ``import click.testing`` and multi-module imports get no fix.
"""

from __future__ import annotations

from typing import List, Set

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.prefilter import InExtensionPackage, Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.names import dotted_name
from mfok_lint.syntax.statements import statements


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.imports: List[cst.CSTNode] = []
        self.click_names: Set[str] = set()  # names bound to the PyPI click module
        self.decorator_names: Set[str] = set()  # group/command imported from click
        self.decorated: List[cst.Decorator] = []

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            if name == "click" or name.startswith("click."):
                self.imports.append(node)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.click_names.add(alias.asname.name.value)
                else:
                    self.click_names.add("click")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = (dotted_name(node.module) if node.module is not None else "") or ""
        if node.relative or not (module == "click" or module.startswith("click.")):
            return
        self.imports.append(node)
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                name = dotted_name(alias.name) or ""
                if name in ("group", "command"):
                    bound = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
                    self.decorator_names.add(bound)
        else:
            self.decorator_names |= {"group", "command"}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.decorated.extend(node.decorators)

    def defines_cli(self) -> bool:
        for decorator in self.decorated:
            expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            name = dotted_name(expr) or ""
            head, _, last = name.rpartition(".")
            if name in self.decorator_names:
                return True
            if head in self.click_names and last in ("group", "command"):
                return True
            if head and head not in self.click_names and last in ("command", "group") and self.click_names:
                return True  # a sub-command of a group made in this module
        return False


class UnvendoredClick(Rule):
    needs = frozenset({"cst"})
    triggers = InExtensionPackage() & Text(b"click")

    def check(self, ctx: Context) -> None:
        collector = _Collector()
        # imports and function definitions are statements: following bodies meets them all, in walk order. Where
        # the targeted releases reach 2.5.0, an import in an ``except ImportError`` handler is the fallback for the
        # releases without the vendored copy (the fix writes one); where all of them vendor click it is dead code
        # that still imports the PyPI click, and reported as before.
        enter = None if ctx.metaflow.always("vendored_click") else _outside_import_fallbacks
        for node in statements(ctx.module, enter):
            if isinstance(node, cst.Import):
                collector.visit_Import(node)
            elif isinstance(node, cst.ImportFrom):
                collector.visit_ImportFrom(node)
            elif isinstance(node, cst.FunctionDef):
                collector.visit_FunctionDef(node)
        if not collector.imports or not collector.defines_cli():
            return
        for node in collector.imports:
            ctx.report(node, fix=_fix(ctx, node))


def _outside_import_fallbacks(node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.ExceptHandler) or node.type is None:
        return True
    kinds = [e.value for e in node.type.elements] if isinstance(node.type, cst.Tuple) else [node.type]
    return not any((dotted_name(k) or "").rsplit(".", 1)[-1] in ("ImportError", "ModuleNotFoundError") for k in kinds)


def _fix(ctx: Context, node: cst.CSTNode):
    if isinstance(node, cst.Import):
        if len(node.names) != 1 or dotted_name(node.names[0].name) != "click":
            return None
        alias = node.names[0]
        rename = f" as {alias.asname.name.value}" if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else ""
        replacement = f"from metaflow._vendor import click{rename}"
        if not ctx.metaflow.always("vendored_click"):
            return _fallback_fix(ctx, node, replacement)
        return ctx.make_fix(Applicability.UNSAFE, "Import Metaflow's vendored click", [ctx.edit(node, replacement)])
    assert isinstance(node, cst.ImportFrom) and node.module is not None
    module = dotted_name(node.module) or "click"
    if not ctx.metaflow.always("vendored_click"):
        start, _ = ctx.node_range(node)
        module_start, module_end = ctx.node_range(node.module)
        original = ctx.code_for(node)
        vendored = original[: module_start - start] + "metaflow._vendor." + module + original[module_end - start :]
        return _fallback_fix(ctx, node, vendored)
    return ctx.make_fix(
        Applicability.UNSAFE, "Import from Metaflow's vendored click", [ctx.edit(node.module, "metaflow._vendor." + module)]
    )


def _fallback_fix(ctx: Context, node: cst.CSTNode, vendored: str):
    """``try: <vendored import> / except ImportError: <the original import>`` in place of the statement, for code
    that also targets releases before 2.5.1 (no ``metaflow._vendor.click``; Metaflow itself uses the PyPI click)."""
    start, end = ctx.node_range(node)
    line_start = ctx.text.rfind("\n", 0, start) + 1
    indent = ctx.text[line_start:start]
    line_end = ctx.text.find("\n", end)
    rest = ctx.text[end : len(ctx.text) if line_end == -1 else line_end]
    if indent.strip() or rest.strip() and not rest.strip().startswith("#"):
        return None  # another statement shares the line
    inner = indent + "    "

    def block(code: str) -> str:
        return code.replace("\n", "\n    ")

    replacement = (
        "try:  # Metaflow 2.5.1 and later build their CLI on a vendored click\n"
        f"{inner}{block(vendored)}\n"
        f"{indent}except ImportError:  # Metaflow 2.5.0 and earlier use the PyPI click\n"
        f"{inner}{block(ctx.code_for(node))}"
    )
    return ctx.make_fix(
        Applicability.UNSAFE,
        f"Import Metaflow's vendored click, or the PyPI click where Metaflow has none (the code targets {ctx.metaflow})",
        [ctx.edit(node, replacement)],
    )
