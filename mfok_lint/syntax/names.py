"""Reading names and literals off libcst nodes: the one helper set every model and rule uses.

(``syntax.pyast`` has the same questions for CPython's ``ast``, which the prefilter's screens read.)
"""

from __future__ import annotations

from typing import Collection, Dict, Mapping, Optional

import libcst as cst

from mfok_lint.syntax import visiting

_EMPTY_MODULE = cst.Module(body=[])


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a name or a chain of attributes on one; None for anything else (a call, a subscript)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def called_name(func: cst.BaseExpression) -> Optional[str]:
    """The name a call is known by: the attribute of ``x.y.run(...)`` (whatever ``x.y`` is), else the dotted
    name of the callee; None for a call of a call or a subscript."""
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return dotted_name(func)


def string_value(node: cst.CSTNode) -> Optional[str]:
    """The value of a plain (possibly implicitly concatenated) string literal; None for anything else
    (f-strings, bytes, expressions)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left), string_value(node.right)
        return left + right if left is not None and right is not None else None
    return None


def code_of(node: Optional[cst.CSTNode]) -> str:
    """The node's source code as libcst renders it ("" for None, or a node that cannot be rendered)."""
    if node is None:
        return ""
    try:
        return _EMPTY_MODULE.code_for_node(node)
    except Exception:  # a node of a generated-source tree is still renderable; stay defensive
        return ""


def import_aliases(module: cst.Module, nested: bool = True) -> Dict[str, str]:
    """Local name -> the dotted name it was imported as: ``MFConfig`` -> ``metaflow.Config`` after
    ``from metaflow import Config as MFConfig``, ``mf`` -> ``metaflow`` after ``import metaflow as mf``.

    ``nested=False`` reads module-level imports only (what a class statement at module level can see); with
    ``nested`` an import inside a function counts too, the last binding of a name winning, since code that
    imports a class under another name inside a function means the same class wherever it tests it.
    """
    aliases: Dict[str, str] = {}

    class Collector(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    aliases[alias.asname.name.value] = full
                else:
                    head = full.split(".")[0]
                    aliases.setdefault(head, head)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            if isinstance(node.names, cst.ImportStar):
                return
            module_name = (dotted_name(node.module) if node.module is not None else "") or ""
            prefix = "." * len(node.relative) + module_name
            for alias in node.names:
                name = dotted_name(alias.name) or ""
                asname = alias.asname.name if alias.asname is not None else None
                bound = asname.value if isinstance(asname, cst.Name) else name
                aliases[bound] = f"{prefix}.{name}" if prefix and not prefix.endswith(".") else prefix + name

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return nested

    visiting.visit(module, Collector())
    return aliases


def resolve_name(expr: cst.BaseExpression, aliases: Mapping[str, str]) -> Optional[str]:
    """The dotted name ``expr`` stands for once its first name is read through ``aliases`` (``mf.Config`` ->
    ``metaflow.Config``); a name that was not imported stands for itself; None for what is not a name."""
    name = dotted_name(expr)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    base = aliases.get(head, head)
    return f"{base}.{rest}" if rest else base


def class_named(expr: cst.BaseExpression, aliases: Mapping[str, str], classes: Collection[str]) -> Optional[str]:
    """Which of ``classes`` (bare class names) ``expr`` names, seen through the import aliases: the last part of
    what it resolves to. A class imported under another name is the class itself, and a name imported *as* one
    of ``classes`` from something else is not."""
    full = resolve_name(expr, aliases)
    if full is None:
        return None
    last = full.rsplit(".", 1)[-1]
    return last if last in classes else None


def class_in_file(source, expr: cst.BaseExpression, classes: Collection[str]) -> Optional[str]:
    """``class_named`` with the import aliases of the whole file ``source`` (a ``SourceFile``), read once per file."""
    aliases = source.lazy("syntax:import-aliases", lambda parsed: import_aliases(parsed.module))
    return class_named(expr, aliases, classes)
