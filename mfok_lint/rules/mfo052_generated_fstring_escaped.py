"""MFO052 generated-fstring-escaped: generated code holds an f-string whose every field is written ``{{name}}``,
through ``%`` formatting, which keeps the doubled braces.

Extensions emit worker code as text, and inside an f-string of that code ``{{run_id}}`` is a literal ``{run_id}``.
Doubling the braces is right when the template itself is an f-string or goes through ``.format`` (both turn
``{{`` into ``{``), and wrong under ``%`` formatting, which leaves them as they are: the emitted code then prints
the text ``{run_id}/a/{parent_task_ids['a']}`` instead of the values, and every command built from it (an
``--input-paths`` value, a pathspec) names nothing.

Decisions:
- Checked: string literals (not f-strings) that are the left operand of ``%`` and whose result is not passed on to
  ``.format``. In their text, each f-string literal of the generated code (``f"..."``, ``rf'...'``, one line)
  is read.
- Reported when that generated f-string has no replacement field at all and holds a doubled-brace expression
  (``{{run_id}}``, ``{{parent_task_ids[%r]}}``; an identifier with attributes or subscripts, no spaces). An
  f-string with no field does nothing an ordinary string would not, so its ``f`` says the author meant those to
  be fields; f-strings that also have real fields may want literal braces and are left alone.
- No fix: single braces are right only once the template stops being ``%``-formatted the same way.
"""

from __future__ import annotations

import re
from typing import List, Set

import libcst as cst

from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import string_value

_INNER_FSTRING = re.compile(r"""(?<![\w'"])(?:[fF][rR]?|[rR][fF])(["'])(?P<body>(?:(?!\1)[^\n\\]|\\.)*)\1""")
_ESCAPED_FIELD = re.compile(r"\{\{([A-Za-z_][\w.]*(?:\[[^{}\s]*\])*)\}\}")


def _has_real_field(body: str) -> bool:
    return "{" in body.replace("{{", "").replace("}}", "")


class _Templates(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: List[cst.BinaryOperation] = []
        self.formatted: Set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("format", "format_map"):
            inner = func.value
            while isinstance(inner, cst.BinaryOperation):
                self.formatted.add(id(inner))
                inner = inner.left

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Modulo) and isinstance(node.left, (cst.SimpleString, cst.ConcatenatedString)):
            self.found.append(node)


class GeneratedFstringEscaped(Rule):
    needs = frozenset({"cst"})
    triggers = Text(b"{{") & Text(b"%")

    def check(self, ctx) -> None:
        walk = _Templates()
        visiting.visit(ctx.module, walk)
        for operation in walk.found:
            if id(operation) in walk.formatted:
                continue
            text = string_value(operation.left)
            if text is None or "{{" not in text:
                continue
            for match in _INNER_FSTRING.finditer(text):
                body = match.group("body")
                if _has_real_field(body):
                    continue
                escaped = _ESCAPED_FIELD.findall(body)
                if not escaped:
                    continue
                shown = ", ".join(f"`{{{{{e}}}}}`" for e in escaped)
                ctx.report(
                    operation.left,
                    message=f"the generated f-string `{match.group(0)}` has no field: `%` formatting keeps {shown} "
                    "doubled, so the emitted code produces the braces and names literally instead of their values; "
                    "write single braces",
                )
                break
