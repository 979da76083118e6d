"""MFO006's screen: could a hole of a generated-code template in an identifier position hold an external name?

A superset of what the rule reports, in the rule's two steps on CPython's ``ast``. Position: the holes that may sit
in an identifier position (the rule's own line tests, ``model.identifier_holes``). Value: one of them reads an
external name, directly or through a value assigned to the name it reads in any scope of the file; a name bound by
``from ... import`` may take its value from another module and is always a maybe. ``tests/rules/test_mfo006.py``
runs the rule with and without the screen on generated templates and requires the screen to pass every file the
rule reports in.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List

from mfok_lint.model.identifier_holes import (
    CASE_ONLY_METHODS,
    EXTERNAL_WORDS,
    FAKE_FLOW_CALL,
    PROJECT_INFO_FLOW_NAME,
    holes_in_lines,
    percent_pieces,
    positioned,
)
from mfok_lint.prefilter.base import Trigger
from mfok_lint.syntax import pyast


class ExternalNameInIdentifierHole(Trigger):
    def matches(self, path: str, raw: bytes) -> bool:
        # No word list: the words of external names are everywhere in prose, and the name may be spelled only in
        # another module (``from .config import NAME``).
        if b"{" not in raw and b"%" not in raw and FAKE_FLOW_CALL.encode() not in raw:
            return False
        return _may_report(raw)

    def __repr__(self) -> str:
        return "ExternalNameInIdentifierHole()"


# A superset of what ``check`` reports, read from CPython's ``ast`` (shared, see ``mfok_lint.syntax.pyast``), in the
# rule's two steps. Position: the placeholders that may sit in an identifier position (``_placeholders``, with the
# rule's own line tests). Value: one of them reads an external name, directly or through a value assigned to the
# name it reads in any scope of the file; a name bound by ``from ... import`` may take its value from another
# module and is always a maybe. ``tests/rules/test_mfo006.py`` runs the rule with and without the screen on
# generated templates and requires the screen to pass every file the rule reports in.
_PROJECT_INFO_BYTES = re.compile(PROJECT_INFO_FLOW_NAME.encode())


class _Screen:
    """The file-wide facts the superset test needs: assignments, ``from`` imports and loop variables."""

    def __init__(self, tree: ast.AST, lines: List[str]) -> None:
        self.assigned: Dict[str, List[ast.AST]] = {}
        for node in pyast.nodes_of(tree, ast.Assign, ast.AnnAssign):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(target, node.value)
            elif node.value is not None:
                self._bind(node.target, node.value)
        self.imported = {
            alias.asname or alias.name for node in pyast.nodes_of(tree, ast.ImportFrom) for alias in node.names
        }
        # Loop variables whose iterable may mention parameters. The rule reads each iterable's code, comments
        # and parentheses included; a superset of that code is the loop's header lines, or for a comprehension
        # the lines of the whole expression.
        self.param_loop_names = set()
        for node in pyast.nodes_of(tree, ast.For, ast.AsyncFor):
            header_end = max(node.body[0].lineno - 1, node.lineno)  # the body's line too for a one-line loop
            if "param" in _lines(lines, node.lineno, header_end):
                self.param_loop_names.update(_names_in(node.target))
        for node in pyast.nodes_of(tree, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp):
            if "param" in _lines(lines, node.lineno, node.end_lineno):
                for generator in node.generators:
                    self.param_loop_names.update(_names_in(generator.target))

    def _bind(self, target: ast.AST, value: ast.AST) -> None:
        if isinstance(target, ast.Starred):
            target = target.value
        name = pyast.dotted_name(target)
        if name is not None:
            self.assigned.setdefault(name, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for element, item in zip(target.elts, value.elts):
                    self._bind(element, item)
            elif isinstance(value, ast.Call):
                for element in target.elts:
                    self._bind(element, value)

    def may_match(self, expr: ast.AST) -> bool:
        """Could ``_kind_of`` accept this expression's text? (The ``project_info[...]`` form is tested on the
        whole file instead.)"""
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in CASE_ONLY_METHODS
            and not expr.args
            and not expr.keywords
        ):
            expr = expr.func.value
        if any(isinstance(node, ast.Call) for node in ast.walk(expr)):
            return False  # its text holds "(": sanitised or computed
        chain = pyast.dotted_name(expr)
        if chain is None:
            return False
        parts = chain.split(".")
        if parts[-1] in EXTERNAL_WORDS:
            return True
        if len(parts) >= 2 and parts[-1].lower() == "name":
            return "param" in parts[-2].lower() or (len(parts) == 2 and parts[0] in self.param_loop_names)
        return False

    def may_reach(self, expr: ast.AST, seen: frozenset = frozenset()) -> bool:
        """``values.trace_origin``'s walk, widened: every assignment of the file counts, in any scope."""
        inner: List[ast.AST] = []
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
            inner = list(expr.right.elts) if isinstance(expr.right, ast.Tuple) else [expr.right]
        elif isinstance(expr, ast.JoinedStr):
            inner = [part.value for part in expr.values if isinstance(part, ast.FormattedValue)]
        if inner:
            return any(self.may_reach(part, seen) for part in inner)
        if self.may_match(expr):
            return True
        name = pyast.dotted_name(expr)
        if name is None or name in seen:
            return False
        if "." not in name and name in self.imported:
            return True
        return any(self.may_reach(value, seen | {name}) for value in self.assigned.get(name, ()))


def _lines(lines: List[str], first: int, last: int) -> str:
    """Rows ``first`` to ``last`` (1-based, inclusive), lowercased."""
    return "\n".join(lines[first - 1 : last]).lower()


def _names_in(target: ast.AST) -> List[str]:
    return [node.id for node in ast.walk(target) if isinstance(node, ast.Name)]


def _placeholders(tree: ast.AST, lines: List[str]) -> List[ast.AST]:
    """Every expression ``check`` might judge: f-string holes and ``%`` operands that may sit in an identifier
    position, and the arguments of ``generate_fake_flow_file_contents`` calls.

    The position is the rule's own test (``_holes_in_lines``, ``_positioned``) on ``ast``'s decoded text. For a
    ``%`` template the rule reads the decoded text too. For an f-string it reads the source text, which the
    decoded text equals (for these tests) only when the literal is one token without a backslash and without a
    ``{x=}`` field; any other f-string keeps all its holes.
    """
    found: List[ast.AST] = []
    specs = {id(v.format_spec) for v in pyast.nodes_of(tree, ast.FormattedValue) if v.format_spec is not None}
    for node in pyast.nodes_of(tree, ast.JoinedStr):
        holes = [part for part in node.values if isinstance(part, ast.FormattedValue)]
        if id(node) in specs or not _reads_as_written(_segment(lines, node)):
            found.extend(hole.value for hole in holes)
            continue
        pieces = [("text", p.value) if isinstance(p, ast.Constant) else ("hole", p) for p in node.values]
        found.extend(hole.value for hole, before, after in holes_in_lines(pieces) if positioned(before, after))
    for node in pyast.nodes_of(tree, ast.BinOp):
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            operands = list(node.right.elts) if isinstance(node.right, ast.Tuple) else [node.right]
            pieces = percent_pieces(node.left.value.replace("\\n", "\n"), operands)
            if pieces is not None:
                found.extend(hole for hole, before, after in holes_in_lines(pieces) if positioned(before, after))
    for node in pyast.nodes_of(tree, ast.Call):
        if pyast.called_name(node) == FAKE_FLOW_CALL:
            found.extend(node.args)
            found.extend(keyword.value for keyword in node.keywords)
    return found


_DEBUG_FIELD = re.compile(r"=\s*[}!:]")

_TRIPLE_QUOTES = ('"' * 3, "'" * 3)

def _reads_as_written(segment: str) -> bool:
    """Is this f-string source one literal token whose literal parts read the same decoded?"""
    body = segment.lstrip("rRfFbBuU")
    quote = body[:3] if body[:3] in _TRIPLE_QUOTES else body[:1]
    if quote not in ('"', "'", *_TRIPLE_QUOTES) or len(body) < 2 * len(quote) or not body.endswith(quote):
        return False
    inner = body[len(quote) : -len(quote)]
    return quote not in inner and "\\" not in segment and not _DEBUG_FIELD.search(inner)


def _segment(lines: List[str], node: ast.AST) -> str:
    """The node's source (``ast`` columns count UTF-8 bytes)."""
    first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
    start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
    if not 0 <= first <= last < len(lines):
        return ""
    if first == last:
        return lines[first].encode()[start:end].decode("utf-8", "replace")
    head = lines[first].encode()[start:].decode("utf-8", "replace")
    tail = lines[last].encode()[:end].decode("utf-8", "replace")
    return "\n".join([head, *lines[first + 1 : last], tail])


def _may_report(raw: bytes) -> bool:
    tree = pyast.parse_source(raw)
    if tree is None:
        return True  # a template file, or code ``ast`` cannot read: libcst decides
    # The rows ``ast`` counts: only \r\n, \r and \n end a line (``str.splitlines`` knows more breaks).
    lines = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    placeholders = _placeholders(tree, lines)
    if not placeholders:
        return False
    if _PROJECT_INFO_BYTES.search(raw):
        return True
    screen = _Screen(tree, lines)
    return any(screen.may_reach(expr) for expr in placeholders)
