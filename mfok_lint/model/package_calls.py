"""Every call of a function, by name, in the package's code and in the code it generates: what does each pass?

A helper whose parameter has a default (``retry_count=0``) sends that default unless a caller passes the
parameter. Extensions define such helpers inside generated source (a string holding the worker module) and emit
their calls from another builder, another string or another module, so "is the default ever overridden?" is
asked of the whole package (``model.package_code``), here, and answered only when every call can be read.

Decisions:
* **Every mention counts.** Each module of the package whose bytes hold the name is read: in Python code, a
  call of ``name(...)`` or ``obj.name(...)`` is a call site read from CPython's tree; any other mention of the
  name in code (the function passed as a value, stored, re-bound) makes the answer unknown. ``def name`` is the
  definition, and comments are not code.
* **Generated code is read as the text it emits.** The string literals of one function of the extension (or of
  the module's top level) are joined in source order, one per line, with their placeholders as holes
  (``model.generated_code``): a builder that emits ``"_step_cmd("``, ``"%r, run_id,"``, ``"max_retries=%d,"``
  and ``")"`` as separate pieces is read as the call it emits. Pieces added only under a condition are all
  there, so the arguments seen are a superset of those of any one emitted call: more arguments can only make a
  parameter look passed. Docstrings are not code; a mention in a string that is not a call or the ``def`` makes
  the answer unknown.
* **Arguments are counted, not evaluated.** A call site lists its positional argument texts and its keyword
  arguments. ``*args``/``**kwargs``, an unclosed argument list, or a placeholder that may stand for several
  arguments (``%s``, ``{args}``; ``%r``/``%d``/``!r`` are one value) make the answer unknown.
* **Only a complete package answers.** A package with modules that could not be read or parsed, or too many
  modules to read, leaves the question unanswered (None). A text with no place on disk (standard input) is its
  own package: the file is all the run sees, as for every other question of ``model.package_code``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from mfok_lint.model.generated_code import CodeString, code_strings
from mfok_lint.model.package_code import PackageCode
from mfok_lint.syntax import pyast, visiting
from mfok_lint.syntax.source_file import SourceFile
from mfok_lint.syntax.string_literals import HOLE

__all__ = ["CallSite", "package_calls"]

_KEYWORD = re.compile(r"^([A-Za-z_]\w*)\s*=(?!=)\s*(.*)$", re.S)


@dataclass
class CallSite:
    path: str
    in_string: bool  # emitted as generated code (else a call in the module's own code)
    callee: str = ""  # the called expression's text (``_step_cmd``, ``self.compiler.step_cmd``)
    positional: List[str] = field(default_factory=list)  # argument texts, holes as ``HOLE``
    keywords: Dict[str, str] = field(default_factory=dict)

    def argument(self, name: str, index: Optional[int]) -> Optional[str]:
        """The text passed for parameter ``name`` (at ``index`` among the positional parameters), or None."""
        if name in self.keywords:
            return self.keywords[name]
        if index is not None and index < len(self.positional):
            return self.positional[index]
        return None


class _Unknown(Exception):
    """A mention of the function that cannot be read as a call with countable arguments."""


def package_calls(package: PackageCode, name: str) -> Optional[List[CallSite]]:
    """Every call of ``name`` in the package's modules and generated code, or None when one mention cannot be
    read or the package is not complete (see the module docstring)."""
    word = re.compile(r"(?<![\w])" + re.escape(name) + r"(?!\w)")
    sites: List[CallSite] = []
    try:
        for source in package.sources(containing=[name.encode()]):
            if not word.search(source.text):
                continue
            sites.extend(_code_calls(source, name))
            sites.extend(_string_calls(source, name, word))
    except _Unknown:
        return None
    if not package.complete and package.scope is not None:
        return None
    return sites


def _code_calls(source: SourceFile, name: str) -> List[CallSite]:
    tree = pyast.parse(source.text)
    if tree is None:
        raise _Unknown()
    sites: List[CallSite] = []
    callees = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _names(node.func, name):
            callees.add(id(node.func))
            site = CallSite(source.path, False, ast.get_source_segment(source.text, node.func) or name)
            for arg in node.args:
                if isinstance(arg, ast.Starred):
                    raise _Unknown()
                site.positional.append(ast.get_source_segment(source.text, arg) or HOLE)
            for keyword in node.keywords:
                if keyword.arg is None:
                    raise _Unknown()
                site.keywords[keyword.arg] = ast.get_source_segment(source.text, keyword.value) or HOLE
            sites.append(site)
    for node in ast.walk(tree):
        if _names(node, name) and id(node) not in callees:
            raise _Unknown()  # the function as a value: called where it cannot be seen
    return sites


def _names(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (isinstance(node, ast.Attribute) and node.attr == name)


def _string_calls(source: SourceFile, name: str, word: "re.Pattern[str]") -> List[CallSite]:
    sites: List[CallSite] = []
    for group in _emitted_texts(source):
        text = group.text
        for match in word.finditer(text):
            if re.search(r"\bdef\s+$", text[: match.start()]):
                continue
            opening = re.compile(r"\s*\(").match(text, match.end())
            if opening is None:
                raise _Unknown()
            start = opening.end()
            pieces = _split_arguments(text, start)
            if pieces is None:
                raise _Unknown()  # never closed: the rest of the call is emitted where it cannot be seen
            end = start + sum(len(p) for p in pieces) + len(pieces) - 1
            if not group.emitted_in_order(source, match.start(), end):
                raise _Unknown()
            site = _text_site(source.path, text, start, end, pieces, group.scalar_holes)
            site.callee = text[match.start():match.end()]
            sites.append(site)
    return sites


class _Group:
    """The generated code one function of the extension (or its module's top level) emits: its code strings
    joined in source order, one per line."""

    def __init__(self, owner: cst.CSTNode) -> None:
        self.owner = owner
        self.text = ""
        self.scalar_holes: Set[int] = set()
        self.pieces: List[Tuple[int, int, CodeString]] = []  # (start, end) in ``text``

    def add(self, string: CodeString) -> None:
        if self.text:
            self.text += "\n"
        base = len(self.text)
        self.scalar_holes.update(base + h.index for h in string.text.holes if h.scalar)
        self.text += string.code
        self.pieces.append((base, len(self.text), string))

    def emitted_in_order(self, source: SourceFile, start: int, end: int) -> bool:
        """Whether the text from ``start`` to ``end`` is what the function emits there: when it spans several
        literals, everything the function emits between the first and the last of them is one of its literals
        (``_EmissionCheck``), so no argument can come from a variable, a helper or a loop between them."""
        touched = [piece for piece in self.pieces if piece[0] <= end and piece[1] >= start]
        if len(touched) <= 1:
            return True
        lo = source.node_range(touched[0][2].node)[0]
        hi = source.node_range(touched[-1][2].node)[1]
        checker = _EmissionCheck(source, lo, hi, {id(piece[2].node) for piece in self.pieces})
        visiting.visit(self.owner, checker)
        return checker.ok


def _emitted_texts(source: SourceFile) -> List[_Group]:
    """The generated code of each function of the module (and of its top level), see ``_Group``."""
    functions = [(source.node_range(f), f) for f in _functions(source.module)]
    groups: Dict[int, _Group] = {}
    for string in sorted(code_strings(source), key=lambda s: source.node_range(s.node)[0]):
        start, _ = source.node_range(string.node)
        around = [(r, f) for r, f in functions if r[0] <= start < r[1]]
        owner = max(around, key=lambda item: item[0][0])[1] if around else source.module
        groups.setdefault(id(owner), _Group(owner)).add(string)
    return list(groups.values())


def _functions(module: cst.Module) -> List[cst.FunctionDef]:
    found: List[cst.FunctionDef] = []

    class _Functions(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found.append(node)

    visiting.visit(module, _Functions())
    return found


_EMITTERS = frozenset({"append", "extend", "write", "writelines"})
_STRING_NODES = (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)


class _EmissionCheck(cst.CSTVisitor):
    """Between two offsets of a builder, every literal is emitted as one line and nothing else is emitted.

    A line is a literal, a ``%``/``.format`` of one, or one of those after an indentation name (``I + "x,"``);
    it is emitted as an element of a list display, the argument of ``.append``/``.write``, a list display given
    to ``.extend``/``+=``, or a ``yield``. Any other literal, call, concatenation or definition between them may
    emit text in an order the joined literals do not show, and fails the check.
    """

    def __init__(self, source: SourceFile, lo: int, hi: int, literal_ids: Set[int]) -> None:
        super().__init__()
        self.source, self.lo, self.hi, self.literal_ids = source, lo, hi, literal_ids
        self.ok = True

    def _line(self, expr: cst.BaseExpression) -> bool:
        if id(expr) in self.literal_ids:
            return True
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
            return id(expr.left) in self.literal_ids
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format":
            return id(expr.func.value) in self.literal_ids
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            return isinstance(expr.left, (cst.Name, cst.Attribute)) and self._line(expr.right)
        return False

    def _lines(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, (cst.List, cst.Tuple)):
            return all(isinstance(e, cst.Element) and self._line(e.value) for e in expr.elements)
        return False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if not self.ok:
            return False
        try:
            start, end = self.source.node_range(node)
        except KeyError:  # whitespace and punctuation have no span of their own
            return False
        if end <= self.lo or start >= self.hi:
            return False  # outside the emitted range
        around = start <= self.lo and end >= self.hi  # holds the whole range: only its parts can fail
        if isinstance(node, (cst.List, cst.Tuple)):
            self.ok = self._lines(node)
            return False
        if isinstance(node, cst.AugAssign):
            self.ok = self._lines(node.value)
            return False
        if isinstance(node, cst.Yield):
            self.ok = isinstance(node.value, cst.BaseExpression) and self._line(node.value)
            return False
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in _EMITTERS and len(node.args) == 1:
                value = node.args[0].value
                self.ok = self._lines(value) if func.attr.value in ("extend", "writelines") else self._line(value)
                return False
            self.ok = around
            return around
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.BinaryOperation)):
            self.ok = around
            return around
        if isinstance(node, _STRING_NODES) and id(node) in self.literal_ids:
            self.ok = False  # a literal that is not emitted as a line
            return False
        return True


def _text_site(path: str, text: str, start: int, end: int, pieces: List[str], scalar_holes: Set[int]) -> CallSite:
    for i in range(start, end):
        if text[i] == HOLE and i not in scalar_holes:
            raise _Unknown()  # ``%s`` / ``{args}``: may be several arguments, keywords included
    site = CallSite(path, True)
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if piece.startswith("*"):
            raise _Unknown()
        keyword = _KEYWORD.match(piece)
        if keyword is not None:
            site.keywords[keyword.group(1)] = keyword.group(2).strip()
        else:
            site.positional.append(piece)
    return site


def _split_arguments(text: str, start: int) -> Optional[List[str]]:
    """The comma-separated pieces of the argument list that starts at ``start`` (just past its opening
    parenthesis), brackets and quotes respected; None when the list is never closed."""
    pieces: List[str] = []
    depth, quote, piece_start = 0, None, start
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                pieces.append(text[piece_start:i])
                return pieces
            depth -= 1
        elif ch == "," and depth == 0:
            pieces.append(text[piece_start:i])
            piece_start = i + 1
        i += 1
    return None
