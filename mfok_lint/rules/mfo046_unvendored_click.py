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
- The finding is on the import; the fix (unsafe: it changes which package's objects the module builds and
  who must provide the dependency) rewrites it to ``from metaflow._vendor import click`` (keeping an
  alias) or ``from metaflow._vendor.click import ...``. ``import click.testing`` and multi-module imports
  get no fix.
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
        # imports and function definitions are statements: following bodies meets them all, in walk order
        for node in statements(ctx.module):
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


def _fix(ctx: Context, node: cst.CSTNode):
    if isinstance(node, cst.Import):
        if len(node.names) != 1 or dotted_name(node.names[0].name) != "click":
            return None
        alias = node.names[0]
        rename = f" as {alias.asname.name.value}" if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else ""
        replacement = f"from metaflow._vendor import click{rename}"
        return ctx.make_fix(Applicability.UNSAFE, "Import Metaflow's vendored click", [ctx.edit(node, replacement)])
    assert isinstance(node, cst.ImportFrom) and node.module is not None
    module = dotted_name(node.module) or "click"
    return ctx.make_fix(
        Applicability.UNSAFE, "Import from Metaflow's vendored click", [ctx.edit(node.module, "metaflow._vendor." + module)]
    )
