"""Screens: questions about a file answered on CPython's ``ast`` (shared with every other reader of the text, see
``syntax.pyast``), about a tenth of a libcst parse. Each is a superset of the rule question it stands for: a file it
turns away cannot hold that rule's finding, and a file ``ast`` cannot read always passes (libcst decides).
Each rule's tests hold files at the edge of its screen.
"""

from __future__ import annotations

import ast
import builtins
import re
from typing import Dict, FrozenSet, Iterable, List

from mfok_lint.core.paths import sibling_module_exists
from mfok_lint.prefilter.base import Trigger
from mfok_lint.syntax import pyast

BUILTIN_NAMES: FrozenSet[str] = frozenset(name for name in dir(builtins) if not name.startswith("_"))


class Raises(Trigger):
    """The file raises the class: ``raise X``, ``raise X(...)`` or ``raise mod.X(...)``, under any name the file
    imports it as."""

    def __init__(self, class_name: str) -> None:
        self.class_name = class_name

    def matches(self, path: str, raw: bytes) -> bool:
        tree = pyast.parse_source(raw)
        if tree is None:
            return True
        raises = pyast.nodes_of(tree, ast.Raise)
        if not raises:
            return False
        aliases = pyast.import_aliases(tree)
        for node in raises:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if exc is not None and pyast.class_named(exc, aliases, (self.class_name,)):
                return True
        return False

    def __repr__(self) -> str:
        return f"Raises({self.class_name!r})"


class MultiValueClickOption(Trigger):
    """Some function carries an ``option``/``argument`` decorator call with ``multiple=True`` or a ``nargs`` of -N or
    above 1: the click options that hand the command a tuple."""

    DECORATORS = frozenset({"option", "argument"})

    def matches(self, path: str, raw: bytes) -> bool:
        tree = pyast.parse_source(raw)
        if tree is None:
            return True
        for function in pyast.nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef):
            for decorator in function.decorator_list:
                if not isinstance(decorator, ast.Call):
                    continue
                if pyast.called_name(decorator) in self.DECORATORS and any(map(_multi_value, decorator.keywords)):
                    return True
        return False

    def __repr__(self) -> str:
        return "MultiValueClickOption()"


def _multi_value(keyword: ast.keyword) -> bool:
    value = keyword.value
    if keyword.arg == "multiple":
        return isinstance(value, ast.Constant) and value.value is True
    if keyword.arg == "nargs":
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
            return True
        return isinstance(value, ast.Constant) and isinstance(value.value, int) and value.value > 1
    return False


class ImportsSibling(Trigger):
    """An absolute import of the file names a module of its own directory (read through ``dependencies``, so a
    cached verdict follows a sibling that appears or goes)."""

    def matches(self, path: str, raw: bytes) -> bool:
        tree = pyast.parse_source(raw)
        if tree is None:
            return True
        heads = set()
        for node in pyast.nodes_of(tree, ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                heads.update(alias.name.split(".")[0] for alias in node.names)
            elif node.level == 0 and node.module:
                heads.add(node.module.split(".")[0])
        return any(sibling_module_exists(path, head) for head in sorted(heads))

    def __repr__(self) -> str:
        return "ImportsSibling()"


class AttemptLiteral(Trigger):
    """An artifact reader (under any name the file imports it as) called with an integer ``attempt`` (or
    ``get_task_datastore`` with four positional arguments), or a string literal whose decoded text holds ``attempt=<digit>`` or an attempt's index file name
    (generated code is read from those literals, with placeholders as one non-digit character)."""

    def __init__(self, readers: Iterable[str], literal: "re.Pattern[str]") -> None:
        self.readers = frozenset(readers)
        self.literal = literal

    def matches(self, path: str, raw: bytes) -> bool:
        tree = pyast.parse_source(raw)
        if tree is None:
            return True
        aliases = None
        for call in pyast.nodes_of(tree, ast.Call):
            short = pyast.called_name(call)
            if short not in self.readers:
                if not isinstance(call.func, ast.Name):
                    continue
                aliases = pyast.import_aliases(tree) if aliases is None else aliases
                short = pyast.class_named(call.func, aliases, self.readers)
                if short is None:
                    continue
            if short == "get_task_datastore" and len(call.args) >= 4:
                return True
            for keyword in call.keywords:
                if keyword.arg == "attempt" and isinstance(keyword.value, ast.Constant) and type(keyword.value.value) is int:
                    return True
        for node in pyast.nodes_of(tree, ast.Constant):
            value = node.value
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if isinstance(value, str) and self.literal.search(value):
                return True
        return False

    def __repr__(self) -> str:
        return f"AttemptLiteral({sorted(self.readers)!r})"


class BuiltinNameUsed(Trigger):
    """A module-level function named like a builtin is called as if it were the builtin (a click command, or a
    call that does not fit the function's signature), or its name is an argument of ``isinstance``/``issubclass``."""

    def matches(self, path: str, raw: bytes) -> bool:
        tree = pyast.parse_source(raw)
        if tree is None:
            return True
        defs: Dict[str, List[ast.AST]] = {}
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in BUILTIN_NAMES:
                defs.setdefault(stmt.name, []).append(stmt)
        if not defs:
            return False
        for node in pyast.nodes_of(tree, ast.Call):
            if not isinstance(node.func, ast.Name):
                continue
            if node.func.id in defs:
                if any(_is_click_command(func) or not _call_fits(func, node) for func in defs[node.func.id]):
                    return True
            elif node.func.id in ("isinstance", "issubclass"):
                for value in list(node.args) + [keyword.value for keyword in node.keywords]:
                    if isinstance(value, ast.Starred):
                        value = value.value
                    items = value.elts if isinstance(value, ast.Tuple) else [value]
                    if any(isinstance(item, ast.Name) and item.id in defs for item in items):
                        return True
        return False

    def __repr__(self) -> str:
        return "BuiltinNameUsed()"


def _is_click_command(func) -> bool:
    for decorator in func.decorator_list:
        expr = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (pyast.dotted_name(expr) or "").rsplit(".", 1)[-1] in ("command", "group"):
            return True
    return False


def _call_fits(func, call: ast.Call) -> bool:
    """Could ``call`` bind to ``func``'s parameters?"""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(k.arg is None for k in call.keywords):
        return True
    arguments = func.args
    positional = list(arguments.posonlyargs) + list(arguments.args)
    if len(call.args) > len(positional) and arguments.vararg is None:
        return False
    bound = {a.arg for a in positional[: len(call.args)]}
    by_keyword = {a.arg for a in list(arguments.args) + list(arguments.kwonlyargs)}
    for keyword in call.keywords:
        if keyword.arg in bound or (keyword.arg not in by_keyword and arguments.kwarg is None):
            return False
        bound.add(keyword.arg)
    # ``defaults`` belong to the last positional parameters; ``kw_defaults`` holds None for a required one.
    required = [a.arg for a in positional[: len(positional) - len(arguments.defaults)]]
    required += [a.arg for a, default in zip(arguments.kwonlyargs, arguments.kw_defaults) if default is None]
    return all(name in bound for name in required)
