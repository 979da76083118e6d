"""Generated code written one line per call: ``cb.emit("...")``, ``lines.append("...")``, ``buf.write("...\\n")``,
``out += "...\\n"``, read back as the one text those calls produce.

Some compilers build the module or script they generate with a small code builder, one call per line, with
``cb.indent()`` / ``cb.dedent()`` (or ``with cb.indented():``) for the nesting. Each line alone is no command and
no program; the sequence is.

Design decisions
----------------
* **A sequence is one receiver within one function, in statement order.** Calls on the same receiver
  (``cb``, ``self._lines``) in the same function body are joined; a helper that gets the builder as an
  argument writes its own sequence, read on its own (its lines sit at its own relative indentation).
* **One path through the compiler.** Of an ``if``/``elif``/``else`` chain only the first branch that writes on
  the receiver is taken: the branches usually write alternative versions of the same line (one ``def`` header
  per kind of step), which joined would not be one program. Loop bodies are taken once; of a ``try``, the
  body, ``else`` and ``finally`` (the handlers write what a failed compile writes).
* **Lines, not tokens.** A receiver counts as a line builder when it receives at least ``MIN_LINES`` string
  arguments, two of them shaped like code (a space, ``=``, ``(``, ``[`` or ``:``): an argv list grown with
  ``cmd.append("--run-id")`` is not a program.
* **Placeholders are holes, lines keep their literals.** Each argument is decoded the way a single literal is
  (f-string fields, ``%`` and ``.format`` placeholders become holes), so every character maps back to the
  literal it came from. An argument that is not a string expression becomes a line holding one hole (code the
  compiler assembles elsewhere). A leading placeholder named like indentation (``f"{pfx}x = 1"``) is dropped.
* **Indentation is text of its own.** ``indent``/``dedent`` move a level; the four spaces per level are added
  with no source position.
* **Cheap first.** ``may_emit_lines`` is a text test (several builder calls with a string argument); only files
  that pass it are walked, and the walk visits statements, not expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Union

import libcst as cst

from mfok_lint.syntax.names import dotted_name
from mfok_lint.syntax.source_file import SourceFile
from mfok_lint.syntax.string_literals import (
    HOLE,
    StrText,
    brace_format,
    jinja_holes,
    literal_text,
    percent_format,
)

__all__ = ["EmittedText", "emitted_texts", "may_emit_lines"]

MIN_LINES = 4

_LINE_METHODS = frozenset({"emit", "line", "writeline", "add_line", "append"})
_WRITE_METHODS = frozenset({"write"})
_INDENT_METHODS = frozenset({"indent", "push", "inc", "indent_more"})
_DEDENT_METHODS = frozenset({"dedent", "pop", "dec", "unindent", "indent_less"})
_INDENT_BLOCKS = frozenset({"indent", "indented", "block", "nested"})
_INDENT_NAME = re.compile(r"^_*(pfx|prefix|indent|indentation|pad|padding|ind|sp|spaces|ws)\d*_*$", re.IGNORECASE)
_CODE_SHAPED = re.compile(r"[ =(\[:]")

_CALL_WITH_STRING = re.compile(
    rb"\.(?:emit|line|writeline|add_line|append|write)\(\s*[rRfFuU]{0,2}[\"']|\+=\s*[rRfFuU]{0,2}[\"']"
)


def may_emit_lines(text: Union[str, bytes]) -> bool:
    """Can the file hold a line-builder sequence at all? A superset: enough builder calls with a string."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    count = 0
    for _ in _CALL_WITH_STRING.finditer(data):
        count += 1
        if count >= MIN_LINES:
            return True
    return False


@dataclass
class EmittedText:
    function: cst.FunctionDef
    receiver: str
    text: StrText  # the joined lines, placeholders as holes
    calls: List[cst.CSTNode] = field(default_factory=list)  # the statements that wrote it, in order


class _Sequence:
    __slots__ = ("calls", "join", "level", "lines", "strings", "shaped")

    def __init__(self, join: str) -> None:
        self.join = join  # "\n" for line methods, "" for write / +=
        self.lines: List[tuple] = []  # (level, StrText)
        self.calls: List[cst.CSTNode] = []
        self.level = 0
        self.strings = 0
        self.shaped = 0


class _Walker:
    def __init__(self) -> None:
        self.sequences: Dict[str, _Sequence] = {}

    # -- statements -----------------------------------------------------------------------------------------
    def block(self, body) -> None:
        if isinstance(body, cst.SimpleStatementSuite):
            for small in body.body:
                self.small(small)
            return
        for stmt in body.body:
            self.statement(stmt)

    def statement(self, stmt) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small)
        elif isinstance(stmt, cst.If):
            branch = stmt
            while True:
                if self._writes(branch.body):
                    self.block(branch.body)
                    return
                orelse = branch.orelse
                if isinstance(orelse, cst.If):
                    branch = orelse
                    continue
                if isinstance(orelse, cst.Else):
                    self.block(orelse.body)
                return
        elif isinstance(stmt, (cst.For, cst.While)):
            self.block(stmt.body)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            self.block(stmt.body)
            if stmt.orelse is not None:
                self.block(stmt.orelse.body)
            if stmt.finalbody is not None:
                self.block(stmt.finalbody.body)
        elif isinstance(stmt, cst.With):
            opened = []
            for item in stmt.items:
                call = item.item
                if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
                    if call.func.attr.value in _INDENT_BLOCKS:
                        key = dotted_name(call.func.value)
                        if key:
                            opened.append(key)
            for key in opened:
                self._sequence(key, "\n").level += 1
            self.block(stmt.body)
            for key in opened:
                self._sequence(key, "\n").level -= 1

    def _writes(self, body) -> bool:
        """Does a branch write on a builder? (statements only; nested blocks included)"""
        probe = _Walker()
        probe.block(body)
        return any(seq.lines for seq in probe.sequences.values())

    def _sequence(self, key: str, join: str) -> _Sequence:
        seq = self.sequences.get(key)
        if seq is None:
            seq = self.sequences[key] = _Sequence(join)
        return seq

    def small(self, small) -> None:
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            call = small.value
            func = call.func
            if not isinstance(func, cst.Attribute):
                return
            method = func.attr.value
            key = dotted_name(func.value)
            if not key:
                return
            if method in _INDENT_METHODS and not call.args:
                self._sequence(key, "\n").level += 1
            elif method in _DEDENT_METHODS and not call.args and key in self.sequences:
                self.sequences[key].level -= 1
            elif method in _LINE_METHODS or method in _WRITE_METHODS:
                join = "" if method in _WRITE_METHODS else "\n"
                if method in ("emit", "line", "writeline") and not call.args:
                    self._add(key, join, StrText(), call)
                elif len(call.args) == 1 and not call.args[0].keyword and not call.args[0].star:
                    self._add(key, join, _decode(call.args[0].value), call)
        elif isinstance(small, cst.AugAssign) and isinstance(small.operator, cst.AddAssign):
            key = dotted_name(small.target)
            if key and _is_string_expr(small.value):
                self._add(key, "", _decode(small.value), small)

    def _add(self, key: str, join: str, text: Optional[StrText], node) -> None:
        seq = self._sequence(key, join)
        if seq.join != join and seq.lines:
            return
        seq.join = join
        if text is None:
            line = StrText()
            line.append_hole(None, None)
        else:
            line = _strip_indent_hole(text)
            seq.strings += 1
            if _CODE_SHAPED.search(line.value.strip()):
                seq.shaped += 1
        seq.lines.append((seq.level, line))
        seq.calls.append(node)


def _is_string_expr(node) -> bool:
    if isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        return _is_string_expr(node.left)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        return _is_string_expr(node.func.value)
    return False


def _decode(node) -> Optional[StrText]:
    """The text one argument writes, placeholders as holes; None when it is no string expression."""
    if isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
        text = literal_text(node)
        return None if text is None else jinja_holes(text)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Modulo) and isinstance(
            node.left, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)
        ):
            template = literal_text(node.left)
            return None if template is None else jinja_holes(percent_format(template, node.right))
        if isinstance(node.operator, cst.Add):
            left, right = _decode(node.left), _decode(node.right)
            if left is None and right is None:
                return None
            out = StrText()
            for part, src in ((left, node.left), (right, node.right)):
                if part is None:
                    out.append_hole(src, None)
                else:
                    out.extend(part)
            return out
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        if isinstance(node.func.value, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
            template = literal_text(node.func.value)
            return None if template is None else brace_format(template, node)
    return None


def _strip_indent_hole(text: StrText) -> StrText:
    if text.value[:1] == HOLE:
        hole = text.hole_at(0)
        if hole is not None and hole.name and _INDENT_NAME.match(hole.name):
            return text.slice(1, len(text.value))
    return text


def _assemble(seq: _Sequence) -> StrText:
    out = StrText()
    base = min(level for level, _ in seq.lines)
    for i, (level, line) in enumerate(seq.lines):
        if seq.join:
            if i:
                out.append_text("\n", [None])
            if line.value.strip():
                pad = "    " * (level - base)
                out.append_text(pad, [None] * len(pad))
        out.extend(line)
    return out


def _functions(body, found: List[cst.FunctionDef]) -> None:
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef):
            found.append(stmt)
            if isinstance(stmt.body, cst.IndentedBlock):
                _functions(stmt.body.body, found)
        elif isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
            _functions(stmt.body.body, found)
        elif isinstance(stmt, (cst.If, cst.Try)) and isinstance(stmt.body, cst.IndentedBlock):
            _functions(stmt.body.body, found)


def _build(module: cst.Module) -> List[EmittedText]:
    functions: List[cst.FunctionDef] = []
    _functions(module.body, functions)
    result = []
    for fn in functions:
        walker = _Walker()
        walker.block(fn.body)
        for key, seq in walker.sequences.items():
            if seq.strings < MIN_LINES or seq.shaped < 2:
                continue
            result.append(EmittedText(fn, key, _assemble(seq), list(seq.calls)))
    return result


def emitted_texts(ctx: SourceFile) -> List[EmittedText]:
    """Every line-builder sequence of the file, joined; computed once per file."""
    return ctx.lazy("emitted:texts", lambda c: _build(c.module) if may_emit_lines(c.text) else [])


def emitted_texts_of_module(module: cst.Module, text: Union[str, bytes]) -> List[EmittedText]:
    return _build(module) if may_emit_lines(text) else []
