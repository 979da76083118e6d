"""CPython's ``ast`` of the file being linted, parsed once however many parts of mfok-lint ask.

Several cheap questions are answered with ``ast`` before (or instead of) the libcst parse: the syntax check
of files no rule wants (MFO900), the depth screen that protects libcst's parser, the command prefilter's
string-literal test, and the syntax screens of a few rules. Each used to parse the text again; one parse of a
large module is tens of milliseconds. The last few texts are memoised with their outcome (tree or error);
trees are shared, so callers only read them.

``nodes_of`` answers "every node of these classes" from one index per tree, built by a single walk: the screens
each used to walk the whole tree with ``ast.walk``, whose two generator layers per node cost more than the
parse on a large module.
"""

from __future__ import annotations

import ast
import functools
import warnings
from collections import deque
from typing import Dict, List, Optional, Tuple, Type

__all__ = [
    "called_name", "class_named", "compile_tree", "dotted_name", "import_aliases", "nodes_of", "parse", "parse_source", "remember", "syntax_error",
]

PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)


def compile_tree(text: str) -> ast.Module:
    """``ast.parse`` without the compiler's warnings about the code (``"\\d"``, ``1()``): they concern the
    linted file, not this run, and under ``PYTHONWARNINGS=error`` they would make a valid file a syntax error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ast.parse(text)


@functools.lru_cache(maxsize=4)
def _outcome(text: str) -> Tuple[Optional[ast.Module], Optional[BaseException]]:
    try:
        return compile_tree(text), None
    except PARSE_ERRORS as exc:
        return None, exc


_given: dict = {}


def remember(text: str, tree: ast.Module) -> None:
    """Use a tree parsed elsewhere from exactly this text (flake8 hands its plugins the tree it built)."""
    _given.clear()
    _given[text] = tree


def parse(text: str) -> Optional[ast.Module]:
    """The module's tree, or None when CPython cannot parse it (see ``syntax_error``)."""
    given = _given.get(text)
    return given if given is not None else _outcome(text)[0]


def syntax_error(text: str) -> Optional[BaseException]:
    """Why CPython cannot parse the text (SyntaxError, ValueError for NUL bytes, RecursionError, MemoryError)."""
    if text in _given:
        return None
    return _outcome(text)[1]


def parse_source(source) -> Optional[ast.Module]:
    """``parse`` for raw bytes (decoded as UTF-8) or text; None when the source cannot be decoded or parsed.

    For screens that must answer "maybe" when they cannot read the file."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return parse(source)


_indexes: "deque[Tuple[ast.AST, Dict[type, List[ast.AST]]]]" = deque(maxlen=4)


def _index(tree: ast.AST) -> Dict[type, List[ast.AST]]:
    for known, index in _indexes:
        if known is tree:
            return index
    index: Dict[type, List[ast.AST]] = {}
    queue: List[ast.AST] = [tree]
    node_class = ast.AST
    # Breadth first (the list grows while it is read), children in field order: each class's list comes out
    # in ``ast.walk``'s order.
    for node in queue:
        bucket = index.get(type(node))
        if bucket is None:
            index[type(node)] = [node]
        else:
            bucket.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_class):
                        queue.append(item)
            elif isinstance(value, node_class):
                queue.append(value)
    _indexes.append((tree, index))
    return index


def nodes_of(tree: ast.AST, *classes: Type[ast.AST]) -> List[ast.AST]:
    """The nodes of ``tree`` (itself included) whose class is exactly one of ``classes``.

    Grouped by class in the order given, each group in ``ast.walk``'s order. The last few trees' indexes are
    kept, so every screen of one file shares one walk; callers only read the nodes.
    """
    index = _index(tree)
    if len(classes) == 1:
        return index.get(classes[0], [])
    return [node for cls in classes for node in index.get(cls, ())]


def dotted_name(node: ast.AST) -> Optional[str]:
    """``a.b.c`` for a chain of names and attributes, else None (``environment.dotted_name`` on libcst)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def called_name(call: ast.Call) -> Optional[str]:
    """The last name of what a call calls: ``f`` for ``f()``, ``m`` for ``x.y.m()`` and ``g().m()``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def import_aliases(tree: ast.AST) -> Dict[str, str]:
    """Local name -> the dotted name it was imported as, anywhere in the tree (``syntax.names.import_aliases``
    on CPython's ``ast``; the last binding of a name wins)."""
    aliases: Dict[str, str] = {}
    imports = sorted(nodes_of(tree, ast.Import, ast.ImportFrom), key=lambda n: (n.lineno, n.col_offset))
    for node in imports:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    aliases.setdefault(head, head)
            continue
        prefix = "." * (node.level or 0) + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                continue
            full = f"{prefix}.{alias.name}" if prefix and not prefix.endswith(".") else prefix + alias.name
            aliases[alias.asname or alias.name] = full
    return aliases


def class_named(node: ast.AST, aliases: Dict[str, str], classes) -> Optional[str]:
    """Which of ``classes`` a name or dotted name stands for through ``aliases`` (``syntax.names.class_named``)."""
    name = dotted_name(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    base = aliases.get(head, head)
    last = (f"{base}.{rest}" if rest else base).rsplit(".", 1)[-1]
    return last if last in classes else None
