"""MFO047 from-deployment-identifier-mismatch: ``from_deployment`` parses its identifier as JSON while
the package's ``create`` command writes a plain deployment name, so the name ``create`` reported cannot be
handed back.

Facts (Metaflow's source, 2.12.29 to 2.19.39):
- ``DeployerImpl._create`` (``runner/deployer_impl.py``) reads ``name`` from the JSON the ``create`` command
  writes to ``--deployer-attribute-file``; ``DeployedFlow.__init__`` (``runner/deployer.py``) exposes it as
  ``deployed_flow.name``. The base ``DeployedFlow`` has no ``id``: ``name`` is the identifier Metaflow's objects
  carry.
- ``DeployedFlowMeta`` hands the user's identifier unchanged to ``from_deployment(identifier, metadata)``.
  Metaflow's own deployer takes the name ``create`` wrote: ``ArgoWorkflowsDeployedFlow.from_deployment`` looks
  ``identifier`` up as the workflow template's name (``client.get_workflow_template(identifier)``, then
  ``d.name = identifier``), the name its ``create`` wrote as ``"name": obj.workflow_name``
  (``plugins/argo/argo_workflows_cli.py``, from 2.12.29 to 2.19.39); Step Functions does not implement
  ``from_deployment``.
- So ``from_deployment(deployed_flow.name)`` must work. A ``from_deployment`` that ``json.loads`` the identifier
  accepts only an extension's own ``id`` property (a JSON object), and raises ``JSONDecodeError`` on the name:
  the compliance suite's FROM_DEPLOYMENT test failed exactly so on metaflow-prefect 0.3.7
  (``docs/compliance-results.md``).

Design decisions (the analysis follows values across two modules; the rule is stable since its 14 distinct
findings on every release of five extension families were each read and true, docs/ecosystem-new-rules.md):
- ``from_deployment`` is a method of a class whose bases name ``DeployedFlow``; it is reported when it calls
  ``json.loads``/``loads`` on its identifier parameter unconditionally: not inside a ``try`` that catches
  ``ValueError``/``JSONDecodeError``/``TypeError``/``Exception`` (or everything) with a handler that does not end
  in ``raise`` (re-raising as a clearer ``ValueError`` is still no way through), and not after or under an ``if``
  that tests the identifier (``identifier.startswith("{")``). Either guard is a fallback for plain names.
- ``create`` is the click command named ``create`` (``.command("create")``, ``name="create"``, or a command
  function ``create``) in a module of the same directory that writes ``json.dump({...}, f)`` or
  ``f.write(json.dumps({...}))`` to ``open(deployer_attribute_file)`` (MFO044's shapes). Its ``"name"`` value must
  be established *plain*, i.e. never JSON-object text: a string literal or f-string/``%``/``.format`` template
  not starting with ``{``; ``flow.name``/``graph.name``; a click option of the command; string methods of a
  plain value; ``a or b`` and ``a if c else b`` of plain values; a local name or ``obj.<attr>`` whose every
  assignment in the module is plain; a call to a function of the module whose every ``return`` is plain
  (a returned parameter stands for the argument passed). ``json.dumps(...)`` is JSON; anything else is
  unknown, and one unknown or JSON write keeps the rule silent.
- Not reported: identifier shapes other than JSON. A name that ``from_deployment`` splits on dots, or looks up
  after sanitising, was not found in any release of the corpus in a form that loses the deployment: the
  extensions that do it (mage, windmill) either write an already-sanitised name or take names with ``/``
  as paths, and deciding the round trip needs the sanitiser's exact effect on every name, which the linter
  cannot establish.
- Reported on the ``json.loads`` call. No fix: accepting the name means looking the deployment up by it, which
  is the scheduler client's business.
"""

from __future__ import annotations

import ast
import os
from typing import Dict, Iterable, List, Optional, Set, Tuple

from mfok_lint.model.generated_code import char_offset
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import pyast

_CATCHES_DECODE_ERRORS = {"ValueError", "JSONDecodeError", "TypeError", "Exception", "BaseException"}
_STR_METHODS = {
    "lower", "upper", "replace", "strip", "lstrip", "rstrip", "title", "casefold", "removeprefix", "removesuffix",
    "capitalize", "swapcase", "zfill", "ljust", "rjust", "center", "expandtabs",
}  # fmt: skip
_PLAIN, _JSON, _UNKNOWN = "plain", "json", "unknown"
_ATTRIBUTE_FILE = "deployer_attribute_file"


class FromDeploymentIdentifierMismatch(Rule):
    needs = frozenset({"ast"})
    triggers = Text(b"from_deployment") & Text(b"loads")

    def check(self, ctx: Context) -> None:
        tree = ctx.ast
        if tree is None:
            return
        loads = list(_unconditional_loads(tree))
        if not loads:
            return
        names = _create_names(ctx)
        if not names or any(kind != _PLAIN for kind, _where in names):
            return
        where = ", ".join(sorted({w for _kind, w in names}))
        for call in loads:
            ctx.report(
                _locate(ctx, call),
                message=(
                    "`from_deployment` parses its identifier as JSON, but `create` writes a plain deployment "
                    f"name ({where}): `from_deployment(deployed_flow.name)`, the identifier Metaflow's deployer "
                    "objects carry and hand back, raises `JSONDecodeError`; accept the name and look the "
                    "deployment up by it"
                ),
            )


# ---- from_deployment ----------------------------------------------------------------------------------------


def _is_deployed_flow_class(node: ast.ClassDef) -> bool:
    return any("DeployedFlow" in ast.unparse(base) for base in node.bases)


def _unconditional_loads(tree: ast.Module) -> Iterable[ast.Call]:
    for cls in ast.walk(tree):
        if not isinstance(cls, ast.ClassDef) or not _is_deployed_flow_class(cls):
            continue
        for fn in cls.body:
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.name != "from_deployment":
                continue
            params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
            if len(params) < 2:
                continue
            identifier = params[1]
            yield from _loads_of(fn, identifier)


def _loads_of(fn: ast.AST, identifier: str) -> Iterable[ast.Call]:
    """``json.loads(identifier)`` calls of ``fn`` that no guard shields."""
    parents: Dict[int, ast.AST] = {}
    for node in ast.walk(fn):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    tests_identifier = [
        node for node in ast.walk(fn)
        if isinstance(node, (ast.If, ast.IfExp, ast.While)) and _mentions(node.test, identifier)
    ]  # fmt: skip
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Call) and _is_json_loads(node) and node.args):
            continue
        if not (isinstance(node.args[0], ast.Name) and node.args[0].id == identifier):
            continue
        if any(guard.lineno <= node.lineno for guard in tests_identifier):
            continue  # a branch on the identifier's shape comes first: plain names have a way through
        if _inside_catching_try(node, parents):
            continue
        yield node


def _is_json_loads(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr == "loads" and ast.unparse(func.value) in ("json", "_json", "simplejson")
    return isinstance(func, ast.Name) and func.id == "loads"


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _inside_catching_try(node: ast.AST, parents: Dict[int, ast.AST]) -> bool:
    child, current = node, parents.get(id(node))
    while current is not None:
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                if handler.body and isinstance(handler.body[-1], ast.Raise):
                    continue  # re-raised as another error: still no way through for a plain name
                if handler.type is None:
                    return True
                caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                if any(ast.unparse(c).rsplit(".", 1)[-1] in _CATCHES_DECODE_ERRORS for c in caught):
                    return True
        child, current = current, parents.get(id(current))
    return False


# ---- what create writes ---------------------------------------------------------------------------------------


def _create_names(ctx: Context) -> List[Tuple[str, str]]:
    """(plain/json/unknown, "file:line") of every ``"name"`` the package's ``create`` writes to the attribute file."""
    directory = os.path.dirname(ctx.path) or "."
    found: List[Tuple[str, str]] = []
    # The module in hand is part of its package even when it is not on disk (an editor's buffer).
    for entry in sorted(set(ctx.list_dir(directory)) | {os.path.basename(ctx.path)}):
        if not entry.endswith(".py"):
            continue
        path = os.path.join(directory, entry)
        text = ctx.text if os.path.basename(ctx.path) == entry else ctx.read_text(path)
        if not text or _ATTRIBUTE_FILE not in text:
            continue
        try:
            tree = pyast.compile_tree(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        module = _Module(tree)
        for fn in module.functions:
            if _command_name(fn) != "create":
                continue
            for value in _attribute_file_names(fn):
                found.append((module.kind(value, fn, depth=0), f"`{entry}:{value.lineno}`"))
    return found


def _command_name(fn: ast.AST) -> Optional[str]:
    for decorator in fn.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        if not (isinstance(decorator.func, ast.Attribute) and decorator.func.attr == "command"):
            continue
        for arg in list(decorator.args[:1]) + [k.value for k in decorator.keywords if k.arg == "name"]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                return arg.value
        return fn.name
    return None


def _attribute_file_names(fn: ast.AST) -> Iterable[ast.AST]:
    """The ``"name"`` values of the JSON objects ``fn`` writes to ``open(deployer_attribute_file)``."""
    handles: Set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                call = item.context_expr
                if (
                    isinstance(call, ast.Call)
                    and ast.unparse(call.func) in ("open", "io.open")
                    and call.args
                    and ast.unparse(call.args[0]).rsplit(".", 1)[-1] == _ATTRIBUTE_FILE
                    and isinstance(item.optional_vars, ast.Name)
                ):
                    handles.add(item.optional_vars.id)
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        payload = None
        name = ast.unparse(node.func)
        if name in ("json.dump", "dump") and len(node.args) >= 2 and ast.unparse(node.args[1]) in handles:
            payload = node.args[0]
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "write" and node.args:
            inner = node.args[0]
            if ast.unparse(node.func.value) in handles and isinstance(inner, ast.Call):
                if ast.unparse(inner.func) in ("json.dumps", "dumps") and inner.args:
                    payload = inner.args[0]
        if isinstance(payload, ast.Dict):
            for key, value in zip(payload.keys, payload.values):
                if isinstance(key, ast.Constant) and key.value == "name":
                    yield value


class _Module:
    """Values of one module, classified as plain text, JSON text or unknown."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        self.by_name: Dict[str, List[ast.AST]] = {}
        for fn in self.functions:
            self.by_name.setdefault(fn.name, []).append(fn)
        self.attribute_values: Dict[str, List[ast.AST]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute):
                        self.attribute_values.setdefault(target.attr, []).append(node.value)

    def kind(self, node: ast.AST, fn: ast.AST, depth: int, bindings: Optional[Dict[str, Tuple[ast.AST, ast.AST]]] = None) -> str:
        if depth > 6:
            return _UNKNOWN
        bindings = bindings or {}
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return _JSON if node.value.lstrip().startswith("{") else _PLAIN
        if isinstance(node, ast.JoinedStr):
            if not node.values:
                return _PLAIN
            first = node.values[0]
            if isinstance(first, ast.FormattedValue):
                return self.kind(first.value, fn, depth + 1, bindings)
            return self.kind(first, fn, depth + 1, bindings)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
            return self.kind(node.left, fn, depth + 1, bindings)
        if isinstance(node, ast.BoolOp):
            return _all(self.kind(v, fn, depth + 1, bindings) for v in node.values)
        if isinstance(node, ast.IfExp):
            return _all(self.kind(v, fn, depth + 1, bindings) for v in (node.body, node.orelse))
        if isinstance(node, ast.Attribute):
            if node.attr == "name" and ast.unparse(node.value).rsplit(".", 1)[-1] in ("flow", "graph"):
                return _PLAIN  # a flow's name is its class name
            values = self.attribute_values.get(node.attr, [])
            if not values:
                return _UNKNOWN
            return _all(self.kind(v, self._function_of(v), depth + 1) for v in values)
        if isinstance(node, ast.Call):
            return self._call_kind(node, fn, depth, bindings)
        if isinstance(node, ast.Name):
            if node.id in bindings:
                argument, caller = bindings[node.id]
                return self.kind(argument, caller, depth + 1)
            if node.id in _parameters(fn):
                return _PLAIN if _is_click_parameter(fn, node.id) else _UNKNOWN
            values = [v for v in _assignments(fn, node.id)]
            if not values:
                return _UNKNOWN
            return _all(self.kind(v, fn, depth + 1, bindings) for v in values)
        return _UNKNOWN

    def _call_kind(self, call: ast.Call, fn: ast.AST, depth: int, bindings) -> str:
        func = call.func
        spelled = ast.unparse(func)
        if spelled in ("json.dumps", "dumps"):
            return _JSON
        if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS:
            return self.kind(func.value, fn, depth + 1, bindings)
        if isinstance(func, ast.Attribute) and func.attr == "format":
            return self.kind(func.value, fn, depth + 1, bindings)
        if spelled == "str" and call.args:
            return self.kind(call.args[0], fn, depth + 1, bindings)
        if isinstance(func, ast.Name) and func.id in self.by_name:
            kinds = []
            for callee in self.by_name[func.id]:
                params = _parameters(callee)
                bound = {p: (a, fn) for p, a in zip(params, call.args)}
                bound.update({k.arg: (k.value, fn) for k in call.keywords if k.arg})
                returns = [r.value for r in ast.walk(callee) if isinstance(r, ast.Return) and r.value is not None]
                if not returns:
                    return _UNKNOWN
                kinds.extend(self.kind(r, callee, depth + 1, bound) for r in returns)
            return _all(kinds)
        return _UNKNOWN

    def _function_of(self, node: ast.AST) -> ast.AST:
        """The innermost function holding ``node`` (the module for module-level code)."""
        holding = [f for f in self.functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
        return max(holding, key=lambda f: f.lineno) if holding else self.tree


def _all(kinds: Iterable[str]) -> str:
    seen = set(kinds)
    if not seen:
        return _UNKNOWN
    if _JSON in seen:
        return _JSON
    return _PLAIN if seen == {_PLAIN} else _UNKNOWN


def _parameters(fn: ast.AST) -> List[str]:
    args = getattr(fn, "args", None)
    if args is None:
        return []
    return [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]


def _is_click_parameter(fn: ast.AST, name: str) -> bool:
    """A parameter filled by a click option or argument of the command: a string the user typed."""
    for decorator in getattr(fn, "decorator_list", []):
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            continue
        if decorator.func.attr not in ("option", "argument"):
            continue
        declared = [a.value for a in decorator.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        for spelled in declared:
            if spelled.lstrip("-").replace("-", "_") == name or spelled == name:
                return True
    return False


def _assignments(fn: ast.AST, name: str) -> List[ast.AST]:
    values = []
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            values.append(node.value)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name) and node.target.id == name:
            if node.value is not None:
                values.append(node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.withitem, ast.NamedExpr)):
            target = getattr(node, "target", None) or getattr(node, "optional_vars", None)
            if target is not None and _mentions(target, name):
                values.append(ast.Constant(value=None))  # bound by a loop or a context: not a value we can read
    return values


def _locate(ctx: Context, node: ast.AST) -> Tuple[int, int]:
    text = ctx.text

    def col(lineno: int, col_bytes: int) -> int:
        return char_offset(text, lineno, col_bytes) - char_offset(text, lineno, 0)

    start = ctx.locator.offset(node.lineno, 1) + col(node.lineno, node.col_offset)
    end = ctx.locator.offset(node.end_lineno, 1) + col(node.end_lineno, node.end_col_offset)
    return start, end
