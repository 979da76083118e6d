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

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.model.environment import dotted_name
from mfok_lint.model.values import code_of, trace_origin
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import pyast

# The words and forms of an external name, each written once: the rule's regexes and its prefilter's tests on
# CPython's ``ast`` are built from them, so the two cannot drift apart.
_EXTERNAL_WORDS = ("identifier", "deployment_name", "deployment_id", "project_flow_name")
_PROJECT_INFO_FLOW_NAME = r"""project_info\w*\s*\[\s*["']flow_name["']\s*\]"""
_CASE_ONLY_METHODS = ("lower", "upper", "strip", "casefold")
_DOTTED = re.compile(rf"""^(?:\w+\.)*(?:{"|".join(_EXTERNAL_WORDS)})$|{_PROJECT_INFO_FLOW_NAME}""")
_PARAM_NAME = re.compile(r"""^(?:\w+\.)*\w*param\w*\.name$""", re.IGNORECASE)
_CASE_ONLY_CALL = re.compile(rf"""\.(?:{"|".join(_CASE_ONLY_METHODS)})\(\)$""")
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


_PERCENT_SLOT = r"%[-#0 +]*\d*(?:\.\d+)?[sdr]"


def _percent_pieces(fmt: str, operands: list) -> Optional[List[Tuple[str, object]]]:
    """A ``%`` template cut into ("text", str) and ("hole", operand) pieces; None when the operands run out."""
    pieces: List[Tuple[str, object]] = []
    index = 0
    for chunk in re.split(f"({_PERCENT_SLOT})", fmt.replace("%%", "\0")):
        if re.fullmatch(_PERCENT_SLOT, chunk):
            if index >= len(operands):
                return None
            pieces.append(("hole", operands[index]))
            index += 1
        else:
            pieces.append(("text", chunk.replace("\0", "%")))
    return pieces


def _holes_in_lines(pieces: List[Tuple[str, object]]) -> List[Tuple[object, str, str]]:
    """(hole, the generated line before it, the line after it) for each hole; other holes read as ``x``."""
    out = []
    line_before = ""
    for index, (kind, value) in enumerate(pieces):
        if kind == "text":
            line_before = (line_before + value).rsplit("\n", 1)[-1]  # type: ignore[operator]
            continue
        after = ""
        for kind2, value2 in pieces[index + 1 :]:
            if kind2 != "text":
                after += "x"
                break
            after += value2  # type: ignore[operator]
            if "\n" in after:
                break
        out.append((value, line_before, after.split("\n", 1)[0]))
        line_before += "x"
    return out


def _positioned(line_before: str, after_line: str) -> bool:
    """Does generated code use the hole as an identifier: after ``def``/``class``, glued to identifier
    characters, or as the target of an assignment that starts the line?"""
    glued = bool(line_before and _IDENT.match(line_before[-1])) or bool(after_line and _IDENT.match(after_line[0]))
    assigned = not line_before.strip() and re.match(r"\s*=(?!=)", after_line) is not None
    return _DEF_OR_CLASS.search(line_before) is not None or glued or assigned


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
    def applies_to(self, raw: bytes) -> bool:
        # No word list: the words of external names are everywhere in prose, and the name may be spelled only
        # in another module (``from .config import NAME``). A placeholder that can hold an external name is
        # rare, and CPython's ``ast`` finds one far cheaper than a libcst parse (see the prefilter below).
        if b"{" not in raw and b"%" not in raw and _FAKE_FLOW_CALL.encode() not in raw:
            return False
        return _may_report(raw)

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
                    pieces.append(("text", part.value.replace("\\n", "\n")))
                else:
                    pieces.append(("hole", part))
        else:
            fmt = node.left.evaluated_value if isinstance(node.left, cst.SimpleString) else None
            if not isinstance(fmt, str):
                return []
            right = node.right
            operands = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
            pieces = _percent_pieces(fmt.replace("\\n", "\n"), operands)
            if pieces is None:
                return []
        found = []
        for value, line_before, after_line in _holes_in_lines(pieces):
            expr = value.expression if isinstance(value, cst.FormattedStringExpression) else value
            conversion_ok = not (isinstance(value, cst.FormattedStringExpression) and value.conversion)
            line = line_before + "x" + after_line
            in_string = (line_before.count('"') - line_before.count('\\"')) % 2 or (
                line_before.count("'") - line_before.count("\\'")
            ) % 2
            shell = _SHELL_LINE.search(line)
            if conversion_ok and _positioned(line_before, after_line) and not in_string and not shell:
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
# A superset of what ``check`` reports, read from CPython's ``ast`` (shared, see ``mfok_lint.pyast``), in the
# rule's two steps. Position: the placeholders that may sit in an identifier position (``_placeholders``, with the
# rule's own line tests). Value: one of them reads an external name, directly or through a value assigned to the
# name it reads in any scope of the file; a name bound by ``from ... import`` may take its value from another
# module and is always a maybe. ``tests/rules/test_mfo006.py`` runs the rule with and without the screen on
# generated templates and requires the screen to pass every file the rule reports in.
_PROJECT_INFO_BYTES = re.compile(_PROJECT_INFO_FLOW_NAME.encode())
_FAKE_FLOW_CALL = "generate_fake_flow_file_contents"


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
            and expr.func.attr in _CASE_ONLY_METHODS
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
        if parts[-1] in _EXTERNAL_WORDS:
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
        found.extend(hole.value for hole, before, after in _holes_in_lines(pieces) if _positioned(before, after))
    for node in pyast.nodes_of(tree, ast.BinOp):
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            operands = list(node.right.elts) if isinstance(node.right, ast.Tuple) else [node.right]
            pieces = _percent_pieces(node.left.value.replace("\\n", "\n"), operands)
            if pieces is not None:
                found.extend(hole for hole, before, after in _holes_in_lines(pieces) if _positioned(before, after))
    for node in pyast.nodes_of(tree, ast.Call):
        if pyast.called_name(node) == _FAKE_FLOW_CALL:
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
