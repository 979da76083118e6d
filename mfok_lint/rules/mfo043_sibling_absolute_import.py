"""MFO043 sibling-absolute-import: a plugin module importing a module of its own directory as top-level.

``from acme_objects import AcmeDeployedFlow`` works while the author runs the file from its own directory
(the script's directory is on ``sys.path``), and fails with ``ModuleNotFoundError`` once Metaflow loads the
module as ``metaflow_extensions.acme.plugins.acme.acme_deployer``: the sibling is only importable by its
package path or relatively.

Design decisions:
- Only files under ``metaflow_extensions/<pkg>/plugins/`` are checked, and a module counts as a sibling
  only if ``<name>.py`` or ``<name>/__init__.py`` really exists next to the linted file: the rule looks at
  that directory and nowhere else, so without such a file (stdin, an installed third-party module of the
  same name) nothing is reported.
- Imports in an ``except ImportError`` / ``ModuleNotFoundError`` handler (a script-mode fallback after a
  relative import) and under ``if __name__ == "__main__":`` are not reported; neither are imports inside
  string literals (generated code runs elsewhere).
- Screen before the parse: CPython's ``ast`` lists every absolute import of the file (a superset of the ones
  the rule judges), and unless one of them names an existing sibling, libcst is not needed. Nearly every
  plugin module imports something, and almost none imports a sibling.
- The fix (safe) makes the import relative: ``from x import a`` -> ``from .x import a``, ``import x`` /
  ``import x as y`` -> ``from . import x`` / ``from . import x as y`` (the same name is bound to the same
  module). ``import x.y`` and multi-name ``import`` statements get no fix.
"""

from __future__ import annotations

from typing import List

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.core.paths import sibling_module_exists
from mfok_lint.prefilter import InPluginsPackage, Text
from mfok_lint.prefilter.screens import ImportsSibling
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.names import dotted_name
from mfok_lint.syntax.statements import statements

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


def _handles_import_error(handler: cst.ExceptHandler) -> bool:
    kinds = handler.type
    if kinds is None:
        return True
    names = [kinds] if not isinstance(kinds, cst.Tuple) else [e.value for e in kinds.elements]
    return any((dotted_name(n) or "").rsplit(".", 1)[-1] in _IMPORT_ERRORS | {"Exception", "BaseException"} for n in names)


def _is_main_guard(node: cst.If) -> bool:
    test = node.test
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        left, right = test.left, test.comparisons[0].comparator
        names = {dotted_name(left), dotted_name(right)}
        values = {getattr(left, "value", None), getattr(right, "value", None)}
        return "__name__" in names and bool(values & {'"__main__"', "'__main__'"})
    return False


def _imports(module: cst.Module) -> List[cst.CSTNode]:
    """Absolute imports outside ``except ImportError`` handlers and ``if __name__ == "__main__"`` blocks.

    Imports are statements, so only statement bodies are followed (``syntax.statements``), not every expression.
    """

    def enter(node: cst.CSTNode) -> bool:
        if isinstance(node, cst.ExceptHandler):
            return not _handles_import_error(node)
        if isinstance(node, cst.If):
            return not _is_main_guard(node)
        return True

    found: List[cst.CSTNode] = []
    for node in statements(module, enter):
        if isinstance(node, cst.Import):
            found.append(node)
        elif isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None:
            found.append(node)
    return found


class SiblingAbsoluteImport(Rule):
    needs = frozenset({"cst"})
    triggers = InPluginsPackage() & Text(b"import") & ImportsSibling()

    def check(self, ctx: Context) -> None:
        for node in _imports(ctx.module):
            if isinstance(node, cst.ImportFrom):
                module = dotted_name(node.module) or ""  # type: ignore[arg-type]
                head = module.split(".")[0]
                if sibling_module_exists(ctx.path, head):
                    fix = ctx.make_fix(
                        Applicability.SAFE, f"Import `{module}` relatively", [ctx.edit(node.module, "." + module)]  # type: ignore[arg-type]
                    )
                    ctx.report(node, message=self._message(head), fix=fix)
            else:
                for alias in node.names:
                    module = dotted_name(alias.name) or ""
                    head = module.split(".")[0]
                    if sibling_module_exists(ctx.path, head):
                        ctx.report(node, message=self._message(head), fix=self._import_fix(ctx, node, module))

    @staticmethod
    def _message(name: str) -> str:
        return f"`{name}` is a sibling module imported as top-level; import it relatively (`from . import {name}`)"

    @staticmethod
    def _import_fix(ctx: Context, node: cst.Import, module: str):
        if len(node.names) != 1 or "." in module:
            return None
        alias = node.names[0]
        rename = ""
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            rename = f" as {alias.asname.name.value}"
        return ctx.make_fix(Applicability.SAFE, f"Import `{module}` relatively", [ctx.edit(node, f"from . import {module}{rename}")])
