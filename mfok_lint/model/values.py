"""The value model: what feeds a symbolic token of a command?

API
---
``trace(ctx, expr, names=COUNTER_NAMES) -> Source``
    Follow an expression of the file's module to where its value comes from. ``names`` are the attribute /
    subscript-key / template-variable names that count as a named source (default: attempt counters); other
    rules pass their own (``{"branch_name"}``, ``{"TYPE"}``) to ask "is this derived from X?".
``trace_token(ctx, token, names=COUNTER_NAMES) -> Source``
    The same for a command-model ``Token``: literal text (``"0"``, a shell word ``$RETRY``, a jinja
    ``{{ ti.try_number - 1 }}``) is read directly; a value token whose static pattern holds exactly one hole
    (``"--retry-count=%d" % n``, ``f"{n}"``) traces the one expression filling that hole.

``Source`` has ``kind``:

* ``"constant"``: every reaching definition is a literal; ``constants`` holds their Python values
  (``0``, ``"0"``), ``node`` one defining literal.
* ``"counter"``: the value is read from a named counter — an attribute / subscript key / template variable
  / shell variable such as ``run_count``, ``attempt``, ``try_number``, ``retry_number``, ``retries`` — possibly
  through ``str()``, ``int()``, ``%``/``.format``/f-string formatting, ``max(0, ...)`` and integer offsets.
  ``counter`` is the counter's final name, ``base`` the code text before it (``ctx.task_run``,
  ``activity.info()``), ``offset`` the integer added to it (``-1`` for ``counter - 1``), ``node`` the expression
  that reads it (in the file's module, or ``None`` when it sits inside a template string), ``adjusted`` is
  True when ``offset`` is negative.
* ``"unknown"``: anything else (a parameter fed by callers in other modules, arithmetic, a call).

Design decisions
----------------
* **Names resolve through libcst's ScopeProvider** (``ctx.metadata(ScopeProvider)``), once per file and only
  when a rule asks. Every assignment of the name in its scope is a reaching definition: the model is
  flow-insensitive on purpose (``x = 0`` then ``if retry: x = attempt`` is not "always 0"). A combination of
  constants and counters is a counter (the counter is what the rules care about); anything unknown makes
  the whole unknown.
* **Parameters are resolved through their call sites in the same module**: keyword or positional arguments
  of calls to the function by name (``f(...)``, ``self.f(...)``, ``cls.f(...)``); a call that omits the
  argument contributes the default. A public function with no call site in the module is unknown (it may be
  called from elsewhere); a private one (``_name``) with none contributes its default.
* **Depth-limited** (``MAX_DEPTH``) so recursive helpers and assignment cycles terminate.
* Nodes that do not belong to the file's module (tokens of generated source parsed from strings) have no
  scope: only their own shape is read (``"0"``, ``str(0)``, ``x.run_count``); names are unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple

import libcst as cst
from libcst.metadata import ParentNodeProvider, ScopeProvider

from mfok_lint.model.strtext import HOLE
from mfok_lint.model.walk import statements

__all__ = ["COUNTER_NAMES", "UNKNOWN", "Source", "combine", "trace", "trace_text", "trace_token"]

MAX_DEPTH = 6

# Attribute / key / variable names that hold a scheduler's attempt counter (0- or 1-indexed: rules decide).
COUNTER_NAMES = frozenset(
    {
        "run_count", "attempt", "attempt_number", "try_number", "retry_number", "retry_count", "retries",
        "retry_attempt", "attempt_count", "num_retries",
    }
)
_SHELL_VAR = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))$")
_JINJA = re.compile(r"^\{\{\s*(.+?)\s*\}\}$")
_JINJA_COUNTER = re.compile(
    r"^(?P<base>[A-Za-z_][\w.\[\]'\"()]*?\.)?(?P<name>[A-Za-z_]\w*)\s*(?:(?P<op>[-+])\s*(?P<n>\d+))?$"
)
_SINGLE_PLACEHOLDER = re.compile(r"^(?:%[sdir]|\{(?:0)?(?:![rs])?(?::d)?\})$")
_EMPTY = cst.Module(body=[])


@dataclass(frozen=True)
class Source:
    kind: str  # "constant" | "counter" | "unknown"
    constants: Tuple[object, ...] = ()
    counter: Optional[str] = None
    base: str = ""
    offset: int = 0
    node: Optional[cst.CSTNode] = field(default=None, compare=False)

    @property
    def adjusted(self) -> bool:
        return self.kind == "counter" and self.offset < 0

    @property
    def is_constant(self) -> bool:
        return self.kind == "constant"

    def shifted(self, delta: int) -> "Source":
        if self.kind == "counter":
            return Source("counter", (), self.counter, self.base, self.offset + delta, self.node)
        if self.kind == "constant" and all(isinstance(c, int) for c in self.constants):
            return Source("constant", tuple(c + delta for c in self.constants), node=self.node)
        return UNKNOWN


UNKNOWN = Source("unknown")


def _code(node: cst.CSTNode) -> str:
    try:
        return _EMPTY.code_for_node(node)
    except Exception:
        return ""


def _literal(node) -> Optional[object]:
    if isinstance(node, cst.Integer):
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return None
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value.decode("latin-1") if isinstance(value, bytes) else value
    if isinstance(node, cst.ConcatenatedString):
        left, right = _literal(node.left), _literal(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return None
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _literal(node.expression)
        return -inner if isinstance(inner, int) else None
    return None


def combine(sources: List[Source]) -> Source:
    """The value of a name with several reaching definitions."""
    if not sources or any(s.kind == "unknown" for s in sources):
        return UNKNOWN
    counters = [s for s in sources if s.kind == "counter"]
    if counters:
        # The least adjusted reading is the one that can be wrong.
        return max(counters, key=lambda s: s.offset)
    constants: List[object] = []
    for s in sources:
        for c in s.constants:
            if c not in constants:
                constants.append(c)
    return Source("constant", tuple(constants), node=sources[0].node)


class _Tracer:
    def __init__(self, ctx, names: FrozenSet[str] = COUNTER_NAMES) -> None:
        self.ctx = ctx
        self.names = names
        self._scopes = None
        self._parents = None
        self._definition_parents: Optional[Dict[int, cst.CSTNode]] = None
        self._calls: Optional[Dict[str, List[cst.Call]]] = None

    @property
    def scopes(self):
        # Resolving scopes is a full metadata pass; most traced values are literals or attributes and never
        # need it, so it waits for the first name.
        if self._scopes is None:
            self._scopes = self.ctx.metadata(ScopeProvider)
        return self._scopes

    @property
    def parents(self):
        if self._parents is None:
            self._parents = self.ctx.metadata(ParentNodeProvider)
        return self._parents

    def parent(self, node):
        """The parent node, as ``ParentNodeProvider`` gives it.

        The provider is a full metadata pass; the definitions this model follows are almost always assignment
        targets and function parameters, whose parents a walk of the statements alone knows. Other nodes
        still ask the provider.
        """
        if self._definition_parents is None:
            self._definition_parents = _definition_parents(self.ctx.module)
        found = self._definition_parents.get(id(node))
        return found if found is not None else self.parents.get(node)

    def trace(self, expr, depth: int = 0, embedded: bool = False) -> Source:
        if expr is None or depth > MAX_DEPTH:
            return UNKNOWN
        value = _literal(expr)
        if isinstance(value, str):
            # "0" is a number; "{{retries}}" / "$RETRY" are read by the scheduler at run time
            return trace_text(value, expr, keep_text=True, names=self.names)
        if value is not None:
            return Source("constant", (value,), node=expr)
        if isinstance(expr, cst.FormattedString):
            return self._fstring(expr, depth, embedded)
        if isinstance(expr, cst.Call):
            return self._call(expr, depth)
        if isinstance(expr, cst.BinaryOperation):
            return self._binary(expr, depth, embedded)
        if isinstance(expr, cst.Attribute):
            if expr.attr.value in self.names:
                return Source("counter", (), expr.attr.value, _code(expr.value), 0, expr)
            return UNKNOWN
        if isinstance(expr, cst.Subscript):
            key = _subscript_key(expr)
            if key in self.names:
                return Source("counter", (), key, _code(expr.value), 0, expr)
            return UNKNOWN
        if isinstance(expr, cst.Name):
            return self._name(expr, depth)
        return UNKNOWN

    # ---- shapes ----------------------------------------------------------------------------------------------
    def _fstring(self, expr: cst.FormattedString, depth: int, embedded: bool) -> Source:
        holes = [p for p in expr.parts if isinstance(p, cst.FormattedStringExpression)]
        text = "".join(p.value for p in expr.parts if isinstance(p, cst.FormattedStringText))
        if not holes:
            return Source("constant", (text,), node=expr)
        if len(holes) == 1 and (embedded or not text):
            return self.trace(holes[0].expression, depth + 1)
        return UNKNOWN

    def _call(self, expr: cst.Call, depth: int) -> Source:
        func = expr.func
        positional = [a.value for a in expr.args if a.keyword is None and not a.star]
        if isinstance(func, cst.Name) and func.value in ("str", "int") and len(expr.args) == 1 and positional:
            return self.trace(positional[0], depth + 1)
        if isinstance(func, cst.Name) and func.value == "max" and len(positional) == 2 == len(expr.args):
            # max(0, x) clamps without changing which counter is read
            a, b = positional
            if _literal(a) == 0:
                return self.trace(b, depth + 1)
            if _literal(b) == 0:
                return self.trace(a, depth + 1)
            return UNKNOWN
        if isinstance(func, cst.Attribute) and func.attr.value == "format" and len(positional) == 1:
            template = _literal(func.value)
            if isinstance(template, str) and _SINGLE_PLACEHOLDER.match(template) and len(expr.args) == 1:
                return self.trace(positional[0], depth + 1)
        return UNKNOWN

    def _binary(self, expr: cst.BinaryOperation, depth: int, embedded: bool) -> Source:
        op = expr.operator
        if isinstance(op, cst.Modulo):
            template = _literal(expr.left)
            if isinstance(template, str):
                right = expr.right
                if isinstance(right, cst.Tuple):
                    if len(right.elements) != 1:
                        return UNKNOWN
                    right = right.elements[0].value
                placeholders = re.findall(r"%[-#0 +]*\d*(?:\.\d+)?[sdirf]", template)
                if len(placeholders) == 1 and (embedded or _SINGLE_PLACEHOLDER.match(template)):
                    return self.trace(right, depth + 1)
                return UNKNOWN
        if isinstance(op, (cst.Add, cst.Subtract)):
            sign = 1 if isinstance(op, cst.Add) else -1
            right = _literal(expr.right)
            if isinstance(right, int):
                return self.trace(expr.left, depth + 1).shifted(sign * right)
            left = _literal(expr.left)
            if isinstance(left, int) and sign == 1:
                return self.trace(expr.right, depth + 1).shifted(left)
        return UNKNOWN

    # ---- names -----------------------------------------------------------------------------------------------
    def _name(self, expr: cst.Name, depth: int) -> Source:
        scope = self.scopes.get(expr)
        if scope is None:
            return UNKNOWN
        found = [a for a in scope[expr.value] if hasattr(a, "node")]
        if not found:
            return UNKNOWN
        sources = []
        for assignment in found:
            sources.append(self._definition(assignment.node, expr.value, depth))
            if sources[-1].kind == "unknown":
                return UNKNOWN
        return combine(sources)

    def _definition(self, node, name: str, depth: int) -> Source:
        if isinstance(node, cst.Param):
            return self._parameter(node, depth)
        if not isinstance(node, cst.Name):
            return UNKNOWN
        parent = self.parent(node)
        if isinstance(parent, cst.AssignTarget):
            assign = self.parent(parent)
            if isinstance(assign, cst.Assign):
                return self.trace(assign.value, depth + 1)
        if isinstance(parent, cst.AnnAssign) and parent.target is node and parent.value is not None:
            return self.trace(parent.value, depth + 1)
        if isinstance(parent, cst.NamedExpr) and parent.target is node:
            return self.trace(parent.value, depth + 1)
        return UNKNOWN

    def _parameter(self, param: cst.Param, depth: int) -> Source:
        function = self.parent(self.parent(param))
        if not isinstance(function, cst.FunctionDef):
            return UNKNOWN
        params = function.params
        ordered = list(params.posonly_params) + list(params.params)
        is_method = bool(ordered) and ordered[0].name.value in ("self", "cls")
        index = None
        for i, p in enumerate(ordered):
            if p is param:
                index = i - (1 if is_method else 0)
        calls = self.calls().get(function.name.value, [])
        if not calls:
            if function.name.value.startswith("_") and param.default is not None:
                return self.trace(param.default, depth + 1)
            return UNKNOWN
        sources = []
        for call in calls:
            arg = _argument_for(call, param.name.value, index)
            if arg is _STARRED:
                return UNKNOWN
            if arg is None:
                if param.default is None:
                    return UNKNOWN
                sources.append(self.trace(param.default, depth + 1))
            else:
                sources.append(self.trace(arg, depth + 1))
        return combine(sources)

    def calls(self) -> Dict[str, List[cst.Call]]:
        if self._calls is None:
            found: Dict[str, List[cst.Call]] = {}

            class _Calls(cst.CSTVisitor):
                def visit_Call(self, node: cst.Call) -> None:
                    func = node.func
                    if isinstance(func, cst.Name):
                        found.setdefault(func.value, []).append(node)
                    elif (
                        isinstance(func, cst.Attribute)
                        and isinstance(func.value, cst.Name)
                        and (func.value.value in ("self", "cls") or func.value.value[:1].isupper())
                    ):
                        # self.f(...) / cls.f(...) / Class.f(...): calls of this module's methods
                        found.setdefault(func.attr.value, []).append(node)

            self.ctx.module.visit(_Calls())
            self._calls = found
        return self._calls


_STARRED = object()


def _definition_parents(module: cst.Module) -> Dict[int, cst.CSTNode]:
    """id(node) -> parent for assignment targets (``AssignTarget``/``AnnAssign`` and the ``Assign`` above an
    ``AssignTarget``) and function parameters (``Parameters`` and the ``FunctionDef`` above it)."""
    parents: Dict[int, cst.CSTNode] = {}
    for statement in statements(module):
        if isinstance(statement, cst.Assign):
            for target in statement.targets:
                parents[id(target)] = statement
                parents[id(target.target)] = target
        elif isinstance(statement, cst.AnnAssign):
            parents[id(statement.target)] = statement
        elif isinstance(statement, cst.FunctionDef):
            params = statement.params
            parents[id(params)] = statement
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                parents[id(param)] = params
            for star in (params.star_arg, params.star_kwarg):
                if isinstance(star, cst.Param):
                    parents[id(star)] = params
    return parents


def _argument_for(call: cst.Call, name: str, index: Optional[int]):
    position = 0
    for arg in call.args:
        if arg.star:
            return _STARRED
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg.value
            continue
        if index is not None and position == index:
            return arg.value
        position += 1
    return None


def _subscript_key(expr: cst.Subscript) -> Optional[str]:
    if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
        return None
    key = _literal(expr.slice[0].slice.value)
    return key if isinstance(key, str) else None


def _tracer(ctx, names: FrozenSet[str]) -> _Tracer:
    return ctx.lazy("values:tracer:" + ",".join(sorted(names)), lambda c: _Tracer(c, names))


def trace(ctx, expr, names: FrozenSet[str] = COUNTER_NAMES) -> Source:
    return _tracer(ctx, names).trace(expr)


def trace_text(text: str, node=None, keep_text: bool = False, names: FrozenSet[str] = COUNTER_NAMES) -> Source:
    """The source of a literal argv word: a number, a shell variable or a jinja expression; other text is a
    constant string when ``keep_text`` (a Python string literal), else unknown."""
    word = text.strip().strip("\"'")
    if re.fullmatch(r"-?\d+", word):
        return Source("constant", (int(word),), node=node)
    shell = _SHELL_VAR.match(word)
    if shell:
        name = shell.group(1) or shell.group(2)
        return Source("counter", (), name, "$", 0, node)
    jinja = _JINJA.match(word)
    if jinja:
        m = _JINJA_COUNTER.match(jinja.group(1))
        if m and m.group("name") in names:
            offset = int(m.group("n") or 0) * (-1 if m.group("op") == "-" else 1)
            return Source("counter", (), m.group("name"), (m.group("base") or "").rstrip("."), offset, node)
        return UNKNOWN
    if keep_text and "$" not in word and "{" not in word:
        return Source("constant", (text,), node=node)
    return UNKNOWN


def trace_token(ctx, token, names: FrozenSet[str] = COUNTER_NAMES) -> Source:
    if token is None:
        return UNKNOWN
    if token.kind == "literal":
        return trace_text(token.text or "", token.expr, names=names)
    if token.kind == "value" and token.expr is not None and (token.pattern or "").count(HOLE) == 1:
        # ``"--retry-count=%d" % n``: the token's expression is the whole template, its one hole the value
        return _tracer(ctx, names).trace(token.expr, embedded=True)
    if token.kind == "value" and token.expr is None and token.span is not None and token.span.start is not None:
        # a template placeholder (jinja ``{{ ti.try_number }}``): its source text is all there is to read
        try:
            start, end = ctx.offsets(token.span)
        except KeyError:
            return UNKNOWN
        word = re.sub(r"^--[A-Za-z0-9-]+=", "", ctx.text[start:end])
        return trace_text(word, None, names=names)
    return UNKNOWN
