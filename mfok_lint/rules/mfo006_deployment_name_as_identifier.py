"""MFO006 deployment-name-as-identifier: external names pasted into generated source as Python identifiers.

Deployment identifiers and project-qualified flow names are dotted (``project.branch.Flow``), and
Metaflow parameter names may contain dashes (``Parameter("learning-rate")``). Used whole where generated
Python needs an identifier (``class {name}(FlowSpec)``, ``def {name}(``, ``_param_{p.name}: str``), they make
the generated module a syntax error, which surfaces only at deploy or ``from_deployment`` time.

Decisions:
* Templates examined: f-strings and ``"..." % (...)`` with a literal format (the forms extensions use to
  emit code). A placeholder is in an identifier position when the generated line names it after ``class``
  or ``def``, starts a line as an assignment target (``{name} = ...``), or glues it to identifier
  characters (``_param_{x}``, ``{x}Config``), outside any string
  literal of the generated line (an even number of quotes before it) and not on a shell line
  (``export``/``$``). Calls to ``generate_fake_flow_file_contents(flow_name=...)`` are the same emission.
* The value must be an external name, directly or through simple assignments (``model.values``): a
  ``from_deployment``-style ``identifier``, a project-qualified flow name (``project_flow_name``,
  ``_project_info["flow_name"]``), or a parameter's ``.name`` (``param.name``, or ``p.name`` where ``p``
  iterates something named like parameters). Step names are identifiers already and are not external.
* Any call in the placeholder other than case changes (``.lower()``) counts as sanitising
  (``_wf_fn(name)``, ``name.replace("-", "_")``, ``name.split(".")[-1]``): not reported.
* The unsafe fix rewrites a simple f-string placeholder: ``{identifier}`` -> ``{identifier.split(".")[-1]}``
  for dotted names, ``{p.name}`` -> ``{p.name.replace("-", "_")}`` for parameter names. Unsafe: every other
  place in the generated program that refers to the same identifier must agree, which the rule cannot see.
* Stable since its false-positive rate was measured: on the twelve pinned releases it reports 5 placeholders,
  all true (flyte's ``_param_{p.name}``), and stays silent on every sanitised or non-external name the
  corpus holds (``docs/real-extensions-MFO006-MFO019.md`` lists them).
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Tuple

import libcst as cst

from mfok_lint import pyast
from mfok_lint.diagnostics import Applicability
from mfok_lint.model.environment import dotted_name
from mfok_lint.model.values import code_of, trace_origin
from mfok_lint.rules.base import FixAvailability, Rule

_DOTTED = re.compile(
    r"""^(?:\w+\.)*(?:identifier|deployment_name|deployment_id|project_flow_name)$"""
    r"""|project_info\w*\s*\[\s*["']flow_name["']\s*\]"""
)
_PARAM_NAME = re.compile(r"""^(?:\w+\.)*\w*param\w*\.name$""", re.IGNORECASE)
_CASE_ONLY_CALL = re.compile(r"""\.(?:lower|upper|strip|casefold)\(\)$""")
_IDENT = re.compile(r"[A-Za-z0-9_]")
_DEF_OR_CLASS = re.compile(r"(?:^|[\s@;:])(?:async\s+def|def|class)\s+[A-Za-z0-9_]*$")
_SHELL_LINE = re.compile(r"^\s*export\s|\$")


def _kind_of(origin_text: str, loop_iters: Dict[str, str]) -> Optional[str]:
    text = origin_text.strip()
    if _DOTTED.search(text):
        return "dotted"
    if _PARAM_NAME.match(text):
        return "parameter"
    m = re.fullmatch(r"(\w+)\.name", text)
    if m and "param" in loop_iters.get(m.group(1), "").lower():
        return "parameter"
    return None


class _LoopIterables:
    """Loop variable -> the source of every iterable it was bound from (space-joined), rendered on demand.

    Rendering every loop's iterable while walking cost more than the rest of the rule; only the few names a
    placeholder actually ends in (``p.name``) are ever looked up.
    """

    def __init__(self) -> None:
        self._nodes: Dict[str, List[cst.CSTNode]] = {}
        self._text: Dict[str, str] = {}

    def bind(self, name: str, iterable: cst.CSTNode) -> None:
        self._nodes.setdefault(name, []).append(iterable)

    def get(self, name: str, default: str = "") -> str:
        if name not in self._nodes:
            return default
        if name not in self._text:
            self._text[name] = "".join(" " + code_of(node) for node in self._nodes[name])
        return self._text[name]


class DeploymentNameAsIdentifier(Rule):
    code = "MFO006"
    name = "deployment-name-as-identifier"
    message = (
        "An external name (deployment identifier, project-qualified flow name or parameter name) is used "
        "whole as a Python identifier in generated source"
    )
    fix_availability = FixAvailability.SOMETIMES
    # every external name the rule recognises spells one of these
    triggers = (b"param", b"Param", b"PARAM", b"identifier", b"deployment_", b"project_")
    capability = "FROM_DEPLOYMENT"

    def applies_to(self, raw: bytes) -> bool:
        # The words are everywhere; a template with a placeholder in an identifier position is rare, and
        # CPython's ``ast`` (shared, see ``mfok_lint.pyast``) finds one far cheaper than a libcst parse.
        if not super().applies_to(raw):
            return False
        return b"generate_fake_flow_file_contents" in raw or _may_hold_identifier_template(raw)

    def visitor(self, ctx):
        found = ctx.lazy("mfo006.found", lambda _ctx: {"templates": [], "fake": [], "loops": _LoopIterables()})
        stack: List[cst.FunctionDef] = []

        def bind(target, iterable) -> None:
            names = [target] if isinstance(target, cst.Name) else [
                e.value for e in getattr(target, "elements", []) if isinstance(e.value, cst.Name)
            ]
            for name in names:
                found["loops"].bind(name.value, iterable)

        class _Visitor(cst.BatchableCSTVisitor):
            def visit_FunctionDef(self, node) -> None:
                stack.append(node)

            def leave_FunctionDef(self, original_node) -> None:
                stack.pop()

            def visit_FormattedString(self, node) -> None:
                found["templates"].append((node, stack[-1] if stack else None))

            def visit_BinaryOperation(self, node) -> None:
                if isinstance(node.operator, cst.Modulo) and isinstance(node.left, cst.SimpleString):
                    found["templates"].append((node, stack[-1] if stack else None))

            def visit_Call(self, node) -> None:
                func = node.func
                name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
                if name == "generate_fake_flow_file_contents":
                    found["fake"].append((node, stack[-1] if stack else None))

            def visit_For(self, node) -> None:
                bind(node.target, node.iter)

            def visit_CompFor(self, node) -> None:
                bind(node.target, node.iter)

        return _Visitor()

    def check(self, ctx) -> None:
        found = ctx.lazy("mfo006.found", lambda _ctx: {"templates": [], "fake": [], "loops": _LoopIterables()})
        loops = found["loops"]
        for node, function in found["templates"]:
            for expr, quote in self._identifier_placeholders(node):
                self._judge(ctx, expr, function, loops, quote)
        for call, function in found["fake"]:
            for arg in call.args:
                if (arg.keyword is not None and arg.keyword.value == "flow_name") or (
                    arg.keyword is None and arg is call.args[0]
                ):
                    self._judge(ctx, arg.value, function, loops, None, only_dotted=True)

    # ---- templates ---------------------------------------------------------------------------------------------
    def _identifier_placeholders(self, node) -> List[Tuple[cst.BaseExpression, Optional[str]]]:
        """(placeholder expression, the f-string's quote or None) for placeholders in identifier position."""
        pieces: List[Tuple[str, object]] = []  # ("text", str) | ("hole", expr)
        quote = None
        if isinstance(node, cst.FormattedString):
            quote = node.end
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    pieces.append(("text", part.value))
                else:
                    pieces.append(("hole", part))
        else:
            fmt = node.left.evaluated_value if isinstance(node.left, cst.SimpleString) else None
            if not isinstance(fmt, str):
                return []
            right = node.right
            operands = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
            chunks = re.split(r"(%[-#0 +]*\d*(?:\.\d+)?[sdr])", fmt.replace("%%", "\0"))
            i = 0
            for chunk in chunks:
                if re.fullmatch(r"%[-#0 +]*\d*(?:\.\d+)?[sdr]", chunk):
                    if i >= len(operands):
                        return []
                    pieces.append(("hole", operands[i]))
                    i += 1
                else:
                    pieces.append(("text", chunk.replace("\0", "%")))
        found = []
        line_before = ""
        for index, (kind, value) in enumerate(pieces):
            if kind == "text":
                text = value.replace("\\n", "\n")
                line_before = (line_before + text).rsplit("\n", 1)[-1]
                continue
            after = ""
            for kind2, value2 in pieces[index + 1:]:
                if kind2 != "text":
                    after += "x"
                    break
                after += value2.replace("\\n", "\n")
                if "\n" in after:
                    break
            after_line = after.split("\n", 1)[0]
            expr = value.expression if isinstance(value, cst.FormattedStringExpression) else value
            conversion_ok = not (isinstance(value, cst.FormattedStringExpression) and value.conversion)
            line = line_before + "x" + after_line
            in_string = (line_before.count('"') - line_before.count('\\"')) % 2 or (
                line_before.count("'") - line_before.count("\\'")
            ) % 2
            glued = bool(line_before and _IDENT.match(line_before[-1])) or bool(
                after_line and _IDENT.match(after_line[0])
            )
            assigned = not line_before.strip() and re.match(r"\s*=(?!=)", after_line) is not None
            positioned = _DEF_OR_CLASS.search(line_before) is not None or glued or assigned
            if conversion_ok and positioned and not in_string and not _SHELL_LINE.search(line):
                found.append((expr, quote))
            line_before += "x"
        return found

    def _judge(self, ctx, expr, function, loops, quote, only_dotted: bool = False) -> None:
        if isinstance(expr, cst.Call) and not _CASE_ONLY_CALL.search(code_of(expr)):
            return
        kinds = {}

        def matches(text: str) -> Optional[str]:
            bare = _CASE_ONLY_CALL.sub("", text.strip())
            if "(" in bare:
                return None  # a call on the way: sanitised or computed
            kind = _kind_of(bare, loops)
            if kind is None or (only_dotted and kind != "dotted"):
                return None
            kinds[text] = kind
            return text

        origin = trace_origin(ctx, expr, function, matches)
        if origin is None:
            return
        kind = kinds[origin]
        what = "a dotted deployment/flow name" if kind == "dotted" else "a parameter name (may contain `-`)"
        try:
            ctx.offsets(expr)
        except KeyError:
            return
        ctx.report(
            self,
            expr,
            message=f"`{code_of(expr)}` is {what} and is used whole as a Python identifier in generated source",
            fix=self._fix(ctx, expr, kind, quote),
        )

    def _fix(self, ctx, expr, kind, quote):
        if quote is None or dotted_name(expr) is None:
            return None
        inner = "'" if '"' in quote else '"'
        if kind == "dotted":
            new = f"{code_of(expr)}.split({inner}.{inner})[-1]"
        else:
            new = f"{code_of(expr)}.replace({inner}-{inner}, {inner}_{inner})"
        return ctx.make_fix(Applicability.UNSAFE, "Turn the name into an identifier", [ctx.edit(expr, new)])


# ---- prefilter ---------------------------------------------------------------------------------------------
# A superset of the identifier positions the rule recognises, read from the text around each placeholder:
# glued to identifier characters, after ``class``/``def``, or opening a generated line.
_GLUED_BEFORE = re.compile(r"(?:\w|\b(?:class|def)\s+)$")
_LINE_START = re.compile(r"(?:^|\n)[ \t]*$")
_ASSIGNMENT = re.compile(r"^[ \t]*=(?!=)")
_GLUED_AFTER = re.compile(r"^\w")
_SLOT = r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdr]"
_PERCENT_SLOT = re.compile(
    rf"(?:\w|\b(?:class|def)\s+){_SLOT}|{_SLOT}\w|(?:^|\n)[ \t]*{_SLOT}[ \t]*=(?!=)"
)


def _may_hold_identifier_template(raw: bytes) -> bool:
    tree = pyast.parse_source(raw)
    if tree is None:
        return True
    for node in pyast.nodes_of(tree, ast.JoinedStr, ast.BinOp):
        if isinstance(node, ast.JoinedStr):
            values = node.values
            for index, part in enumerate(values):
                if not isinstance(part, ast.FormattedValue):
                    continue
                before = values[index - 1] if index else None
                after = values[index + 1] if index + 1 < len(values) else None
                text_before = before.value if isinstance(before, ast.Constant) and isinstance(before.value, str) else ""
                text_after = after.value if isinstance(after, ast.Constant) and isinstance(after.value, str) else ""
                if _GLUED_BEFORE.search(text_before) or _GLUED_AFTER.match(text_after):
                    return True
                if _LINE_START.search(text_before) and _ASSIGNMENT.match(text_after):
                    return True
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            left = node.left
            if isinstance(left, ast.Constant) and isinstance(left.value, str) and _PERCENT_SLOT.search(left.value):
                return True
    return False
