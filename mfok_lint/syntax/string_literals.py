"""String values with their provenance: the text a string expression produces, char by char mapped to source.

Commands hide inside strings (shell scripts, generated Python), so every character of an analysed string must
map back to the literal it came from, or diagnostics would point at the wrong place. ``StrText`` keeps, per
character of the *decoded* value, the (node, offset-in-node-code) it came from. Placeholders (f-string fields,
``%s`` / ``%(name)s``, ``{name}`` of ``.format``, jinja/mustache ``{{ ... }}``) become one ``HOLE`` character
each, with a ``Hole`` record naming the expression that fills it when the source says so.

Decoding works on the literal's own code rather than ``ast.literal_eval`` so escape sequences keep their
offsets; offsets are in characters of the node's code, which is what ``mfok_lint.rules.context.Span`` expects.
"""

from __future__ import annotations

import codecs
import itertools
import re
import warnings
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import libcst as cst

from mfok_lint.core.spans import Span

# One character stands for "a value the source fills in later". It is a letter (valid in identifiers, so
# generated Python with holes still parses) that no real template uses.
HOLE = "\u01c1"

Origin = Optional[Tuple[cst.CSTNode, int]]

_EMPTY_MODULE = cst.Module(body=[])


def node_code(node: cst.CSTNode) -> str:
    return _EMPTY_MODULE.code_for_node(node)


@dataclass
class Hole:
    index: int  # position of the HOLE char in StrText.value
    expr: Optional[cst.BaseExpression]  # the expression filling it, when the source names one
    origin: Origin
    width: int = 1  # how many source characters the placeholder spans (for spans)
    scalar: bool = False  # formatted with repr/number conversion: one value, never several elements
    name: Optional[str] = None  # the placeholder's field name / expression identifier, when it has one


@dataclass
class StrText:
    value: str = ""
    origins: List[Origin] = field(default_factory=list)
    holes: List[Hole] = field(default_factory=list)

    def hole_at(self, index: int) -> Optional[Hole]:
        for hole in self.holes:
            if hole.index == index:
                return hole
        return None

    def append_text(self, text: str, origins: Sequence[Origin]) -> None:
        self.value += text
        self.origins.extend(origins)

    def append_hole(
        self,
        expr: Optional[cst.BaseExpression],
        origin: Origin,
        width: int = 1,
        scalar: bool = False,
        name: Optional[str] = None,
    ) -> None:
        if name is None and expr is not None:
            name = _identifier(expr)
        self.holes.append(Hole(len(self.value), expr, origin, width, scalar, name))
        self.value += HOLE
        self.origins.append(origin)

    def extend(self, other: "StrText") -> None:
        base = len(self.value)
        self.value += other.value
        self.origins.extend(other.origins)
        self.holes.extend(Hole(h.index + base, h.expr, h.origin, h.width, h.scalar, h.name) for h in other.holes)

    def slice(self, start: int, end: int) -> "StrText":
        out = StrText(self.value[start:end], self.origins[start:end])
        out.holes = [
            Hole(h.index - start, h.expr, h.origin, h.width, h.scalar, h.name)
            for h in self.holes
            if start <= h.index < end
        ]
        return out

    def span(self, start: int, end: int) -> Optional[Span]:
        """A source span for value[start:end] (narrowed to the first source node it touches)."""
        first = None
        for i in range(start, max(start + 1, end)):
            if i < len(self.origins) and self.origins[i] is not None:
                first = self.origins[i]
                break
        if first is None:
            return None
        node, lo = first
        hi = lo + 1
        for i in range(start, end):
            o = self.origins[i] if i < len(self.origins) else None
            if o is not None and o[0] is node:
                width = 1
                hole = self.hole_at(i) if self.value[i] == HOLE else None
                if hole is not None:
                    width = hole.width
                hi = max(hi, o[1] + width)
        return Span(node, lo, hi)


def _identifier(expr) -> Optional[str]:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Call):
        return _identifier(expr.func)
    return None


# ---- decoding literals -----------------------------------------------------------------------------------
_SIMPLE_ESCAPES = {
    "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
}
_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[0-7]{1,3}|\n|.)", re.DOTALL)


def _decode_into(out: StrText, raw: str, node: cst.CSTNode, base: int, is_raw: bool, fstring: bool) -> None:
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\\" and not is_raw:
            m = _ESCAPE_RE.match(raw, i)
            if m is None:
                out.append_text(ch, [(node, base + i)])
                i += 1
                continue
            body = m.group(1)
            if body == "\n":
                decoded = ""
            elif body in _SIMPLE_ESCAPES:
                decoded = _SIMPLE_ESCAPES[body]
            else:
                try:
                    with warnings.catch_warnings():
                        # "\d" and friends in the linted code are the author's business, not a warning of ours.
                        warnings.simplefilter("ignore", DeprecationWarning)
                        decoded = codecs.decode("\\" + body, "unicode_escape")
                except Exception:  # an escape Python itself would reject: keep it verbatim
                    decoded = m.group(0)
            out.append_text(decoded, [(node, base + i)] * len(decoded))
            i = m.end()
            continue
        if fstring and ch in "{}" and raw.startswith(ch * 2, i):
            out.append_text(ch, [(node, base + i)])
            i += 2
            continue
        out.append_text(ch, [(node, base + i)])
        i += 1


def literal_text(node: cst.CSTNode) -> Optional[StrText]:
    """The decoded text of a string literal node (plain, f-string or implicit concatenation); None for bytes."""
    if isinstance(node, cst.SimpleString):
        prefix = node.prefix.lower()
        if "b" in prefix:
            return None
        quote = node.quote
        start = len(node.prefix) + len(quote)
        raw = node.value[start: len(node.value) - len(quote)]
        out = StrText()
        _decode_into(out, raw, node, start, "r" in prefix, False)
        return out
    if isinstance(node, cst.FormattedString):
        prefix = node.start.lower()
        if "b" in prefix:
            return None
        out = StrText()
        offset = len(node.start)
        for part in node.parts:
            code = node_code(part)
            if isinstance(part, cst.FormattedStringText):
                _decode_into(out, part.value, node, offset, "r" in prefix, True)
            else:
                out.append_hole(part.expression, (node, offset), len(code))
            offset += len(code)
        return out
    if isinstance(node, cst.ConcatenatedString):
        left = literal_text(node.left)
        right = literal_text(node.right)
        if left is None or right is None:
            return None
        left.extend(right)
        return left
    return None


# ---- templates ------------------------------------------------------------------------------------------
_PERCENT_RE = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")
_FORMAT_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_JINJA_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def _rebuild(text: StrText, pattern: "re.Pattern[str]", replace) -> StrText:
    """Copy ``text`` replacing each match of ``pattern`` by what ``replace(match)`` says:
    a str (literal text, mapped to the match start) or ("hole", expr)."""
    out = StrText()
    pos = 0
    value = text.value
    for m in pattern.finditer(value):
        _copy(out, text, pos, m.start())
        what = replace(m)
        origin = text.origins[m.start()] if m.start() < len(text.origins) else None
        if isinstance(what, str):
            out.append_text(what, [origin] * len(what))
        else:
            name = what[2] if len(what) > 2 else None
            out.append_hole(what[1], origin, m.end() - m.start(), what[0] == "scalar", name)
        pos = m.end()
    _copy(out, text, pos, len(value))
    return out


def _copy(out: StrText, text: StrText, start: int, end: int) -> None:
    if start >= end:
        return
    base = len(out.value)
    out.value += text.value[start:end]
    out.origins.extend(text.origins[start:end])
    out.holes.extend(
        Hole(h.index - start + base, h.expr, h.origin, h.width, h.scalar, h.name)
        for h in text.holes
        if start <= h.index < end
    )


def percent_format(template: StrText, args: Optional[cst.BaseExpression]) -> StrText:
    """Apply ``%`` placeholders; ``args`` None when the template is formatted out of sight."""
    positional: List[cst.BaseExpression] = []
    mapping = {}
    if args is None:
        pass
    elif isinstance(args, cst.Tuple):
        positional = [el.value for el in args.elements if isinstance(el, cst.Element)]
    elif isinstance(args, cst.Dict):
        for el in args.elements:
            if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                key = literal_text(el.key)
                if key is not None:
                    mapping[key.value] = el.value
    else:
        positional = [args]
    counter = itertools.count()

    def replace(m):
        if m.group(2) == "%":
            return "%"
        kind = "hole" if m.group(2) == "s" else "scalar"
        if m.group(1):
            return (kind, mapping.get(m.group(1), args if not mapping else None), m.group(1))
        i = next(counter)
        return (kind, positional[i] if i < len(positional) else None)

    return _rebuild(template, _PERCENT_RE, replace)


def brace_format(template: StrText, call: Optional[cst.Call]) -> StrText:
    """Apply ``str.format`` placeholders; ``call`` None when the template is formatted out of sight."""
    args = call.args if call is not None else ()
    positional = [a.value for a in args if a.keyword is None and a.star == ""]
    keywords = {a.keyword.value: a.value for a in args if a.keyword is not None}
    counter = itertools.count()

    def replace(m):
        token = m.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        field_name = re.split(r"[!:.\[]", m.group(1), maxsplit=1)[0].strip()
        kind = "scalar" if "!r" in m.group(1) or "!a" in m.group(1) else "hole"
        if field_name == "":
            i = next(counter)
            return (kind, positional[i] if i < len(positional) else None)
        # isdecimal, not isdigit: int() rejects digits such as "²"; an index too long for int() fills nothing.
        if field_name.isdecimal() and len(field_name) < 100:
            i = int(field_name)
            return (kind, positional[i] if i < len(positional) else None)
        return (kind, keywords.get(field_name), field_name)

    return _rebuild(template, _FORMAT_RE, replace)


def jinja_holes(text: StrText) -> StrText:
    """Jinja/mustache expressions (``{{ vars.X }}``) are values the scheduler fills in: make them holes."""
    if "{{" not in text.value and "{%" not in text.value:
        return text
    if FORMAT_FIELD_RE.search(text.value):  # a str.format template: "{{" is an escaped brace, not jinja
        return text
    return _rebuild(text, _JINJA_RE, lambda m: ("hole", None))


FORMAT_FIELD_RE = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_]\w*)*(?:![rsa])?(?::[^{}]*)?\}(?!\})")
PERCENT_FIELD_RE = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdrif]")


def template_variants(text: StrText) -> List[StrText]:
    """Readings of a bare literal that may be a template formatted elsewhere (``TEMPLATE.format(...)``)."""
    variants = [text]
    if FORMAT_FIELD_RE.search(text.value) or "{{" in text.value:
        variants.insert(0, brace_format(text, None)) if FORMAT_FIELD_RE.search(text.value) else variants.append(
            brace_format(text, None)
        )
    if PERCENT_FIELD_RE.search(text.value):
        variants.insert(0, percent_format(text, None))
    return variants
