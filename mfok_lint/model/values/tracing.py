"""Tracing values: where does a value in the extension's code come from?

One model, two questions, one name resolution:

``trace(ctx, expr, names=COUNTER_NAMES) -> Source``
    "What is this value?" Follow an expression to where its value comes from. ``names`` are the attribute /
    subscript-key / template-variable names that count as a named source (default: attempt counters); other
    rules pass their own (``{"branch_name"}``, ``{"TYPE"}``).
``trace_token(ctx, token, names=COUNTER_NAMES) -> Source``
    The same for a command-model ``Token``: literal text (``"0"``, a shell word ``$RETRY``, a jinja
    ``{{ ti.try_number - 1 }}``) is read directly; a value token whose static pattern holds exactly one hole
    (``"--retry-count=%d" % n``, ``f"{n}"``) traces the one expression filling that hole.
``trace_origin(ctx, expr, function, matches) -> Optional[str]``
    "Was this value computed by X?" The first source text ``matches`` accepts among ``expr`` and the values
    it was assigned from (local names of ``function``, ``self.attr`` assignments anywhere in the file,
    module constants and imported names), e.g. a formatted branch or an internal ``.TYPE``.

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
* **Names resolve through the file's scopes** (``_Scopes``: one walk of the module, built on the first name a
  rule asks about): function, lambda, comprehension, class and module scopes with Python's lookup rules
  (class bodies are not visible from methods, ``global`` moves a binding to the module). Every binding of the
  name in its scope is a reaching definition: the model is flow-insensitive on purpose (``x = 0`` then
  ``if retry: x = attempt`` is not "always 0"). A combination of constants and counters is a counter (the
  counter is what the rules care about); anything unknown makes the whole unknown. libcst's ``ScopeProvider``
  answered the same question at about four times the cost; ``tests/model/test_shared_traversal.py`` pins the
  agreement on Metaflow's own compilers.
* **Parameters are resolved through their call sites in the same module**: keyword or positional arguments
  of calls to the function by name (``f(...)``, ``self.f(...)``, ``cls.f(...)``); a call that omits the
  argument contributes the default. A public function with no call site in the module is unknown (it may be
  called from elsewhere); a private one (``_name``) with none contributes its default.
* **Imported names are resolved in the module they come from** (``model.imported_values``, astroid, loaded only
  when a traced name is an import of the extension's own modules): ``from .config import RETRY`` answers
  with ``config.py``'s constant, and ``config.RETRY`` after ``from . import config`` does too.
* ``trace_origin`` follows dotted names (``self.cmd``) as well as plain ones, through the assignment shapes
  extension code uses: ``name = expr``, tuple unpacking of a call, ``self.attr = expr`` anywhere in the file.
  ``"--opt=%s" % x`` and ``f"--opt={x}"`` are traced through their substituted operands, so the origin a rule
  quotes is the operand, not the whole template. Its indexes are statement walks (``syntax.statements``), built only
  when a name has to be followed.
* **Depth-limited** (``MAX_DEPTH``/``MAX_HOPS``) so recursive helpers and assignment cycles terminate. A
  recursive call that hands a parameter on unchanged (``self._run(node, retry_count)`` inside ``_run``) adds no
  definition and is skipped; one that changes it (``retry_count + 1``) is traced, and runs into the limit.
* **Record fields**: ``inp.retry_count``, where ``inp`` is a parameter annotated with a dataclass or
  ``NamedTuple`` of the module, is the combination of what every construction of the class in the module
  passes for the field (or its default).
* **Environment reads** ``os.environ.get("K")`` / ``os.getenv("K")`` (and ``os.environ["K"]``) read a counter
  when ``K`` is one of ``names``; shell arithmetic on one variable (``$((VAR - 1))``) is that variable, shifted.
* Nodes that do not belong to the file's module (tokens of generated source parsed from strings) have no
  scope: only their own shape is read (``"0"``, ``str(0)``, ``x.run_count``); names are unknown.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

import libcst as cst

from mfok_lint.model.command_evidence import unique_options
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import code_of, dotted_name
from mfok_lint.syntax.statements import statements
from mfok_lint.syntax.string_literals import HOLE

if TYPE_CHECKING:  # pragma: no cover
    from mfok_lint.model.package_calls import CallSite

__all__ = [
    "COUNTER_NAMES", "UNKNOWN", "Assignments", "Source", "code_of", "combine", "small_statements", "trace",
    "trace_origin", "trace_text", "trace_token", "traced_option_values",
]

MAX_DEPTH = 6
MAX_HOPS = 4

# Attribute / key / variable names that hold a scheduler's attempt counter (0- or 1-indexed: rules decide).
COUNTER_NAMES = frozenset(
    {
        "run_count", "attempt", "attempt_number", "try_number", "retry_number", "retry_count", "retries",
        "retry_attempt", "attempt_count", "num_retries",
    }
)
_SHELL_VAR = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))$")
# ``{{ ti.try_number }}`` (jinja, Argo) and ``${{ github.run_attempt }}`` (GitHub Actions expressions)
_JINJA = re.compile(r"^\$?\{\{\s*(.+?)\s*\}\}$")
# ``$((AWS_BATCH_JOB_ATTEMPT - 1))``: shell arithmetic on one variable
_SHELL_ARITHMETIC = re.compile(r"^\$\(\(\s*\$?\{?([A-Za-z_][A-Za-z0-9_]*)\}?\s*(?:([-+])\s*(\d+))?\s*\)\)$")
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


# ---- scopes ------------------------------------------------------------------------------------------------
# A binding: ("value", expr) for ``name = expr`` / ``name: T = expr`` / ``name := expr``; ("param", Param,
# FunctionDef); ("import", Import | ImportFrom, ImportAlias); ("opaque", None) for every other way to bind a
# name (loop and ``with`` targets, unpacking, ``+=``, ``def``/``class``, ``except ... as``, patterns).
Binding = Tuple[str, object, object]
_OPAQUE: Binding = ("opaque", None, None)


class _Scope:
    __slots__ = ("bindings", "globals", "kind", "parent")

    def __init__(self, kind: str, parent: Optional["_Scope"]) -> None:
        self.kind = kind  # module | function | class | lambda | comprehension
        self.parent = parent
        self.bindings: Dict[str, List[Binding]] = {}
        self.globals: Set[str] = set()


class _Scopes(cst.CSTVisitor):
    """One walk of the module: the scope of every ``Name`` node, every scope's bindings, calls by name."""

    def __init__(self) -> None:
        super().__init__()
        self.module_scope = _Scope("module", None)
        self.owner: Dict[int, _Scope] = {}
        self.calls: Dict[str, List[cst.Call]] = {}
        self._stack: List[_Scope] = [self.module_scope]

    # -- lookup --
    def lookup(self, name: cst.Name) -> Optional[List[Binding]]:
        scope = self.owner.get(id(name))
        start = scope
        while scope is not None:
            if name.value in scope.globals:
                scope = self.module_scope
            found = scope.bindings.get(name.value)
            if found and (scope is start or scope.kind != "class"):
                return found
            scope = scope.parent
        return None

    # -- bookkeeping --
    @property
    def _current(self) -> _Scope:
        return self._stack[-1]

    def _push(self, kind: str) -> _Scope:
        scope = _Scope(kind, self._current)
        self._stack.append(scope)
        return scope

    def _pop(self, *_args) -> None:
        self._stack.pop()

    def _bind(self, name: str, binding: Binding, scope: Optional[_Scope] = None) -> None:
        scope = scope or self._current
        if name in scope.globals:
            scope = self.module_scope
        scope.bindings.setdefault(name, []).append(binding)

    def _bind_target(self, target: cst.BaseExpression, binding: Binding) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, binding)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, _OPAQUE)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, _OPAQUE)

    def _bind_parameters(self, owner) -> None:
        params = owner.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._bind(param.name.value, ("param", param, owner))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind(star.name.value, ("param", star, owner))

    # -- names and calls --
    def visit_Name(self, node: cst.Name) -> None:
        self.owner[id(node)] = self._current

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            self.calls.setdefault(func.value, []).append(node)
        elif (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and (func.value.value in ("self", "cls") or func.value.value[:1].isupper())
        ):
            # self.f(...) / cls.f(...) / Class.f(...): calls of this module's methods
            self.calls.setdefault(func.attr.value, []).append(node)

    # -- scopes --
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name.value, _OPAQUE)
        self._push("function")
        self._bind_parameters(node)

    leave_FunctionDef = _pop

    def visit_Param_default(self, node: cst.Param) -> None:
        # defaults are evaluated where the function is defined
        self._stack.append(self._current.parent or self.module_scope)

    def leave_Param_default(self, node: cst.Param) -> None:
        self._stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value, _OPAQUE)
        self._push("class")

    leave_ClassDef = _pop

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._push("lambda")
        self._bind_parameters(node)

    leave_Lambda = _pop

    def _comprehension(self, node) -> None:
        self._push("comprehension")

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _pop

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, _OPAQUE)

    # -- bindings --
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, ("value", node.value, None))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_target(node.target, ("value", node.value, None) if node.value is not None else _OPAQUE)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, _OPAQUE)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        scope = self._current
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent  # ``:=`` in a comprehension binds in the enclosing scope
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, ("value", node.value, None), scope)

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, _OPAQUE)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, _OPAQUE)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind(node.name.name.value, _OPAQUE)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            while isinstance(bound, cst.Attribute):
                bound = bound.value  # ``import a.b`` binds ``a``
            if isinstance(bound, cst.Name):
                self._bind(bound.value, ("import", node, alias))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        for name, alias in _from_import_names(node):
            self._bind(name, ("import", node, alias))

    def visit_Global(self, node: cst.Global) -> None:
        self._current.globals.update(item.name.value for item in node.names)

    def visit_MatchAs(self, node) -> None:
        if node.name is not None:
            self._bind(node.name.value, _OPAQUE)

    def visit_MatchStar(self, node) -> None:
        if node.name is not None:
            self._bind(node.name.value, _OPAQUE)

    def visit_MatchMapping(self, node) -> None:
        if node.rest is not None:
            self._bind(node.rest.value, _OPAQUE)


def _scopes(ctx) -> _Scopes:
    def build(c) -> _Scopes:
        index = _Scopes()
        visiting.visit(c.module, index)
        return index

    return ctx.lazy("values:scopes", build)


# ---- what is this value? -----------------------------------------------------------------------------------
class _Tracer:
    """Traces expressions of the file's module; ``package`` (a callable giving the package's code) extends the
    callers of a parameter to the whole package."""

    # A private function no code calls sends its defaults (the module is all that uses it).
    default_without_callers = True

    def __init__(self, ctx, names: FrozenSet[str] = COUNTER_NAMES, package=None, max_depth: int = MAX_DEPTH) -> None:
        self.ctx = ctx
        self.names = names
        self.package = package
        self.max_depth = max_depth
        self._resolving: Set[int] = set()  # parameters whose call sites are being traced

    def scopes(self) -> "_Scopes":
        return _scopes(self.ctx)

    def trace(self, expr, depth: int = 0, embedded: bool = False) -> Source:
        if expr is None or depth > self.max_depth:
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
                return Source("counter", (), expr.attr.value, code_of(expr.value), 0, expr)
            if isinstance(expr.value, cst.Name):
                found = self._module_attribute(expr, depth)
                if found.kind == "unknown":
                    found = self._record_field(expr, depth)
                return found
            return UNKNOWN
        if isinstance(expr, cst.Subscript):
            key = _subscript_key(expr)
            if key in self.names:
                return Source("counter", (), key, code_of(expr.value), 0, expr)
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
        if dotted_name(func) in _ENV_READERS and positional:
            # os.environ.get("GITHUB_RUN_ATTEMPT", "1"): the variable is the counter, the default a fallback
            key = _literal(positional[0])
            if isinstance(key, str) and key in self.names:
                return Source("counter", (), key, "os.environ", 0, expr)
            return UNKNOWN
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
        bindings = self.scopes().lookup(expr)
        if not bindings:
            return UNKNOWN
        sources = []
        for binding in bindings:
            sources.append(self._binding(binding, depth))
            if sources[-1].kind == "unknown":
                return UNKNOWN
        return combine(sources)

    def _binding(self, binding: Binding, depth: int, attribute: Optional[str] = None) -> Source:
        kind, first, second = binding
        if kind == "value" and attribute is None:
            return self.trace(first, depth + 1)
        if kind == "param" and attribute is None and isinstance(second, cst.FunctionDef):
            return self._parameter(first, second, depth)
        if kind == "import":
            from mfok_lint.model.imported_values import imported_constants

            constants = imported_constants(self.ctx.path, first, second, attribute)
            if constants:
                return Source("constant", constants, node=None)
        return UNKNOWN

    def _module_attribute(self, expr: cst.Attribute, depth: int) -> Source:
        """``config.RETRY`` where ``config`` is a module of the extension imported by this file."""
        bindings = self.scopes().lookup(expr.value)
        if not bindings or any(kind != "import" for kind, _, _ in bindings):
            return UNKNOWN
        return combine([self._binding(binding, depth, expr.attr.value) for binding in bindings])

    def _record_field(self, expr: cst.Attribute, depth: int) -> Source:
        """``inp.retry_count`` where ``inp`` is a parameter annotated with a record class of this module (a
        dataclass or ``NamedTuple``): the values every construction of the class in the module gives the field."""
        bindings = self.scopes().lookup(expr.value)
        if not bindings or len(bindings) != 1 or bindings[0][0] != "param":
            return UNKNOWN
        annotation = bindings[0][1].annotation
        record = _record_class(self.ctx, annotation.annotation if annotation is not None else None)
        if record is None:
            return UNKNOWN
        fields = _record_fields(record)
        name = expr.attr.value
        if name not in fields:
            return UNKNOWN
        calls = self.scopes().calls.get(record.name.value, [])
        if not calls:
            return UNKNOWN
        index = list(fields).index(name)
        sources = []
        for call in calls:
            if not isinstance(call.func, cst.Name):
                return UNKNOWN
            arg = _argument_for(call, name, index)
            if arg is _STARRED:
                return UNKNOWN
            value = arg if arg is not None else fields[name]
            if value is None:
                return UNKNOWN
            sources.append(self.trace(value, depth + 1))
            if sources[-1].kind == "unknown":
                return UNKNOWN
        return combine(sources)

    def _parameter(self, param: cst.Param, function: cst.FunctionDef, depth: int) -> Source:
        params = function.params
        ordered = list(params.posonly_params) + list(params.params)
        is_method = bool(ordered) and ordered[0].name.value in ("self", "cls")
        index = None
        for i, p in enumerate(ordered):
            if p is param:
                index = i - (1 if is_method else 0)
        calls = self.scopes().calls.get(function.name.value, [])
        elsewhere: List["CallSite"] = []
        if self.package is not None:
            found = self._package_sites(function.name.value)
            if found is None:
                return UNKNOWN
            own = os.path.abspath(self.ctx.path)
            # The file's own calls by name, ``self.``/``cls.`` or a class are ``calls`` above, read with scopes.
            elsewhere = [
                site for site in found
                if site.in_string or os.path.abspath(site.path) != own or not _scoped_callee(site.callee)
            ]
        if not calls and not elsewhere:
            if self.default_without_callers and function.name.value.startswith("_") and param.default is not None:
                return self.trace(param.default, depth + 1)
            return UNKNOWN
        sources = []
        self._resolving.add(id(param))
        try:
            for call in calls:
                arg = _argument_for(call, param.name.value, index)
                if arg is _STARRED:
                    return UNKNOWN
                if arg is None:
                    if param.default is None:
                        return UNKNOWN
                    sources.append(self.trace(param.default, depth + 1))
                elif self._passes_through(arg):
                    continue  # a recursive call handing the value on unchanged adds no definition
                else:
                    sources.append(self.trace(arg, depth + 1))
            for site in elsewhere:
                text = site.argument(param.name.value, index)
                if text is None:
                    if param.default is None:
                        return UNKNOWN
                    sources.append(self.trace(param.default, depth + 1))
                else:
                    sources.append(_shape_of(self.ctx, text, self.names))
        finally:
            self._resolving.discard(id(param))
        return combine(sources)

    def _passes_through(self, arg: cst.BaseExpression) -> bool:
        """Is ``arg`` a parameter whose own call sites are being traced (a recursive pass-through)?"""
        if not isinstance(arg, cst.Name):
            return False
        bindings = self.scopes().lookup(arg) or []
        return len(bindings) == 1 and bindings[0][0] == "param" and id(bindings[0][1]) in self._resolving

    def _package_sites(self, name: str) -> Optional[List["CallSite"]]:
        from mfok_lint.model.package_calls import package_calls

        return package_calls(self.package(), name)


class _GeneratedTracer(_Tracer):
    """Traces expressions of a module the extension generates (parsed from one of its strings): names resolve in
    that module, and the callers of its functions are the package's, since the module itself is emitted and run
    elsewhere. What the extension imports means nothing there, and a function no code calls is called by the
    scheduler's runtime with arguments the package does not show."""

    default_without_callers = False

    def __init__(self, ctx, scopes: "_Scopes", names: FrozenSet[str], package) -> None:
        super().__init__(ctx, names, package)
        self._generated_scopes = scopes

    def scopes(self) -> "_Scopes":
        return self._generated_scopes

    def _binding(self, binding: Binding, depth: int, attribute: Optional[str] = None) -> Source:
        if binding[0] == "import":
            return UNKNOWN
        return super()._binding(binding, depth, attribute)

    def _parameter(self, param: cst.Param, function: cst.FunctionDef, depth: int) -> Source:
        if self.package is None:
            return UNKNOWN
        return super()._parameter(param, function, depth)

    def _record_field(self, expr: cst.Attribute, depth: int) -> Source:
        return UNKNOWN  # the record classes are the file's, not the generated module's


def _shape_of(ctx, text: str, names: FrozenSet[str]) -> Source:
    """The source of an argument known only as text (a call in another module or in generated code): its own
    shape (a literal, a counter attribute), names unresolved."""
    if HOLE in text:
        return UNKNOWN
    try:
        expr = cst.parse_expression(text)
    except Exception:  # not an expression on its own
        return UNKNOWN
    return _GeneratedTracer(ctx, _Scopes(), names, None).trace(expr)


_STARRED = object()
_ENV_READERS = frozenset({"os.environ.get", "os.getenv", "environ.get", "getenv"})


def _record_class(ctx, annotation) -> Optional[cst.ClassDef]:
    """The module-level dataclass or ``NamedTuple`` an annotation (``StepInput`` or ``"StepInput"``) names."""
    name = annotation.value if isinstance(annotation, cst.Name) else _literal(annotation) if annotation is not None else None
    if not isinstance(name, str):
        return None
    for statement in ctx.module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == name:
            decorators = {dotted_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) for d in statement.decorators}
            bases = {dotted_name(b.value) for b in statement.bases}
            if decorators & {"dataclass", "dataclasses.dataclass"} or bases & {"NamedTuple", "typing.NamedTuple"}:
                return statement
            return None
    return None


def _record_fields(record: cst.ClassDef) -> Dict[str, Optional[cst.BaseExpression]]:
    """Field name -> default expression (None: no default), in declaration order."""
    fields: Dict[str, Optional[cst.BaseExpression]] = {}
    body = record.body.body if isinstance(record.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    fields[small.target.value] = small.value
    return fields


def _scoped_callee(callee: str) -> bool:
    """Whether ``_Scopes.calls`` records a call of this callee text (see ``visit_Call``)."""
    head, _, rest = callee.partition(".")
    if not rest:
        return True
    return "." not in rest and (head in ("self", "cls") or head[:1].isupper())


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


def _tracer(ctx, names: FrozenSet[str], max_depth: int = MAX_DEPTH, across_package: bool = False) -> _Tracer:
    key = f"values:tracer:{max_depth}:" + ",".join(sorted(names)) + (":package" if across_package else "")
    return ctx.lazy(key, lambda c: _Tracer(c, names, _package_of(c) if across_package else None, max_depth))


def _package_of(ctx):
    """The package's code, built when a question first needs it."""
    from mfok_lint.model.package_code import package_code

    return lambda: package_code(ctx)


def _generated_tracer(ctx, command, expr, names: FrozenSet[str], across_package: bool) -> Optional[_Tracer]:
    """A tracer for ``expr`` when it belongs to a module the command's file generates, not to the file."""
    inner = [n for n in _names_in(expr)]
    if not inner or not command.generated_modules:
        return None
    if _scopes(ctx).owner.get(id(inner[0])) is not None:
        return None  # the file's own code
    cache = ctx.lazy("values:generated-scopes", lambda _ctx: {})
    for module in command.generated_modules:
        scopes = cache.get(id(module))
        if scopes is None:
            scopes = cache[id(module)] = _Scopes()
            visiting.visit(module, scopes)
        if scopes.owner.get(id(inner[0])) is not None:
            return _GeneratedTracer(ctx, scopes, names, _package_of(ctx) if across_package else None)
    return None


def _names_in(expr: cst.CSTNode) -> List[cst.Name]:
    found: List[cst.Name] = []

    class _Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

    visiting.visit(expr, _Names())
    return found


def trace(
    ctx, expr, names: FrozenSet[str] = COUNTER_NAMES, max_depth: int = MAX_DEPTH, across_package: bool = False
) -> Source:
    return _tracer(ctx, names, max_depth, across_package).trace(expr)


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
    arithmetic = _SHELL_ARITHMETIC.match(word)
    if arithmetic:
        offset = int(arithmetic.group(3) or 0) * (-1 if arithmetic.group(2) == "-" else 1)
        return Source("counter", (), arithmetic.group(1), "$", offset, node)
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


def trace_token(
    ctx,
    token,
    names: FrozenSet[str] = COUNTER_NAMES,
    max_depth: int = MAX_DEPTH,
    command=None,
    across_package: bool = False,
) -> Source:
    """``command`` (the token's command) lets a token of generated code resolve its names in the generated module;
    ``across_package`` lets a parameter's callers be found in the whole package (the rule declares "package")."""
    if token is None:
        return UNKNOWN
    if token.kind == "literal":
        return trace_text(token.text or "", token.expr, names=names)
    if token.kind == "value" and token.expr is not None and (token.pattern or "").count(HOLE) == 1:
        # ``"--retry-count=%d" % n``: the token's expression is the whole template, its one hole the value
        tracer = None
        if command is not None:
            tracer = _generated_tracer(ctx, command, token.expr, names, across_package)
        if tracer is None:
            tracer = _tracer(ctx, names, max_depth, across_package)
        return tracer.trace(token.expr, embedded=True)
    if token.kind == "value" and token.expr is None and token.span is not None and token.span.start is not None:
        # a template placeholder (jinja ``{{ ti.try_number }}``): its source text is all there is to read
        try:
            start, end = ctx.offsets(token.span)
        except KeyError:
            return UNKNOWN
        word = re.sub(r"^--[A-Za-z0-9-]+=", "", ctx.text[start:end])
        return trace_text(word, None, names=names)
    return UNKNOWN


def traced_option_values(
    ctx, option: str, names: FrozenSet[str] = COUNTER_NAMES, max_depth: int = MAX_DEPTH, across_package: bool = False
):
    """(command, option, Source) for every distinct ``option`` of the file's commands that carries a value."""
    for cmd, opt in unique_options(ctx, option):
        if opt.value is not None:
            yield cmd, opt, trace_token(
                ctx, opt.value, names, command=cmd, across_package=across_package, max_depth=max_depth
            )


# ---- was this value computed by X? -------------------------------------------------------------------------
def small_statements(node: cst.CSTNode) -> Iterator[cst.BaseSmallStatement]:
    """Every small statement under ``node``, in source order (see ``syntax.statements``)."""
    for statement in statements(node):
        if isinstance(statement, cst.BaseSmallStatement):
            yield statement


class Assignments:
    """Dotted name -> every value expression assigned to it (tuple targets paired with the whole call)."""

    def __init__(self) -> None:
        self.values: Dict[str, List[cst.BaseExpression]] = {}

    def collect(self, node: cst.CSTNode) -> "Assignments":
        for statement in small_statements(node):
            if isinstance(statement, cst.Assign):
                self.visit_Assign(statement)
            elif isinstance(statement, cst.AnnAssign):
                self.visit_AnnAssign(statement)
        return self

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        name = dotted_name(target)
        if name is not None:
            self.values.setdefault(name, []).append(value)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(target.elements):
                for t, v in zip(target.elements, value.elements):
                    self._bind(t.value, v.value)
            elif isinstance(value, cst.Call):
                for t in target.elements:
                    self._bind(t.value, value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)


def _module_level(node: cst.CSTNode) -> bool:
    return not isinstance(node, (cst.FunctionDef, cst.ClassDef))


def _module_imports(module: cst.Module) -> Dict[str, Tuple[cst.CSTNode, cst.ImportAlias]]:
    """Names bound by module-level ``from ... import name`` (the last binding wins, as at run time)."""
    found: Dict[str, Tuple[cst.CSTNode, cst.ImportAlias]] = {}
    for statement in statements(module, enter=lambda n: n is module or _module_level(n)):
        if isinstance(statement, cst.ImportFrom):
            for name, alias in _from_import_names(statement):
                found[name] = (statement, alias)
    return found


def _from_import_names(node: cst.ImportFrom) -> Iterator[Tuple[str, cst.ImportAlias]]:
    """(bound name, alias) for each name ``from ... import`` binds (none for ``import *``)."""
    if isinstance(node.names, cst.ImportStar):
        return
    for alias in node.names:
        bound = alias.asname.name if alias.asname is not None else alias.name
        if isinstance(bound, cst.Name):
            yield bound.value, alias


def _assignments_of(ctx, node: Optional[cst.CSTNode], top_level: bool = False) -> Optional[Assignments]:
    if node is None:
        return None
    cache = ctx.lazy("values:assignments", lambda _ctx: {})
    key = (id(node), top_level)
    found = cache.get(key)
    if found is None:
        if top_level:
            found = Assignments()
            for statement in statements(node, enter=lambda n: n is node or _module_level(n)):
                if isinstance(statement, cst.Assign):
                    found.visit_Assign(statement)
                elif isinstance(statement, cst.AnnAssign):
                    found.visit_AnnAssign(statement)
        else:
            found = Assignments().collect(node)
        cache[key] = found
    return found


def trace_origin(
    ctx, expr: cst.BaseExpression, function: Optional[cst.FunctionDef], matches: Callable[[str], Optional[str]]
) -> Optional[str]:
    """The first source text ``matches`` accepts among ``expr`` and the values it was assigned from.

    The assignment indexes are built only when a name has to be followed: most values match or fail on
    their own text, and a walk of a large module costs more than every rule's check together. A plain name
    with no assignment in ``function`` is looked up among the module's constants, then its imports.
    """
    scopes: Dict[str, Optional[object]] = {}

    def index(kind: str):
        if kind not in scopes:
            if kind == "local":
                scopes[kind] = _assignments_of(ctx, function)
            elif kind == "file":
                scopes[kind] = _assignments_of(ctx, ctx.module)
            elif kind == "module":
                scopes[kind] = _assignments_of(ctx, ctx.module, top_level=True)
            else:
                scopes[kind] = _module_imports(ctx.module)
        return scopes[kind]

    return _origin(ctx, expr, index, matches, set(), 0)


def _origin(ctx, expr, index, matches, seen: Set[str], hops: int) -> Optional[str]:
    if hops > MAX_HOPS:
        return None
    inner: List[cst.BaseExpression] = []
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        right = expr.right
        inner = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
    elif isinstance(expr, cst.FormattedString):
        inner = [p.expression for p in expr.parts if isinstance(p, cst.FormattedStringExpression)]
    if inner:
        for part in inner:
            found = _origin(ctx, part, index, matches, seen, hops + 1)
            if found is not None:
                return found
        return None
    found = matches(code_of(expr))
    if found is not None:
        return found
    name = dotted_name(expr)
    if name is None or name in seen:
        return None
    seen.add(name)
    if name.startswith("self."):
        values = (index("file").values if index("file") is not None else {}).get(name, [])
    else:
        local = index("local")
        values = local.values.get(name, []) if local is not None else []
        if not values and "." not in name:
            values = index("module").values.get(name, [])
            if not values and name in index("imports"):
                return _imported_origin(ctx, *index("imports")[name], matches)
    for value in values:
        found = _origin(ctx, value, index, matches, seen, hops + 1)
        if found is not None:
            return found
    return None


def _imported_origin(ctx, node: cst.CSTNode, alias: cst.ImportAlias, matches) -> Optional[str]:
    from mfok_lint.model.imported_values import assigned_sources

    for text in assigned_sources(ctx.path, node, alias):
        found = matches(text)
        if found is not None:
            return found
    return None
