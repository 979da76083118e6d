"""Where the values held by some local names go inside one function: only into other locals, or out of it.

Rules that ask "is this value ever sent anywhere?" (the parsed ``--run-param`` values, a run id the command
makes up) follow it here. The answer is flow-insensitive and deliberately quick to say "sent":

- followed: the start names, names assigned from an expression mentioning a followed name, loop variables over
  one, locals mutated with one (``params[k] = v``, ``lst.append(x)``, ``d.update(x)``), to a fixed point;
- *escaped* (sent) when a followed name appears anywhere else: an argument of a call other than a pure builtin or
  string/dict method (``dict``, ``len``, ``"=".join``, ``kv.partition``) or a logging call (``echo``, ``print``,
  ``logger.info``), or a call the caller allows (``allowed``); a method other than those on a followed value; a
  returned or yielded value; an attribute or non-local container it is stored into; a test (``if``, ``while``,
  ``assert``), a ``raise``, a ``with`` item; a nested function, lambda or class; ``global``/``nonlocal``;
- ``first_use``: the first statement that reads a followed name.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, List, Optional, Set

import libcst as cst

from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import called_name, dotted_name

__all__ = ["LocalFlow", "LOGGING_CALL", "follow"]

_PURE_FUNCTIONS = frozenset(
    {"dict", "list", "tuple", "set", "frozenset", "str", "int", "float", "bool", "len", "sorted", "reversed",
     "enumerate", "zip", "iter", "next", "isinstance", "repr", "any", "all", "min", "max", "sum", "map", "filter",
     "json.loads", "shlex.split", "ast.literal_eval", "dict.fromkeys", "range"}
)
_PURE_METHODS = frozenset(
    {"partition", "rpartition", "split", "rsplit", "strip", "lstrip", "rstrip", "lower", "upper", "replace",
     "startswith", "endswith", "items", "keys", "values", "get", "copy", "encode", "decode", "format", "count",
     "index", "find", "join", "splitlines", "casefold", "title"}
)
_MUTATORS = frozenset({"append", "extend", "update", "add", "insert", "setdefault"})
LOGGING_CALL = re.compile(r"(^|\.)(echo|secho|print|debug|info|warning|warn|error|log|exception)$")


def _names_in(node: cst.CSTNode) -> List[cst.Name]:
    found: List[cst.Name] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.append(n)

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            visiting.visit(n.value, self)
            return False  # ``x.attr``: the attribute's name is not a variable

    visiting.visit(node, Finder())
    return found


def _target_names(target: cst.BaseExpression) -> Optional[List[str]]:
    """Local names an assignment target binds or mutates; None when it stores anywhere else."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        out: List[str] = []
        for element in target.elements:
            inner = _target_names(element.value)
            if inner is None:
                return None
            out.extend(inner)
        return out
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
        return [target.value.value]
    return None


class LocalFlow:
    """Where the values of one parameter go inside one function."""

    def __init__(
        self, function: cst.FunctionDef, start: Iterable[str], allowed: Optional[Callable[[cst.Call], bool]] = None
    ) -> None:
        self.function = function
        self.followed: Set[str] = set(start)
        self.allowed = allowed
        self.escaped = False
        self.first_use: Optional[cst.CSTNode] = None

    def run(self) -> None:
        for _ in range(10):
            before = set(self.followed)
            self.escaped = False
            self.first_use = None
            visiting.visit(self.function.body, _Walker(self))
            if self.followed == before:
                return
        self.escaped = True  # did not settle: do not judge

    def mentions(self, node: cst.CSTNode) -> bool:
        return any(n.value in self.followed for n in _names_in(node))


class _Walker(cst.CSTVisitor):
    def __init__(self, flow: LocalFlow) -> None:
        self.flow = flow

    # ---- bindings ----------------------------------------------------------------------------------------------
    def _bind(self, targets: List[cst.BaseExpression], value: Optional[cst.BaseExpression]) -> bool:
        if value is None or not self.flow.mentions(value):
            return True
        self._note(value)
        for target in targets:
            names = _target_names(target)
            if names is None:
                self.flow.escaped = True
                return True
            self.flow.followed.update(names)
        self._check_expression(value)
        return False

    def visit_Assign(self, node: cst.Assign) -> bool:
        return self._bind([t.target for t in node.targets], node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        return self._bind([node.target], node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        return self._bind([node.target], node.value)

    def visit_For(self, node: cst.For) -> bool:
        if self.flow.mentions(node.iter):
            self._note(node.iter)
            names = _target_names(node.target)
            if names is None:
                self.flow.escaped = True
            else:
                self.flow.followed.update(names)
            self._check_expression(node.iter)
        visiting.visit(node.body, self)
        if node.orelse is not None:
            visiting.visit(node.orelse, self)
        return False

    def visit_Expr(self, node: cst.Expr) -> bool:
        value = node.value
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and isinstance(value.func.value, cst.Name):
            if value.func.attr.value in _MUTATORS and any(self.flow.mentions(a.value) for a in value.args):
                self._note(value)
                self.flow.followed.add(value.func.value.value)
                for arg in value.args:
                    self._check_expression(arg.value)
                return False
        if self.flow.mentions(value):
            self._note(value)
            self._check_expression(value)
        return False

    # ---- anything else that mentions a followed name sends it somewhere ----------------------------------------
    def visit_Return(self, node: cst.Return) -> bool:
        if node.value is not None and self.flow.mentions(node.value):
            self.flow.escaped = True
        return False

    def visit_If(self, node: cst.If) -> bool:
        if self.flow.mentions(node.test):
            self.flow.escaped = True
        return True

    def visit_While(self, node: cst.While) -> bool:
        if self.flow.mentions(node.test):
            self.flow.escaped = True
        return True

    def visit_Assert(self, node: cst.Assert) -> bool:
        if self.flow.mentions(node.test):
            self.flow.escaped = True
        return False

    def visit_Raise(self, node: cst.Raise) -> bool:
        if node.exc is not None and self.flow.mentions(node.exc):
            self.flow.escaped = True
        return False

    def visit_With(self, node: cst.With) -> bool:
        for item in node.items:
            if self.flow.mentions(item.item):
                self.flow.escaped = True
        return True

    def visit_Global(self, node: cst.Global) -> bool:
        if any(n.name.value in self.flow.followed for n in node.names):
            self.flow.escaped = True
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        return self.visit_Global(node)  # type: ignore[arg-type]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if self.flow.mentions(node):
            self.flow.escaped = True
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        if self.flow.mentions(node):
            self.flow.escaped = True
        return False

    def visit_Del(self, node: cst.Del) -> bool:
        return False

    # ---- inside an expression ----------------------------------------------------------------------------------
    def _note(self, node: cst.CSTNode) -> None:
        if self.flow.first_use is None:
            self.flow.first_use = node

    def _check_expression(self, expr: cst.CSTNode) -> None:
        """A followed name inside ``expr`` escapes through a call that is neither pure nor logging, a lambda,
        a yield or a named expression."""
        flow = self.flow

        class Calls(cst.CSTVisitor):
            def visit_Call(self, call: cst.Call) -> None:
                if not any(flow.mentions(a.value) for a in call.args):
                    receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
                    if receiver is not None and flow.mentions(receiver):
                        name = call.func.attr.value  # type: ignore[union-attr]
                        if name not in _PURE_METHODS:
                            flow.escaped = True
                    return
                name = dotted_name(call.func)
                method = called_name(call.func)
                if name in _PURE_FUNCTIONS:
                    return
                if isinstance(call.func, cst.Attribute) and method in _PURE_METHODS:
                    return
                if name is not None and LOGGING_CALL.search(name):
                    return
                if flow.allowed is not None and flow.allowed(call):
                    return
                flow.escaped = True

            def visit_Lambda(self, node: cst.Lambda) -> None:
                if flow.mentions(node):
                    flow.escaped = True

            def visit_Yield(self, node: cst.Yield) -> None:
                flow.escaped = True

            def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
                flow.escaped = True

        visiting.visit(expr, Calls())




def follow(
    function: cst.FunctionDef, start: Iterable[str], allowed: Optional[Callable[[cst.Call], bool]] = None
) -> LocalFlow:
    """Follow ``start`` through ``function`` (see the module docstring)."""
    flow = LocalFlow(function, start, allowed)
    flow.run()
    return flow
