"""MFO053 empty-namespace-option: the step's ``--namespace`` falls back to ``""``.

Facts (``cli_components/step_cmd.py``, earlier ``cli.py``): ``step`` calls ``namespace(...)`` whenever
``--namespace`` is given, even empty. Up to 2.17.5 (read: 2.9.15, 2.11.16, 2.12.x, 2.15.21, 2.17.5) it calls
``namespace(opt_namespace or None)``, so ``--namespace ""`` puts the task in the *global* namespace; in 2.19.0 to
2.19.39 it calls ``namespace(opt_namespace)``, and the namespace ``""`` is a tag no run carries, so the client
finds nothing. Without the option the task keeps its default namespace. Metaflow's runtime sends
``get_namespace() or ""``: empty only when the launching process is itself in the global namespace.

An extension that sends ``""`` when no namespace was asked for (a default, an ``or ""``, the fallback of a
``next(...)`` or a ``.get(...)``) changes what every ``Flow(...)``/``Run(...)`` in user code sees.

Decisions:
- Where a value goes to the step's ``--namespace``: ``<x>.command_options["namespace"] = value``; a dict literal
  with a ``"namespace"`` key beside one of ``run-id``, ``task-id``, ``input-paths``, ``retry-count``,
  ``max-user-code-retries``, ``split-index`` (a step's options); ``"--namespace", value`` in a list that also
  holds ``"step"``. Both the extension's code and the Python it emits (``model.generated_code``) are read.
- The value falls back to ``""`` when it is the literal, an ``or`` ending in it, a conditional with it as a
  branch, ``next(..., "")`` or ``.get(..., "")``, or a local name whose one assignment in the function is such a
  value. Values computed from ``get_namespace()`` mirror the runtime and are left alone.
- Reported at the ``""``.
- No fix: leaving the option out (``None``) is right only where the serialiser drops ``None``.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, Iterator, List, Optional

from mfok_lint.model.generated_code import char_offset, code_strings, parse_python
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import pyast

_STEP_KEYS = frozenset({"run-id", "task-id", "input-paths", "retry-count", "max-user-code-retries", "split-index"})
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_MESSAGE = (
    "`--namespace` falls back to `\"\"` here: `step --namespace \"\"` moves the task out of its default namespace "
    "(the global namespace up to 2.17, a namespace no run is tagged with from 2.19), so `Flow(...)`/`Run(...)` in "
    "the step see other runs or none; leave the option out when no namespace was given"
)


def _is_empty(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == ""


def _mentions_get_namespace(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Name, ast.Attribute)) and (getattr(n, "id", None) == "get_namespace"
               or getattr(n, "attr", None) == "get_namespace") for n in ast.walk(node))


def _empty_fallback(node: ast.AST, assignments: Dict[str, List[ast.AST]], depth: int = 0) -> Optional[ast.AST]:
    """The ``""`` the value falls back to, or None."""
    if depth > 3 or _mentions_get_namespace(node):
        return None
    if _is_empty(node):
        return node
    candidates: List[ast.AST] = []
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        candidates = [node.values[-1]]
    elif isinstance(node, ast.IfExp):
        candidates = [node.body, node.orelse]
    elif isinstance(node, ast.Call):
        func = node.func
        if len(node.args) == 2 and (
            (isinstance(func, ast.Name) and func.id == "next") or (isinstance(func, ast.Attribute) and func.attr == "get")
        ):
            candidates = [node.args[1]]
    elif isinstance(node, ast.Name):
        values = assignments.get(node.id, [])
        return _empty_fallback(values[0], assignments, depth + 1) if len(values) == 1 else None
    return next((c for c in candidates if _is_empty(c)), None)


def _assignments(function: Optional[ast.AST]) -> Dict[str, List[ast.AST]]:
    found: Dict[str, List[ast.AST]] = {}
    if function is None:
        return found
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
            found.setdefault(node.target.id, []).append(node.value if node.value is not None else node)
    return found


def _namespace_values(tree: ast.AST) -> Iterator[ast.AST]:
    """Every value sent to a step's ``--namespace``."""
    for node in pyast.nodes_of(tree, ast.Assign, ast.Dict, ast.List, ast.Tuple):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.slice, ast.Constant)
                    and target.slice.value == "namespace"
                    and (pyast.dotted_name(target.value) or "").endswith("command_options")
                ):
                    yield node.value
        elif isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            if "namespace" in keys and _STEP_KEYS.intersection(keys):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == "namespace":
                        yield value
        elif isinstance(node, (ast.List, ast.Tuple)):
            words = [e.value if isinstance(e, ast.Constant) else None for e in node.elts]
            if "step" not in words:
                continue
            for index, word in enumerate(words[:-1]):
                if word == "--namespace":
                    yield node.elts[index + 1]


def _findings(tree: ast.AST) -> Iterator[ast.AST]:
    functions: Optional[List[ast.AST]] = None  # walked for only when a value is found
    for value in _namespace_values(tree):
        if functions is None:
            functions = pyast.nodes_of(tree, *_FUNCS)
        around = None
        for function in functions:
            if function.lineno <= value.lineno <= (function.end_lineno or function.lineno):
                if around is None or function.lineno >= around.lineno:
                    around = function
        fallback = _empty_fallback(value, _assignments(around))
        if fallback is not None:
            yield fallback


class EmptyNamespaceOption(Rule):
    needs = frozenset({"code_strings"})
    # The three places a value goes to ``--namespace`` each spell the key or the option in quotes (escaped in code
    # held in a string), the value is an empty string literal, and each sits beside a step's own words.
    triggers = (
        Text(re.compile(rb"namespace\\?[\"']"), b"--namespace")
        & Text(b'""', b"''", b'\\"\\"', b"\\'\\'")
        & Text(b"command_options", b"step", *(key.encode() for key in sorted(_STEP_KEYS)))
    )

    def check(self, ctx: Context) -> None:
        tree = pyast.parse(ctx.text)
        if tree is not None:
            for node in _findings(tree):
                start = ctx.locator.offset(node.lineno, 1) + _col(ctx.text, node.lineno, node.col_offset)
                end = ctx.locator.offset(node.end_lineno, 1) + _col(ctx.text, node.end_lineno, node.end_col_offset)
                ctx.report((start, end), message=_MESSAGE)
        for piece in code_strings(ctx):
            if "namespace" not in piece.code:
                continue
            generated = parse_python(piece.code)
            if generated is None:
                continue
            for node in _findings(generated):
                start = char_offset(piece.code, node.lineno, node.col_offset)
                end = char_offset(piece.code, node.end_lineno, node.end_col_offset)
                ctx.report(piece.span(start, end), message="Generated code: " + _MESSAGE)


def _col(text: str, lineno: int, col_bytes: int) -> int:
    return char_offset(text, lineno, col_bytes) - char_offset(text, lineno, 0)
