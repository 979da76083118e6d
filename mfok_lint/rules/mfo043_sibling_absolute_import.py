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
- The import must mean the sibling: a third-party package may share its name (``import nomad`` is python-nomad
  beside a ``nomad.py`` of the plugin; Python 3 resolves it to the installed package, and rewriting it would break
  the code). ``from x import a, b`` counts only when the sibling defines ``a`` and ``b`` at module level;
  ``import x`` only when the module reads attributes of ``x`` and the sibling defines every one of them. An import
  under ``try`` whose handler catches ``ImportError`` expects the module may be missing, which a sibling never is:
  it is an optional third-party package, not reported.
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

import ast
import os
from typing import List, Optional, Set

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
        if isinstance(node, cst.Try) and any(_handles_import_error(h) for h in node.handlers):
            return False  # an import that may fail is an optional package; a sibling is never missing
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


def _sibling_names(ctx: Context, name: str) -> Optional[Set[str]]:
    """The names the sibling module ``name`` binds at module level (None when it cannot be read)."""
    directory = os.path.dirname(os.path.abspath(ctx.path))
    for candidate in (os.path.join(directory, name + ".py"), os.path.join(directory, name, "__init__.py")):
        text = ctx.read_text(candidate)
        if text is None:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return None
        names: Set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
        if os.path.basename(candidate) == "__init__.py":
            names.update(n[:-3] if n.endswith(".py") else n for n in ctx.list_dir(os.path.dirname(candidate)))
        return names
    return None


def _attributes_read(module: cst.Module, name: str) -> Set[str]:
    found: Set[str] = set()

    class Reader(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name) and node.value.value == name:
                found.add(node.attr.value)

    module.visit(Reader())
    return found


def _means_sibling(ctx: Context, head: str, imported: Set[str]) -> bool:
    """Do the names the import brings exist in the sibling (so the author meant it, not a same-named package)?"""
    if not imported:
        return False
    defined = _sibling_names(ctx, head)
    return defined is not None and imported <= defined


class SiblingAbsoluteImport(Rule):
    needs = frozenset({"cst"})
    triggers = InPluginsPackage() & Text(b"import") & ImportsSibling()

    def check(self, ctx: Context) -> None:
        for node in _imports(ctx.module):
            if isinstance(node, cst.ImportFrom):
                module = dotted_name(node.module) or ""  # type: ignore[arg-type]
                head = module.split(".")[0]
                if sibling_module_exists(ctx.path, head) and self._from_means_sibling(ctx, node, head, module):
                    fix = ctx.make_fix(
                        Applicability.SAFE, f"Import `{module}` relatively", [ctx.edit(node.module, "." + module)]  # type: ignore[arg-type]
                    )
                    ctx.report(node, message=self._message(head), fix=fix)
            else:
                for alias in node.names:
                    module = dotted_name(alias.name) or ""
                    head = module.split(".")[0]
                    bound = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else head
                    if sibling_module_exists(ctx.path, head) and (
                        "." in module or _means_sibling(ctx, head, _attributes_read(ctx.module, bound))
                    ):
                        ctx.report(node, message=self._message(head), fix=self._import_fix(ctx, node, module))

    @staticmethod
    def _from_means_sibling(ctx: Context, node: cst.ImportFrom, head: str, module: str) -> bool:
        if "." in module or isinstance(node.names, cst.ImportStar):
            return True  # a submodule of the sibling package, or everything it has: only the sibling can mean that
        names = {dotted_name(a.name) or "" for a in node.names}
        return _means_sibling(ctx, head, names)

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
