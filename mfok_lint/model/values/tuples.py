"""Where a tuple reaches code that requires a list: the value model's answer for multi-value options.

click hands ``multiple=True`` and ``nargs=-1`` options to a command as tuples. Metaflow's programmatic click API
(``Deployer``, ``get_lower_level_group(...).trigger(**kwargs)``) type-checks every value against
``Union[List[T], Tuple[T]]``, where ``Tuple[T]`` means a tuple of exactly one element; scheduler clients that
validate list-typed inputs reject tuples too, and ``list + tuple`` raises. ``tuple_flows(source)`` lists every
place in a module where a tuple value arrives at such a sink (``TupleFlow``), and ``TupleFlows.tuple_origin``
classifies one expression ("click": a click multi-value value; "built": a tuple built in the code).

Design decisions:
- Sources: parameters of a click command fed by a ``multiple=True``/``nargs=-1`` option or argument, and
  tuple-building expressions (``tuple(...)``, ``x or ()``, a conditional with a tuple branch, a tuple display)
  once they are bound to a multi-value option's name (``run_params`` or an option of this file) or stored
  under such a key.
- The value is followed through assignments inside the function (``reaching``): a use sees the last
  unconditional assignment before it plus every conditional one after that, so ``if x: x = list(x)`` counts and
  ``x = list(x) if x else []`` clears it. Mappings that carry the tuple (``kw["run_params"] = params``,
  ``dict(run_params=params)``, ``{"run_params": params}``) are followed to ``**kw`` and to call arguments.
- Sinks are the places where the tuple-vs-list difference breaks something: keyword arguments (directly, in
  a ``**`` mapping or inside a mapping argument) of calls to code the extension does not own (scheduler SDKs,
  Metaflow's runner API), and ``list + tuple``. Methods of objects built from the package's own classes and of
  Metaflow's CLI state (the ``@click.pass_obj`` object) count as owned. Positional arguments of unknown callees
  are not sinks (most such helpers iterate), nor are Metaflow's core helpers imported by name (``validate_tags``
  iterates). Calls that consume any iterable (``list``, ``len``, ``" ".join``, ``cmd.extend``, logging) are not
  sinks, and neither is ``json.dumps``: the stdlib encoder writes tuples and lists alike as JSON arrays. Functions
  of the same module are followed into (the parameter becomes a source there); functions imported from the
  extension's own package are not sinks.
- The module facts it starts from are read from the nodes of ``TUPLE_FLOW_NODES``: a rule that asks declares
  them in its ``needs``, so they come from the engine's one shared walk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from mfok_lint.model.values.reaching import Definition, FunctionFacts, Unit, UnitCollector, reaching
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import dotted_name, string_value
from mfok_lint.syntax.source_file import SourceFile

RUN_PARAM_NAMES = {"run_params", "run_param"}
_CONSUMING_BUILTINS = {
    "list", "sorted", "set", "frozenset", "len", "iter", "enumerate", "zip", "map", "filter", "any", "all",
    "sum", "min", "max", "str", "repr", "print", "isinstance", "bool", "reversed", "dict", "hash", "id",
    "type", "format", "next", "range", "tuple",
}
_CONSUMING_METHODS = {
    "join", "extend", "format", "echo", "secho", "debug", "info", "warning", "warn", "error", "exception",
    "critical", "log", "startswith", "endswith", "write", "index", "count", "update", "union", "issubset",
    "issuperset", "difference", "intersection", "add", "discard",
}
_CONSUMING_QUALIFIED = {
    "json.dumps", "json.dump", "shlex.join", "itertools.chain", "logging.debug", "logging.info",
    "logging.warning", "logging.error", "click.echo", "click.secho", "collections.Counter",
}
_CLICK_DECORATORS = {"option", "argument"}


# The module facts are read from these nodes (``ModuleFacts.of``).
TUPLE_FLOW_NODES = (cst.FunctionDef, cst.AssignTarget, cst.For, cst.CompFor, cst.Tuple, cst.Call, cst.ImportFrom)


@dataclass
class TupleFlow:
    node: cst.CSTNode
    variable: Optional[str]
    unit: Unit
    detail: str
    inline_tuple: Optional[cst.Call] = None
    # The expressions that make the tuple, when the extension makes it on every path that reaches the sink
    # (``run_params = tuple(...)``): converting them is the fix, so a rule reports there. None when a click
    # value can arrive unconverted, or when nothing but the sink expression itself can be named.
    built: Optional[List[cst.BaseExpression]] = None


def _click_option_name(call: cst.Call) -> Optional[str]:
    """The Python parameter name click derives from an option/argument's declarations."""
    decls = [string_value(a.value) for a in call.args if a.keyword is None]
    decls = [d for d in decls if d]
    if not decls:
        return None
    for d in decls:
        if d.isidentifier():
            return d
    ranked = sorted(decls, key=lambda d: -(len(d) - len(d.lstrip("-"))))
    return ranked[0].lstrip("-").split("/")[0].replace("-", "_").lower()


def _is_multi_value(call: cst.Call) -> bool:
    for a in call.args:
        if a.keyword is None:
            continue
        if a.keyword.value == "multiple" and isinstance(a.value, cst.Name) and a.value.value == "True":
            return True
        if a.keyword.value == "nargs":
            v = a.value
            if isinstance(v, cst.UnaryOperation) and isinstance(v.operator, cst.Minus):
                return True
            if isinstance(v, cst.Integer) and int(v.value) > 1:
                return True
    return False


def _click_multi_params(func: cst.FunctionDef) -> Set[str]:
    names = set()
    for deco in func.decorators:
        call = deco.decorator
        if not isinstance(call, cst.Call):
            continue
        callee = dotted_name(call.func) or ""
        if callee.rsplit(".", 1)[-1] in _CLICK_DECORATORS and _is_multi_value(call):
            name = _click_option_name(call)
            if name:
                names.add(name)
    return names


class ModuleFacts:
    """What the analysis needs from the whole module, gathered in the engine's shared traversal.

    Besides the functions and imports it records which functions hold a tuple source at all (a tuple display
    outside an assignment or loop target, or a call of ``tuple``): a function without one and without a click
    multi-value parameter has no value ``tuple_origin`` can classify as a tuple, so scanning it for sinks cannot
    report anything and is skipped (functions reached by argument-following are still scanned on demand).
    """

    def __init__(self) -> None:
        self.all_funcs: List[cst.FunctionDef] = []
        self.functions: Dict[str, cst.FunctionDef] = {}
        self.package_imports: Set[str] = set()
        self.option_names: Set[str] = set(RUN_PARAM_NAMES)
        self.click_params: Dict[int, Set[str]] = {}
        self.with_tuple_source: Set[int] = set()

    @classmethod
    def of(cls, ctx: SourceFile) -> "ModuleFacts":
        facts = cls()
        targets: Set[int] = set()  # assignment and loop targets: a tuple there unpacks, it is no value
        for node in ctx.nodes(*TUPLE_FLOW_NODES):  # in walk order: a target is marked before the tuples inside it
            if isinstance(node, cst.FunctionDef):
                facts.all_funcs.append(node)
                facts.functions.setdefault(node.name.value, node)
                params = _click_multi_params(node)
                facts.click_params[id(node)] = params
                facts.option_names |= params
            elif isinstance(node, (cst.AssignTarget, cst.For, cst.CompFor)):
                targets.add(id(node.target))
            elif isinstance(node, cst.Tuple):
                if id(node) in targets:
                    for element in node.elements:  # nested unpacking: ``for i, (k, v) in ...``
                        targets.add(id(element.value))
                else:
                    facts.with_tuple_source.update(id(f) for f in ctx.functions_around(node))
            elif isinstance(node, cst.Call):
                if isinstance(node.func, cst.Name) and node.func.value == "tuple":
                    facts.with_tuple_source.update(id(f) for f in ctx.functions_around(node))
            else:
                facts.package_imports.update(_own_imported_names(node))
        return facts

    def may_hold_tuple(self, func: cst.FunctionDef) -> bool:
        return id(func) in self.with_tuple_source or bool(self.click_params.get(id(func)))


def _own_imported_names(node: cst.ImportFrom) -> List[str]:
    """Names an import binds from the extension's own package (or Metaflow's core)."""
    module = (dotted_name(node.module) if node.module is not None else "") or ""
    # Metaflow's core helpers (validate_tags, metadata providers) take any iterable; only its runner API
    # type-checks options, and that is reached through objects, not imported names.
    metaflow_core = module == "metaflow" or (module.startswith("metaflow.") and not module.startswith("metaflow.runner"))
    own = bool(node.relative) or module.startswith("metaflow_extensions") or metaflow_core
    if not own or isinstance(node.names, cst.ImportStar):
        return []
    names = []
    for alias in node.names:
        bound = alias.asname.name if alias.asname else alias.name
        if isinstance(bound, cst.Name):
            names.append(bound.value)
    return names


class TupleFlows:
    def __init__(self, ctx: SourceFile, module_facts: ModuleFacts) -> None:
        self.ctx = ctx
        self.module = ctx.module
        self.module_facts = module_facts
        self.functions: Dict[str, cst.FunctionDef] = module_facts.functions  # module-level functions and methods by name
        self.package_imports: Set[str] = module_facts.package_imports  # names bound by imports of the extension's own modules
        self.option_names: Set[str] = module_facts.option_names
        self._facts: Dict[int, FunctionFacts] = {}
        self._unit_func: Dict[int, cst.FunctionDef] = {}
        self._followed: Dict[Tuple[int, str], bool] = {}
        self._all_funcs: List[cst.FunctionDef] = module_facts.all_funcs

    def function_of(self, unit: Unit) -> cst.FunctionDef:
        return self._unit_func[id(unit)]

    def facts(self, func: cst.FunctionDef) -> FunctionFacts:
        cached = self._facts.get(id(func))
        if cached is not None:
            return cached
        facts = FunctionFacts(func)
        collector = UnitCollector(facts)
        if isinstance(func.body, cst.IndentedBlock):
            collector.block(func.body.body, ())
        else:
            collector.suite(func.body, ())
        click_params = _click_multi_params(func)
        for param in func.params.params + func.params.kwonly_params + func.params.posonly_params:
            name = param.name.value
            facts.defs.setdefault(name, []).append(Definition(name, None, None, from_click=name in click_params))
        for unit in facts.units:
            self._unit_func[id(unit)] = func
            node = unit.node
            targets: List[Tuple[cst.BaseExpression, Optional[cst.BaseExpression]]] = []
            if isinstance(node, cst.Assign):
                targets = [(t.target, node.value) for t in node.targets]
            elif isinstance(node, cst.AnnAssign) and node.value is not None:
                targets = [(node.target, node.value)]
            elif isinstance(node, cst.AugAssign):
                targets = [(node.target, None)]
            elif isinstance(unit.stmt, cst.For) and node is unit.stmt.iter:
                targets = [(unit.stmt.target, None)]
            for target, value in targets:
                if isinstance(target, cst.Name):
                    facts.defs.setdefault(target.value, []).append(Definition(target.value, unit, value))
                elif isinstance(target, (cst.Tuple, cst.List)):
                    for el in target.elements:
                        if isinstance(el.value, cst.Name):
                            facts.defs.setdefault(el.value.value, []).append(Definition(el.value.value, unit, None))
        self._facts[id(func)] = facts
        return facts

    # -- value classification -----------------------------------------------------------------------------
    def tuple_origin(self, facts: FunctionFacts, expr: cst.BaseExpression, at: Unit, depth: int = 0) -> Optional[str]:
        """'click' for a click multi-value value, 'built' for a tuple built here, None when not a tuple."""
        if depth > 8:
            return None
        if isinstance(expr, cst.Name):
            defs = reaching(facts, expr.value, at)
            if not defs:
                return None
            origins = []
            for d in defs:
                if d.unit is None:
                    origins.append("click" if d.from_click else None)
                elif d.value is None:
                    origins.append(None)
                else:
                    origins.append(self.tuple_origin(facts, d.value, d.unit, depth + 1))
            if any(o is not None for o in origins) and not any(
                o is None and d.value is not None and _is_list_value(d.value) for o, d in zip(origins, defs)
            ):
                return "click" if "click" in origins else "built"
            return None
        if isinstance(expr, cst.Call):
            if dotted_name(expr.func) == "tuple":
                if expr.args:
                    inner = self.tuple_origin(facts, expr.args[0].value, at, depth + 1)
                    return inner or "built"
                return "built"
            return None
        if isinstance(expr, cst.Tuple):
            return "built"
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            left = self.tuple_origin(facts, expr.left, at, depth + 1)
            right = self.tuple_origin(facts, expr.right, at, depth + 1)
            return left or right
        if isinstance(expr, cst.IfExp):
            a = self.tuple_origin(facts, expr.body, at, depth + 1)
            b = self.tuple_origin(facts, expr.orelse, at, depth + 1)
            return a or b
        return None

    def built_constructs(
        self, facts: FunctionFacts, expr: cst.BaseExpression, at: Unit, depth: int = 0
    ) -> Optional[List[cst.BaseExpression]]:
        """The assigned expressions that make the tuple ``expr`` carries at ``at``, followed through plain name
        assignments: ``tuple(...)`` (whatever it converts), ``()`` and tuple displays, or a composition
        (``x or ()``, a conditional) with no click value in it. None when a click multi-value value can reach
        ``at`` unconverted: converting one construct would not fix that path."""
        if depth > 8:
            return None
        if not isinstance(expr, cst.Name):
            if _is_tuple_call(expr) or self.tuple_origin(facts, expr, at, depth) == "built":
                return [expr]
            return None
        found: List[cst.BaseExpression] = []
        for d in reaching(facts, expr.value, at):
            if d.unit is None:
                if d.from_click:
                    return None
                continue
            if d.value is None:
                continue
            if _is_tuple_call(d.value):
                found.append(d.value)
                continue
            origin = self.tuple_origin(facts, d.value, d.unit, depth + 1)
            if origin is None:
                continue
            if origin == "click":
                return None
            if isinstance(d.value, cst.Name):
                inner = self.built_constructs(facts, d.value, d.unit, depth + 1)
                if inner is None:
                    return None
                found.extend(inner)
            else:
                found.append(d.value)
        return found or None

    # -- sinks -------------------------------------------------------------------------------------------
    def run(self) -> List[TupleFlow]:
        findings: List[TupleFlow] = []
        for func in self._all_funcs:
            if self.module_facts.may_hold_tuple(func):
                findings.extend(self.scan_function(func, None))
        seen = set()
        unique = []
        for f in findings:
            if id(f.node) not in seen:
                seen.add(id(f.node))
                unique.append(f)
        return unique

    def scan_function(self, func: cst.FunctionDef, forced_param: Optional[str]) -> List[TupleFlow]:
        """Findings in func; with forced_param, only those about that parameter treated as a tuple."""
        facts = self.facts(func)
        analysis = self
        results: List[TupleFlow] = []

        def origin_of(expr: cst.BaseExpression, unit: Unit) -> Optional[str]:
            if forced_param is not None:
                if isinstance(expr, cst.Name) and expr.value == forced_param:
                    defs = reaching(facts, forced_param, unit)
                    if any(d.unit is None for d in defs) and not any(
                        d.value is not None and _is_list_value(d.value) for d in defs
                    ):
                        return "click"
                return None
            return analysis.tuple_origin(facts, expr, unit)

        def relevant(origin: Optional[str], expr: cst.BaseExpression, label: Optional[str]) -> bool:
            if origin is None:
                return False
            if origin == "click" or forced_param is not None:
                return True
            names = analysis.option_names
            if label in names:
                return True
            return isinstance(expr, cst.Name) and expr.value in names

        def report(expr: cst.BaseExpression, unit: Unit, detail: str) -> None:
            variable = expr.value if isinstance(expr, cst.Name) else None
            inline = expr if isinstance(expr, cst.Call) and dotted_name(expr.func) == "tuple" else None
            built = analysis.built_constructs(facts, expr, unit) if forced_param is None else None
            results.append(TupleFlow(expr, variable, unit, detail, inline, built))

        def check_value(expr: cst.BaseExpression, unit: Unit, label: Optional[str], detail: str) -> None:
            origin = origin_of(expr, unit)
            if relevant(origin, expr, label):
                report(expr, unit, detail)

        def carried(name: str, unit: Unit) -> List[Tuple[cst.BaseExpression, Unit, Optional[str]]]:
            """Values stored in the mapping bound to `name` before `unit`: (value, store unit, key)."""
            out: List[Tuple[cst.BaseExpression, Unit, Optional[str]]] = []
            defs = reaching(facts, name, unit)
            if not defs or defs[0].unit is None:
                return out
            creation = defs[0]
            if creation.value is not None:
                out.extend((v, creation.unit, k) for v, k in _mapping_values(creation.value))
            for u in facts.units:
                if not (creation.unit.order < u.order < unit.order):
                    continue
                node = u.node
                if isinstance(node, cst.Assign):
                    for t in node.targets:
                        tgt = t.target
                        if (
                            isinstance(tgt, cst.Subscript)
                            and isinstance(tgt.value, cst.Name)
                            and tgt.value.value == name
                            and len(tgt.slice) == 1
                            and isinstance(tgt.slice[0].slice, cst.Index)
                        ):
                            out.append((node.value, u, string_value(tgt.slice[0].slice.value)))
                elif isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
                    call = node.value
                    if (
                        isinstance(call.func, cst.Attribute)
                        and call.func.attr.value in ("update", "setdefault")
                        and isinstance(call.func.value, cst.Name)
                        and call.func.value.value == name
                    ):
                        if call.func.attr.value == "setdefault" and len(call.args) >= 2:
                            out.append((call.args[1].value, u, string_value(call.args[0].value)))
                        else:
                            for a in call.args:
                                if a.keyword is not None:
                                    out.append((a.value, u, a.keyword.value))
                                else:
                                    out.extend((v, u, k) for v, k in _mapping_values(a.value))
            return out

        class Sinks(cst.CSTVisitor):
            unit: Unit

            def visit_Lambda(self, node: cst.Lambda) -> bool:
                return False

            def visit_Call(self, node: cst.Call) -> None:
                unit = self.unit
                kind = analysis.callee_kind(node, facts)
                if kind == "consumer":
                    return
                if kind == "local":
                    callee = analysis.local_callee(node)
                    if callee is None:
                        return
                    for arg, param in _bind_arguments(node, callee):
                        if param is None:
                            continue
                        origin = origin_of(arg, unit)
                        if relevant(origin, arg, param) and analysis.follows_to_sink(callee, param):
                            report(arg, unit, f"`{_code(analysis, arg)}` is passed to `{callee.name.value}()`, which forwards it as a tuple")
                    return
                if kind == "own":
                    return
                callee_text = _callee_label(node.func)
                for arg in node.args:
                    label = arg.keyword.value if arg.keyword is not None else None
                    if arg.star == "**":
                        if isinstance(arg.value, cst.Name):
                            for value, store_unit, key in carried(arg.value.value, unit):
                                check_value(value, store_unit, key, f"`{key}` reaches `{callee_text}(**{arg.value.value})` as a tuple")
                        for value, key in _mapping_values(arg.value):
                            check_value(value, unit, key, f"`{key}` reaches `{callee_text}(...)` as a tuple")
                        continue
                    if arg.star == "*":
                        continue
                    if label is not None:
                        # Positional arguments are left alone: without the callee's signature nothing says a
                        # list is required, and most helpers taking a sequence positionally just iterate it.
                        check_value(arg.value, unit, label, f"`{_code(analysis, arg.value)}` is forwarded to `{callee_text}()` as a tuple")
                    for value, key in _mapping_values(arg.value):
                        check_value(value, unit, key, f"`{key}` is forwarded to `{callee_text}()` inside a mapping, as a tuple")
                    if isinstance(arg.value, cst.Name):
                        for value, store_unit, key in carried(arg.value.value, unit):
                            check_value(value, store_unit, key, f"`{key}` reaches `{callee_text}()` inside `{arg.value.value}`, as a tuple")

            def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
                unit = self.unit
                if not isinstance(node.operator, cst.Add):
                    return
                for mine, other in ((node.left, node.right), (node.right, node.left)):
                    if _is_list_value(other):
                        check_value(mine, unit, None, f"`{_code(analysis, mine)}` is concatenated with a list (`list + tuple` raises TypeError)")

        # Only code inside a unit can be a sink (nested functions and lambdas are not the function's own
        # statements); units are in source order and never overlap, so visiting them one by one meets every
        # sink in the order a walk of the whole body would.
        sinks = Sinks()
        for unit in facts.units:
            sinks.unit = unit
            visiting.visit(unit.node, sinks)
        return results

    def callee_kind(self, call: cst.Call, facts: Optional[FunctionFacts] = None) -> str:
        func = call.func
        if facts is not None and isinstance(func, cst.Attribute) and self._receiver_is_owned(func.value, facts):
            return "own"
        name = dotted_name(func)
        if isinstance(func, cst.Name):
            if func.value in _CONSUMING_BUILTINS:
                return "consumer"
            if func.value in self.functions:
                return "local"
            if func.value in self.package_imports:
                return "own"
            return "external"
        if isinstance(func, cst.Attribute):
            if name in _CONSUMING_QUALIFIED or func.attr.value in _CONSUMING_METHODS:
                return "consumer"
            if isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
                return "local" if func.attr.value in self.functions else "own"
            if isinstance(func.value, cst.Name) and func.value.value in self.package_imports:
                return "own"
            return "external"
        return "external"

    def _receiver_is_owned(self, receiver: cst.BaseExpression, facts: FunctionFacts) -> bool:
        """A method call on an object of the extension's own classes or on Metaflow's CLI state is not a sink.

        ``batch = Batch(...)`` with ``Batch`` imported from the package, then ``batch.launch_job(volumes=...)``,
        calls the extension's own code; ``obj.metadata.add_sticky_tags(tags=...)`` under ``@click.pass_obj``
        calls Metaflow's metadata provider. Both take any iterable.
        """
        while isinstance(receiver, cst.Attribute):
            receiver = receiver.value
        if not isinstance(receiver, cst.Name):
            return False
        root = receiver.value
        decorators = {dotted_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "" for d in facts.func.decorators}
        params = facts.func.params.params
        if params and params[0].name.value == root and any(
            d.rsplit(".", 1)[-1] in ("pass_obj", "pass_context") for d in decorators
        ):
            return True
        for definition in facts.defs.get(root, ()):
            value = definition.value
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in self.package_imports:
                return True
        return False

    def local_callee(self, call: cst.Call) -> Optional[cst.FunctionDef]:
        func = call.func
        if isinstance(func, cst.Name):
            return self.functions.get(func.value)
        if isinstance(func, cst.Attribute):
            return self.functions.get(func.attr.value)
        return None

    def follows_to_sink(self, func: cst.FunctionDef, param: str) -> bool:
        key = (id(func), param)
        if key in self._followed:
            return self._followed[key]
        self._followed[key] = False  # recursion guard
        result = bool(self.scan_function(func, param))
        self._followed[key] = result
        return result


def _bind_arguments(call: cst.Call, func: cst.FunctionDef) -> List[Tuple[cst.BaseExpression, Optional[str]]]:
    params = [p.name.value for p in func.params.posonly_params + func.params.params]
    if params and params[0] in ("self", "cls") and isinstance(call.func, cst.Attribute):
        params = params[1:]
    names = set(params) | {p.name.value for p in func.params.kwonly_params}
    out: List[Tuple[cst.BaseExpression, Optional[str]]] = []
    position = 0
    for arg in call.args:
        if arg.star:
            continue
        if arg.keyword is not None:
            out.append((arg.value, arg.keyword.value if arg.keyword.value in names else None))
        else:
            out.append((arg.value, params[position] if position < len(params) else None))
            position += 1
    return out


def _mapping_values(expr: cst.BaseExpression) -> List[Tuple[cst.BaseExpression, Optional[str]]]:
    """(value, key) pairs of a dict display or a dict(...) call with keywords."""
    out: List[Tuple[cst.BaseExpression, Optional[str]]] = []
    if isinstance(expr, cst.Dict):
        for el in expr.elements:
            if isinstance(el, cst.DictElement):
                out.append((el.value, string_value(el.key)))
    elif isinstance(expr, cst.Call) and dotted_name(expr.func) == "dict":
        for a in expr.args:
            if a.keyword is not None:
                out.append((a.value, a.keyword.value))
    return out


def _is_tuple_call(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "tuple"


def _is_list_value(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, (cst.List, cst.ListComp)):
        return True
    if isinstance(expr, cst.Call) and dotted_name(expr.func) in ("list", "sorted"):
        return True
    if isinstance(expr, cst.IfExp):
        return _is_list_value(expr.body) and _is_list_value(expr.orelse)
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
        return _is_list_value(expr.left) and _is_list_value(expr.right)
    return False


def _callee_label(func: cst.BaseExpression) -> str:
    name = dotted_name(func)
    if name is not None:
        return name
    if isinstance(func, cst.Attribute):
        return "." + func.attr.value
    return "a call"


def _code(analysis: TupleFlows, node: cst.CSTNode) -> str:
    text = analysis.module.code_for_node(node)
    return text if len(text) <= 60 else text[:57] + "..."


def tuple_flows(source: SourceFile) -> TupleFlows:
    """The module's tuple flows (``.run()``), computed once per file for every rule that asks."""
    return source.lazy("values:tuple-flows", lambda src: TupleFlows(src, ModuleFacts.of(src)))
