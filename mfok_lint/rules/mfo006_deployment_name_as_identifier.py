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

import re
from typing import Dict, List, Optional, Tuple

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.model.identifier_holes import (
    CASE_ONLY_METHODS,
    EXTERNAL_WORDS,
    FAKE_FLOW_CALL,
    PROJECT_INFO_FLOW_NAME,
    holes_in_lines,
    percent_pieces,
    positioned,
)
from mfok_lint.model.values import trace_origin
from mfok_lint.prefilter.deployment_names import ExternalNameInIdentifierHole
from mfok_lint.rules.base import Rule
from mfok_lint.syntax.names import code_of, dotted_name

_DOTTED = re.compile(rf"""^(?:\w+\.)*(?:{"|".join(EXTERNAL_WORDS)})$|{PROJECT_INFO_FLOW_NAME}""")
_PARAM_NAME = re.compile(r"""^(?:\w+\.)*\w*param\w*\.name$""", re.IGNORECASE)
_CASE_ONLY_CALL = re.compile(rf"""\.(?:{"|".join(CASE_ONLY_METHODS)})\(\)$""")
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
    needs = frozenset({cst.FormattedString, cst.BinaryOperation, cst.Call, cst.For, cst.CompFor})
    triggers = ExternalNameInIdentifierHole()

    def check(self, ctx) -> None:
        templates, fake_flow_calls, loops = [], [], _LoopIterables()
        for node in ctx.nodes(cst.FormattedString, cst.BinaryOperation, cst.Call, cst.For, cst.CompFor):
            if isinstance(node, cst.FormattedString):
                templates.append(node)
            elif isinstance(node, cst.BinaryOperation):
                if isinstance(node.operator, cst.Modulo) and isinstance(node.left, cst.SimpleString):
                    templates.append(node)
            elif isinstance(node, cst.Call):
                func = node.func
                name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
                if name == FAKE_FLOW_CALL:
                    fake_flow_calls.append(node)
            else:
                target = node.target
                names = [target] if isinstance(target, cst.Name) else [
                    e.value for e in getattr(target, "elements", []) if isinstance(e.value, cst.Name)
                ]
                for bound in names:
                    loops.bind(bound.value, node.iter)
        for node in templates:
            function = _innermost(ctx, node)
            for expr, quote in self._identifier_placeholders(node):
                self._judge(ctx, expr, function, loops, quote)
        for call in fake_flow_calls:
            function = _innermost(ctx, call)
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
                    pieces.append(("text", part.value.replace("\\n", "\n")))
                else:
                    pieces.append(("hole", part))
        else:
            fmt = node.left.evaluated_value if isinstance(node.left, cst.SimpleString) else None
            if not isinstance(fmt, str):
                return []
            right = node.right
            operands = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
            pieces = percent_pieces(fmt.replace("\\n", "\n"), operands)
            if pieces is None:
                return []
        found = []
        for value, line_before, after_line in holes_in_lines(pieces):
            expr = value.expression if isinstance(value, cst.FormattedStringExpression) else value
            conversion_ok = not (isinstance(value, cst.FormattedStringExpression) and value.conversion)
            line = line_before + "x" + after_line
            in_string = (line_before.count('"') - line_before.count('\\"')) % 2 or (
                line_before.count("'") - line_before.count("\\'")
            ) % 2
            shell = _SHELL_LINE.search(line)
            if conversion_ok and positioned(line_before, after_line) and not in_string and not shell:
                found.append((expr, quote))
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


def _innermost(ctx, node) -> Optional[cst.FunctionDef]:
    functions = ctx.functions_around(node)
    return functions[-1] if functions else None
