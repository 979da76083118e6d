"""Code an extension emits as text: the worker-side scripts held in string literals.

Orchestrator extensions compile a flow into code that runs on the scheduler's workers: generated Python
modules, bash task bodies, heredocs, jinja templates. That code exists in the extension only as string
literals, so rules about what happens *on the worker* read those literals.

Design decisions
----------------
* **Unit = one outermost string expression.** A plain literal, an f-string or an implicit concatenation
  (``'a' 'b'``) is one unit; literals joined with ``+`` or assembled from lists stay separate units. Patterns
  the rules look for (a call, a redirection, a path) sit inside one line of generated code, which never
  straddles two literals in the extensions studied, so no string arithmetic is evaluated here.
* **Docstrings are not code.** A string that is a statement on its own (module, class and function
  docstrings, bare comment strings) is skipped.
* **Placeholders become holes.** f-string fields, ``{name}`` / ``%(name)s`` template fields (and ``%s`` /
  ``%r`` when the literal is the left operand of ``%``) and
  jinja ``{{ ... }}`` are values the compiler fills in *at compile time*; they are replaced by
  ``string_literals.HOLE`` (one character), so a rule can ask "is this fallback a compile-time value?".
* **Comments are blanked.** In the decoded text, a ``#`` at the start of a line or after whitespace, and
  outside quotes on that line, starts a comment (in Python and in shell alike) that is replaced by spaces, so
  prose in generated code never matches while every offset still maps back to the source.
* **Programs inside programs are units of their own.** A ``python -c`` program held in generated code
  (``[sys.executable, "-c", r'''...''']`` in generated Python, ``python3 -c '...'`` in a shell script) is
  code too, one level further down: it becomes its own unit, and is blanked out of the code of the unit that
  holds it, so each character of generated code is read in exactly one unit. Only a program whose text is
  its literal's text is taken (a raw or triple-quoted literal, a shell single-quoted word, or one without
  backslashes), since an escape would shift every offset after it.
* **Lines written one call each are one unit.** A line-builder sequence (``cb.emit(...)`` per line, see
  ``model.emitted_lines``) is one unit, joined; its literals are not units on their own.
* **Built once per file, on demand.** ``code_strings(ctx)`` is memoised in the file context: the rules of
  this family share one walk, and only files that pass their byte prefilter pay for it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import List, Optional

import libcst as cst

from mfok_lint.core.spans import Span
from mfok_lint.model.emitted_lines import emitted_texts
from mfok_lint.syntax import pyast, visiting
from mfok_lint.syntax.source_file import SourceFile
from mfok_lint.syntax.string_literals import HOLE, StrText, jinja_holes, literal_text, percent_format, template_variants

__all__ = ["HOLE", "CodeString", "char_offset", "code_strings", "matching_paren", "parse_python", "string_args"]


@dataclass
class CodeString:
    node: cst.CSTNode  # the outermost string expression (the function, for lines written one call each)
    text: StrText  # decoded, placeholders as holes
    code: str  # ``text.value`` with comments blanked (same length)

    def span(self, start: int, end: int) -> Span:
        return self.text.span(start, end) or Span(self.node)


_STRING_NODES = (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: List[cst.BaseExpression] = []
        self.percent_templates: set = set()
        self._skip: set = set()

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Modulo) and isinstance(node.left, _STRING_NODES):
            self.percent_templates.add(id(node.left))

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, _STRING_NODES):
            self._skip.add(id(node.value))

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        return self._take(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        # The expressions inside an f-string's fields may hold further literals: look at them too.
        self._take(node)
        return True

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        self._take(node)
        return False

    def _take(self, node: cst.BaseExpression) -> bool:
        if id(node) not in self._skip:
            self.found.append(node)
        return False


class _FlatCollector(_Collector):
    """``_Collector`` without pruning, for the shared traversal: inside an implicit concatenation (which
    ``_Collector`` does not enter) nothing is collected, so both give the same strings in the same order."""

    def __init__(self) -> None:
        super().__init__()
        self._concatenations = 0

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if not self._concatenations:
            super().visit_BinaryOperation(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        if not self._concatenations:
            self._take(node)
        return False

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        if not self._concatenations:
            self._take(node)
        return True

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        if not self._concatenations:
            self._take(node)
        self._concatenations += 1
        return True

    def leave_ConcatenatedString(self, original_node: cst.ConcatenatedString) -> None:
        self._concatenations -= 1


_PRECOLLECTED = "gencode:collector"


def strings_collector(ctx: SourceFile) -> cst.BatchableCSTVisitor:
    """This model's collector for the engine's shared traversal (see ``lint.shared_walk``)."""
    from mfok_lint.syntax.visiting import Piggyback

    return ctx.lazy(_PRECOLLECTED, lambda _ctx: Piggyback(_FlatCollector()))


def _decoded(node: cst.BaseExpression, percent_template: bool) -> Optional[StrText]:
    text = literal_text(node)
    if text is None:
        return None
    if percent_template:  # ``"..." % args``: every ``%s``/``%r`` is filled at compile time
        return jinja_holes(percent_format(text, None))
    return jinja_holes(template_variants(text)[0])


def blank_comments(value: str) -> str:
    out = []
    for line in value.split("\n"):
        quote = None
        cut = None
        for i, ch in enumerate(line):
            if quote:
                if ch == "\\":
                    continue
                if ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
                cut = i
                break
        out.append(line if cut is None else line[:cut] + " " * (len(line) - cut))
    return "\n".join(out)


def _build(ctx: SourceFile) -> List[CodeString]:
    shared = ctx.cached(_PRECOLLECTED)
    if shared is not None and shared.usable():
        collector = shared.inner
    else:
        collector = _Collector()
        visiting.visit(ctx.module, collector)
    emitted = emitted_texts(ctx)
    written = set()
    for sequence in emitted:
        for call in sequence.calls:
            written.update(_string_node_ids(call))
    result = []
    for node in collector.found:
        if id(node) in written:
            continue  # one line of a line-builder sequence: read as part of the whole
        text = _decoded(node, id(node) in collector.percent_templates)
        if text is None or not text.value.strip():
            continue
        _add_unit(result, node, text, 0)
    for sequence in emitted:
        if sequence.text.value.strip():
            _add_unit(result, sequence.function, sequence.text, 0)
    return result


def _string_node_ids(node) -> List[int]:
    """The string literals a builder call writes (``cb.emit("x = %s" % v)`` -> the literal)."""
    if isinstance(node, _STRING_NODES):
        return [id(node)]
    if isinstance(node, cst.Expr):
        return _string_node_ids(node.value)
    if isinstance(node, cst.AugAssign):
        return _string_node_ids(node.value)
    if isinstance(node, cst.BinaryOperation):
        return _string_node_ids(node.left) + _string_node_ids(node.right)
    if isinstance(node, cst.Call):
        found = []
        if isinstance(node.func, cst.Attribute):
            found += _string_node_ids(node.func.value)
        for arg in node.args:
            found += _string_node_ids(arg.value)
        return found
    return []


MAX_NESTING = 2


def _add_unit(result: List[CodeString], node: cst.BaseExpression, text: StrText, depth: int) -> None:
    code = blank_comments(text.value)
    inner = _inline_programs(code) if depth < MAX_NESTING and "-c" in code else []
    unit = CodeString(node, text, code)
    result.append(unit)
    for start, end in inner:
        unit.code = unit.code[:start] + " " * (end - start) + unit.code[end:]
        _add_unit(result, node, text.slice(start, end), depth + 1)


# ``"-c", r"""`` in a generated argv list, ``python -c '`` in a shell line: the quote that opens the program.
_INLINE_PROGRAM = re.compile(
    r"""(?:(?P<listed>["']-c["']\s*,\s*(?P<prefix>[rR]?))|(?<![\w-])-c\s+)"""
    r"(?P<quote>" + '"""' + r"|'''|" + '"' + r"|')"
)


def _inline_programs(code: str) -> List[tuple]:
    """(start, end) of each ``-c`` program's text in ``code`` whose characters are the program's own."""
    found = []
    for m in _INLINE_PROGRAM.finditer(code):
        quote = m.group("quote")
        start = m.end()
        if len(quote) == 3:
            end = code.find(quote, start)
        else:
            end = start
            while end < len(code) and code[end] not in (quote, "\n"):
                end += 2 if code[end] == "\\" else 1
            if end >= len(code) or code[end] != quote:
                continue
        if end < 0:
            continue
        body = code[start:end]
        raw = bool(m.group("prefix")) or (m.group("listed") is None and quote == "'")
        if not raw and "\\" in body:
            continue
        if "\n" in body or ";" in body:  # a program, not a one-word argument
            found.append((start, end))
    return found


def code_strings(ctx: SourceFile) -> List[CodeString]:
    return ctx.lazy("gencode:strings", _build)


def matching_paren(code: str, open_index: int) -> int:
    """Index just past the parenthesis closing the one at ``open_index`` (len(code) when unbalanced)."""
    depth = 0
    quote = None
    i = open_index
    while i < len(code):
        ch = code[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(code)


_QUOTED = re.compile(r"""(['"])((?:\\.|(?!\1).)*)\1""")


def string_args(text: str) -> List[str]:
    """The quoted string literals in a piece of generated Python, in order (their inner text)."""
    return [m.group(2) for m in _QUOTED.finditer(text)]


def parse_python(code: str) -> Optional[ast.Module]:
    """Parse generated Python whose placeholder-only lines may stand for dict items or statements alike.

    A placeholder alone on its line expands to code the compiler assembles elsewhere; where it breaks the
    parse (inside a dict display, say) it is blanked, line by line, keeping every offset. A one-line
    statement that a placeholder makes unparsable becomes ``pass``. None when the text is not Python (a
    shell script, prose).
    """
    lines = code.split("\n")
    for _ in range(20):
        indented = all(line.strip() in ("", HOLE) or line[:1] in " \t" for line in lines)
        try:
            if indented:
                # Code kept indented in the extension and dedented at run time (``textwrap.dedent``): parse
                # it as the body of an ``if`` so every column stays the literal's own.
                tree = pyast.compile_tree("if 1:\n" + "\n".join(lines))
                ast.increment_lineno(tree, -1)
                return tree
            return pyast.compile_tree("\n".join(lines))
        except (SyntaxError, ValueError) as error:
            row = (getattr(error, "lineno", None) or 0) - 1 - (1 if indented else 0)
            above = row - 1
            while above > 0 and not lines[above].strip():
                above -= 1
            candidates = [r for r in (row, above) if 0 <= r < len(lines) and lines[r].strip() == HOLE]
            if candidates:
                lines[candidates[0]] = " " * len(lines[candidates[0]])
            elif 0 <= row < len(lines) and HOLE in lines[row] and len(lines[row].strip()) >= 4:
                # A placeholder glued to other tokens (``"ok"{extra}``) that cannot be read as a name:
                # the statement becomes ``pass``, padded so later offsets do not move.
                line = lines[row]
                indent = line[: len(line) - len(line.lstrip())]
                lines[row] = (indent + "pass").ljust(len(line))
            else:
                return None
    return None


def char_offset(code: str, lineno: int, col_bytes: int) -> int:
    """Character index in ``code`` of an ``ast`` position (1-based line, UTF-8 byte column)."""
    start = 0
    for _ in range(lineno - 1):
        start = code.index("\n", start) + 1
    line_end = code.find("\n", start)
    line = code[start: line_end if line_end >= 0 else len(code)]
    return start + len(line.encode("utf-8")[:col_bytes].decode("utf-8", "ignore"))
