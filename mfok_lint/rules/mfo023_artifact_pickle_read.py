"""MFO023 artifact-pickle-read: datastore artifacts unpickled by hand.

Metaflow stores each artifact as a gzip-compressed pickle under ``<root>/<flow>/data/<sha>``, indexed by
the per-attempt ``<attempt>.data.json``. Reading blobs by hand (``pickle.loads(gzip.decompress(...))``)
bypasses everything ``FlowDataStore.get_task_datastore(...)`` and the client do: choosing the latest
completed attempt, other storage backends (S3, Azure, GCS), the blob cache, the serializer plug-ins and
future changes of the layout. It works on the author's laptop with the local datastore and nowhere else.

Design decisions:
- A call of ``pickle.load``/``pickle.loads`` (also ``cPickle``, ``_pickle`` and ``from pickle import load``)
  is reported when what it unpickles comes from ``gzip``/``zlib`` (``gzip.open``, ``gzip.GzipFile``,
  ``gzip.decompress``, ``zlib.decompress``) or from a path that names the ``.metaflow`` datastore
  directory. The value is followed through local assignments, ``with ... as f`` bindings and ``f.read()``
  (three steps). Plain ``pickle.load(open(path))`` of some other file is not reported.
- Metaflow's own datastore and serializer modules are the implementation of the API and are skipped.
- Both the extension's own code and emitted Python (``model.generated_code``) are checked.
- Preview: no released extension in the corpus still does this, so the rule's precision is established on
  constructed cases and on the absence of findings in real code only.
"""

from __future__ import annotations

import ast
import re
from typing import Iterable, List, Optional

from mfok_lint.core.paths import layout_path
from mfok_lint.model.generated_code import char_offset, code_strings, parse_python
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import pyast

_PICKLE_MODULES = {"pickle", "cPickle", "_pickle"}
_DECOMPRESSORS = {("gzip", "open"), ("gzip", "GzipFile"), ("gzip", "decompress"), ("zlib", "decompress")}
_METAFLOW_CORE = re.compile(r"(^|/)metaflow/(datastore|plugins/datastores)/")
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


class ArtifactPickleRead(Rule):
    needs = frozenset({"code_strings"})
    triggers = Text(b"pickle")

    def check(self, ctx: Context) -> None:
        if _METAFLOW_CORE.search(layout_path(ctx.path)):
            return
        tree = _parse(ctx.text)
        if tree is not None:
            for node in _findings(tree):
                start = ctx.locator.offset(node.lineno, 1) + _col(ctx.text, node.lineno, node.col_offset)
                end = ctx.locator.offset(node.end_lineno, 1) + _col(ctx.text, node.end_lineno, node.end_col_offset)
                ctx.report((start, end), message=_message(False))
        for piece in code_strings(ctx):
            if "pickle" not in piece.code:
                continue
            generated = parse_python(piece.code)
            if generated is None:
                continue
            for node in _findings(generated):
                start = char_offset(piece.code, node.lineno, node.col_offset)
                end = char_offset(piece.code, node.end_lineno, node.end_col_offset)
                ctx.report(piece.span(start, end), message=_message(True))


def _message(generated: bool) -> str:
    prefix = "Generated code unpickles" if generated else "Unpickles"
    return (
        f"{prefix} a datastore blob by hand; read artifacts with "
        "`FlowDataStore.get_task_datastore(run_id, step, task_id)` or the client's `Task(...)`"
    )


def _parse(text: str) -> Optional[ast.Module]:
    return pyast.parse(text)


def _col(text: str, lineno: int, col_bytes: int) -> int:
    return char_offset(text, lineno, col_bytes) - char_offset(text, lineno, 0)


def _findings(tree: ast.Module) -> List[ast.Call]:
    imported = _names_imported_from_pickle(tree)
    scopes = {}

    def index(node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            scopes[id(child)] = scope
            index(child, child if isinstance(child, _FUNCS) else scope)

    index(tree, tree)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and _is_unpickle(node, imported):
            if any(_is_blob_source(e) for e in _sources(node.args[0], scopes.get(id(node), tree), 0)):
                out.append(node)
    return out


def _names_imported_from_pickle(tree: ast.Module) -> set:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in _PICKLE_MODULES:
            for alias in node.names:
                if alias.name in ("load", "loads"):
                    names.add(alias.asname or alias.name)
    return names


def _is_unpickle(call: ast.Call, imported: set) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in ("load", "loads"):
        return isinstance(func.value, ast.Name) and func.value.id in _PICKLE_MODULES
    return isinstance(func, ast.Name) and func.id in imported


def _sources(expr: ast.AST, scope: ast.AST, depth: int) -> Iterable[ast.AST]:
    yield expr
    if depth >= 3:
        return
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr == "read":
            yield from _sources(expr.func.value, scope, depth + 1)
        for arg in expr.args:  # open(path), gzip.open(path): the path's own origin
            if isinstance(arg, ast.Name):
                yield from _sources(arg, scope, depth + 1)
    if isinstance(expr, ast.Name):
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets):
                yield from _sources(node.value, scope, depth + 1)
            elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
                if node.optional_vars.id == expr.id:
                    yield from _sources(node.context_expr, scope, depth + 1)


def _is_blob_source(expr: ast.AST) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if isinstance(node.func.value, ast.Name) and (node.func.value.id, node.func.attr) in _DECOMPRESSORS:
                return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ".metaflow" in node.value:
            return True
    return False
