"""MFO021 sysroot-datastore-root-conflation: one value used as both the local sysroot and ``--datastore-root``.

For the local datastore the two settings differ by one directory: ``METAFLOW_DATASTORE_SYSROOT_LOCAL`` is
the *parent* and Metaflow appends ``.metaflow`` to it (``LocalStorage.get_datastore_root_from_config``),
while ``--datastore-root`` (and ``FlowDataStore.datastore_root``) is the ``.metaflow`` directory itself.
Feeding one value to both makes one of them wrong: steps write under ``X`` while the client reads
``X/.metaflow``, or the client reads ``X/.metaflow/.metaflow``; either way the run's artifacts are not
where its readers look.

Design decisions:
- Sinks. Root: the value after a ``"--datastore-root"`` list element (also the quoted ``'"--datastore-root"'``
  fragment form of compilers that assemble source), ``"--datastore-root=%s" % v``,
  ``f"--datastore-root={v}"``, ``"--datastore-root=" + v`` and a ``"datastore-root": v`` mapping entry
  (Metaflow's CLIArgs shape). Sysroot: ``m[K] = v``, ``{K: v}``, ``dict(K=v)``, ``m.setdefault(K, v)``
  with ``K = "METAFLOW_DATASTORE_SYSROOT_LOCAL"`` (literal or a variable of the function holding it).
- Values are compared by *origin*, not by text: a call of a function defined in the same code
  (``_datastore_root_arg(...)``, whatever its arguments), an attribute (``self._root``), or a module-level
  name. A local variable stands for the origin it was last assigned before the sink; a function parameter
  stands for itself and for the arguments every same-code call passes it (two levels), which is how a
  helper such as ``set_sysroot(root)`` is followed. Anything wrapped (``os.path.dirname(v)``, ``os.path.join(v,
  ".metaflow")``, ``v + "/.metaflow"``) is a conversion between the two forms and has no origin.
- A sysroot sink whose value is an attribute named ``datastore_root`` (``flow_datastore.datastore_root``)
  is reported too: that attribute *is* the ``--datastore-root`` value. The key may then be the template
  ``"METAFLOW_DATASTORE_SYSROOT_%s" % TYPE``, which is the local sysroot for local runs.
- The extension's own code and emitted Python (``model.generated_code``) are checked alike, one unit at a time.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from mfok_lint.model.generated_code import char_offset, code_strings, parse_python
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import pyast

_KEY = "METAFLOW_DATASTORE_SYSROOT_LOCAL"
_KEY_PREFIX = "METAFLOW_DATASTORE_SYSROOT_"
_ROOT_OPTION = "--datastore-root"
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


class SysrootDatastoreRootConflation(Rule):
    needs = frozenset({"code_strings"})
    # Both halves of the conflation must be in the file: a sysroot and a datastore root.
    triggers = Text(b"SYSROOT_") & Text(_ROOT_OPTION.encode(), b"datastore_root")

    def check(self, ctx: Context) -> None:
        if _ROOT_OPTION.encode() not in ctx.text.encode() and b"datastore_root" not in ctx.text.encode():
            return
        tree = _parse(ctx.text)
        if tree is not None:
            for node, message in _Analysis(tree).findings():
                start = ctx.locator.offset(node.lineno, 1) + _col(ctx.text, node.lineno, node.col_offset)
                end = ctx.locator.offset(node.end_lineno, 1) + _col(ctx.text, node.end_lineno, node.end_col_offset)
                ctx.report((start, end), message=message)
        for piece in code_strings(ctx):
            if _KEY_PREFIX not in piece.code:
                continue
            generated = parse_python(piece.code)
            if generated is None:
                continue
            for node, message in _Analysis(generated).findings():
                start = char_offset(piece.code, node.lineno, node.col_offset)
                end = char_offset(piece.code, node.end_lineno, node.end_col_offset)
                ctx.report(piece.span(start, end), message="Generated code: " + message)


def _parse(text: str) -> Optional[ast.Module]:
    return pyast.parse(text)


def _col(text: str, lineno: int, col_bytes: int) -> int:
    return char_offset(text, lineno, col_bytes) - char_offset(text, lineno, 0)


def _const(node: ast.AST) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _Analysis:
    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.local_functions: Dict[str, List[ast.AST]] = {}
        self.parent_function: Dict[int, Optional[ast.AST]] = {}
        for fn in ast.walk(tree):
            if isinstance(fn, _FUNCS):
                self.local_functions.setdefault(fn.name, []).append(fn)
        self._index(tree, None)

    def _index(self, node: ast.AST, fn: Optional[ast.AST]) -> None:
        for child in ast.iter_child_nodes(node):
            self.parent_function[id(child)] = fn
            self._index(child, child if isinstance(child, _FUNCS) else fn)

    # ---- origins -------------------------------------------------------------------------------------
    def origins(self, value: ast.AST, at: ast.AST, depth: int = 0) -> Set[str]:
        if isinstance(value, ast.BoolOp):
            out: Set[str] = set()
            for operand in value.values:
                out |= self.origins(operand, at, depth)
            return out
        if isinstance(value, ast.Call):
            if isinstance(value.func, ast.Name) and value.func.id in self.local_functions:
                return {"call:" + value.func.id}
            if isinstance(value.func, ast.Attribute) and value.func.attr in self.local_functions:
                if isinstance(value.func.value, ast.Name) and value.func.value.id in ("self", "cls"):
                    return {"call:" + value.func.attr}
            if isinstance(value.func, ast.Name) and value.func.id in ("str", "repr") and value.args:
                return self.origins(value.args[0], at, depth)
            if isinstance(value.func, ast.Name) and value.func.id == "getattr" and len(value.args) >= 2:
                name = _const(value.args[1])
                return {"attr:" + name} if name else set()
            return set()
        if isinstance(value, ast.Attribute):
            return {"attr:" + value.attr}
        if isinstance(value, ast.Name):
            fn = self.parent_function.get(id(at))
            if fn is None:
                return {"name:" + value.id}
            assigned = self._last_assignment(fn, value.id, at)
            if assigned is not None:
                return self.origins(assigned, assigned, depth)
            params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
            keyword_only = {a.arg for a in fn.args.kwonlyargs}
            if value.id not in params and value.id not in keyword_only:
                return set()
            out = {f"param:{fn.name}:{value.id}"}
            if depth < 2:
                position = params.index(value.id) if value.id in params else None
                out |= self._argument_origins(fn, position, value.id, depth + 1)
            return out
        return set()

    def _last_assignment(self, fn: ast.AST, name: str, before: ast.AST) -> Optional[ast.AST]:
        found = None
        for node in ast.walk(fn):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    if (node.lineno, node.col_offset) < (before.lineno, before.col_offset):
                        if found is None or (node.lineno, node.col_offset) > (found.lineno, found.col_offset):
                            found = node
        return found.value if found is not None else None

    def _argument_origins(self, fn: ast.AST, position: Optional[int], name: str, depth: int) -> Set[str]:
        out: Set[str] = set()
        offset = 1 if fn.args.args and fn.args.args[0].arg in ("self", "cls") else 0
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else None
            )
            if callee != fn.name:
                continue
            for kw in node.keywords:
                if kw.arg == name:
                    out |= self.origins(kw.value, node, depth)
            if position is not None:
                index = position - (offset if isinstance(node.func, ast.Attribute) else 0)
                if 0 <= index < len(node.args):
                    out |= self.origins(node.args[index], node, depth)
        return out

    # ---- sinks ---------------------------------------------------------------------------------------
    def root_values(self) -> List[ast.AST]:
        values: List[ast.AST] = []
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.List, ast.Tuple)):
                elts = node.elts
                for i, el in enumerate(elts[:-1]):
                    text = _const(el)
                    if text is not None and text.strip("\"'") == _ROOT_OPTION:
                        values.append(elts[i + 1])
            elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
                text = _const(node.left)
                if text is not None and text.startswith(_ROOT_OPTION + "="):
                    right = node.right
                    if isinstance(right, ast.Tuple) and len(right.elts) == 1:
                        right = right.elts[0]
                    if not isinstance(right, ast.Tuple):
                        values.append(right)
            elif isinstance(node, ast.JoinedStr) and len(node.values) == 2:
                head, field = node.values
                if _const(head) == _ROOT_OPTION + "=" and isinstance(field, ast.FormattedValue):
                    values.append(field.value)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if key is not None and _const(key) == "datastore-root":
                        values.append(value)
        return values

    def sysroot_sinks(self) -> List[Tuple[ast.AST, bool]]:
        """(value, exact_key): exact_key False when the key is a ``SYSROOT_%s`` template."""
        sinks: List[Tuple[ast.AST, bool]] = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Subscript):
                        kind = self._key_kind(target.slice, node)
                        if kind is not None:
                            sinks.append((node.value, kind))
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    kind = self._key_kind(key, node) if key is not None else None
                    if kind is not None:
                        sinks.append((value, kind))
            elif isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name) and node.func.id == "dict":
                    for kw in node.keywords:
                        if kw.arg == _KEY:
                            sinks.append((kw.value, True))
                if isinstance(node.func, ast.Attribute) and node.func.attr == "setdefault" and len(node.args) == 2:
                    kind = self._key_kind(node.args[0], node)
                    if kind is not None:
                        sinks.append((node.args[1], kind))
        return sinks

    def _key_kind(self, key: ast.AST, at: ast.AST) -> Optional[bool]:
        text = _const(key)
        if text == _KEY:
            return True
        if isinstance(key, ast.BinOp) and isinstance(key.op, ast.Mod) and _const(key.left) == _KEY_PREFIX + "%s":
            return False
        if isinstance(key, ast.JoinedStr) and key.values and _const(key.values[0]) == _KEY_PREFIX:
            return False
        if isinstance(key, ast.Name):
            fn = self.parent_function.get(id(at))
            scope = fn if fn is not None else self.tree
            assigned = self._last_assignment(scope, key.id, at) if fn is not None else None
            if assigned is not None:
                return self._key_kind(assigned, assigned)
        return None

    def findings(self) -> List[Tuple[ast.AST, str]]:
        root_origins: Dict[str, ast.AST] = {}
        for value in self.root_values():
            for origin in self.origins(value, value):
                root_origins.setdefault(origin, value)
        out: List[Tuple[ast.AST, str]] = []
        for value, exact in self.sysroot_sinks():
            origins = self.origins(value, value)
            shared = sorted(o for o in origins if o in root_origins) if exact else []
            if shared:
                root = root_origins[shared[0]]
                out.append(
                    (
                        value,
                        f"`{_label(shared[0])}` is used as `{_KEY}` here and as `--datastore-root` on line "
                        f"{root.lineno}; the sysroot is the parent of the `.metaflow` datastore root",
                    )
                )
            elif "attr:datastore_root" in origins:
                out.append(
                    (
                        value,
                        f"`datastore_root` (the `--datastore-root` value, ending in `.metaflow` for the local "
                        f"datastore) is used as `{_KEY}`; pass its parent directory",
                    )
                )
        return out


def _label(origin: str) -> str:
    kind, _, name = origin.partition(":")
    if kind == "param":
        return name.split(":", 1)[1]
    return f"{name}()" if kind == "call" else name
