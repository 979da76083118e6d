"""MFO049 step-option-undeclared: a step decorator sends its step through the extension's ``<group> step`` command
with an option that command does not declare.

Facts (every Metaflow release with ``runtime_step_cli``):
- Metaflow's runtime builds each task's command from a ``CLIArgs`` (``runtime.py``): a decorator's
  ``runtime_step_cli(cli_args, ...)`` may redirect the task to ``cli_args.commands = ["<group>", "step"]`` and
  add options to ``cli_args.command_options``; ``util.dict_to_cli_options`` turns every key whose value is not
  ``None``/``False`` into ``--<key with _ as ->``.
- ``CLIArgs`` already holds the ``step`` options the runtime sends (``core.metaflow_contract.RUNTIME_STEP_OPTIONS``):
  ``run-id``, ``task-id``, ``input-paths``, ``retry-count``, ``max-user-code-retries`` and ``namespace``
  (``get_namespace() or ""``, never ``None``) reach every task; ``split-index`` foreach tasks, ``tag`` runs with
  tags; ``ubf-context`` (2.3.1 on) is ``None`` except for ``@parallel`` and unbounded-foreach tasks.
- click rejects an option the command does not declare (``No such option``) unless the command's
  ``context_settings`` ignore unknown options, so the task fails before the step starts.

Decisions:
- Read in ``runtime_step_cli`` methods whose ``cli_args.commands`` is set to a literal list ending in ``step``
  under a group (Metaflow's own ``["step"]`` is not a redirect). The options are the runtime's (unless the method
  replaces ``command_options`` wholesale), literal keys set or ``update``-d, and the decorator's attributes when
  ``update(self.attributes)`` (or a comprehension over ``self.attributes.items()`` excluding literal keys) sends
  them: their names are the keys of the class's ``defaults`` dict literal (``**Base.defaults`` resolved in the
  module). Keys the code computes, values that are literally ``None``/``False`` and keys deleted or popped are
  left out, and so are attributes the class pops or deletes in any method; ``decospecs``, ``config``,
  ``config_value`` and ``local_config_file``, which ``dict_to_cli_options`` rewrites, too. ``ubf-context`` is not
  required: a backend that does not run ``@parallel`` steps never receives it (Metaflow's own ``kubernetes step``
  did not declare it before it supported them).
- The ``<group> step`` command is looked up among the package's click commands; it is judged only when every
  decorator on it is understood and its ``context_settings`` keep click's check. A command outside the package
  (Metaflow's ``batch step``) is never judged.
- Reported where the option is added (the key, or the ``update`` call for attributes); the runtime's own options
  at the ``commands`` assignment.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from mfok_lint.core.metaflow_contract import runtime_step_options
from mfok_lint.model.classes import DeployerClass, deployer_classes
from mfok_lint.model.click_commands import commands_named
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import dotted_name, string_value

# The runtime's own step options that reach the command with a value, and when. ``ubf-context`` is left out: it is
# ``None`` (dropped) except for ``@parallel`` and unbounded-foreach tasks, which a backend may not support at all.
_RUNTIME_SENT = {
    "run-id": "every task",
    "task-id": "every task",
    "input-paths": "every task",
    "retry-count": "every task",
    "max-user-code-retries": "every task",
    "namespace": "every task",
    "split-index": "foreach tasks",
    "tag": "runs with tags",
}
_REWRITTEN = frozenset({"decospecs", "config", "config_value", "config-value", "local_config_file"})


def _literal_strings(node: cst.BaseExpression) -> Optional[Set[str]]:
    if isinstance(node, (cst.Set, cst.List, cst.Tuple)):
        out: Set[str] = set()
        for element in node.elements:
            value = string_value(element.value)
            if value is None:
                return None
            out.add(value)
        return out
    return None


def _defaults(cls: DeployerClass, by_name: Dict[str, DeployerClass], depth: int = 0) -> Optional[Dict[str, cst.BaseExpression]]:
    """The keys of the decorator's ``defaults`` with their default values, or None when not readable."""
    if depth > 5:
        return None
    member = cls.member("defaults")
    if member is None:
        return None
    value = member.value if isinstance(member, (cst.Assign, cst.AnnAssign)) else None
    if not isinstance(value, cst.Dict):
        return None
    out: Dict[str, cst.BaseExpression] = {}
    for element in value.elements:
        if isinstance(element, cst.DictElement):
            key = string_value(element.key)
            if key is None:
                return None
            out[key] = element.value
        else:  # ``**Base.defaults``
            name = dotted_name(element.value) or ""
            if not name.endswith(".defaults") or name.count(".") != 1:
                return None
            base = by_name.get(name.split(".", 1)[0])
            inherited = _defaults(base, by_name, depth + 1) if base is not None else None
            if inherited is None:
                return None
            out.update(inherited)
    return out


def _is_none_or_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in ("None", "False")


class _Collect(cst.CSTVisitor):
    """What one ``runtime_step_cli`` does to ``cli_args``."""

    def __init__(self, cli: str) -> None:
        self.cli = cli
        self.redirect: Optional[Tuple[str, str, cst.CSTNode]] = None  # (group, command, node)
        self.keys: List[Tuple[str, cst.CSTNode]] = []
        self.attribute_updates: List[Tuple[cst.Call, Set[str]]] = []  # (call, excluded attribute names)
        self.replaced = False
        self.removed: Set[str] = set()
        self.literal_sets: Dict[str, Set[str]] = {}

    def _is_options(self, node: cst.BaseExpression) -> bool:
        return dotted_name(node) == f"{self.cli}.command_options"

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            t = target.target
            if dotted_name(t) == f"{self.cli}.commands" and isinstance(node.value, cst.List):
                words = [string_value(e.value) for e in node.value.elements]
                if len(words) >= 2 and all(w is not None for w in words):
                    self.redirect = (words[0], words[-1], node)  # type: ignore[assignment]
            elif self._is_options(t):
                self.replaced = True
                if isinstance(node.value, cst.Dict):
                    self._dict_keys(node.value)
            elif isinstance(t, cst.Subscript) and self._is_options(t.value) and len(t.slice) == 1:
                index = t.slice[0].slice
                if isinstance(index, cst.Index):
                    key = string_value(index.value)
                    if key is not None and not _is_none_or_false(node.value):
                        self.keys.append((key, index.value))
            elif isinstance(t, cst.Name):
                strings = _literal_strings(node.value)
                if strings is not None:
                    self.literal_sets[t.value] = strings

    def _dict_keys(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = string_value(element.key)
                if key is not None and not _is_none_or_false(element.value):
                    self.keys.append((key, element.key))

    def visit_Del(self, node: cst.Del) -> None:
        t = node.target
        if isinstance(t, cst.Subscript) and self._is_options(t.value) and len(t.slice) == 1:
            index = t.slice[0].slice
            if isinstance(index, cst.Index):
                key = string_value(index.value)
                if key is not None:
                    self.removed.add(key)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and self._is_options(func.value)):
            return
        if func.attr.value == "pop" and node.args:
            key = string_value(node.args[0].value)
            if key is not None:
                self.removed.add(key)
            return
        if func.attr.value != "update":
            return
        for arg in node.args:
            if arg.keyword is not None:
                if not _is_none_or_false(arg.value):
                    self.keys.append((arg.keyword.value, arg.keyword))
                continue
            if arg.star:
                continue
            value = arg.value
            if isinstance(value, cst.Dict):
                self._dict_keys(value)
            elif dotted_name(value) == "self.attributes":
                self.attribute_updates.append((node, set()))
            elif isinstance(value, cst.DictComp):
                excluded = self._attribute_comprehension(value)
                if excluded is not None:
                    self.attribute_updates.append((node, excluded))

    def _attribute_comprehension(self, comp: cst.DictComp) -> Optional[Set[str]]:
        """The attribute names a ``{k: v for k, v in self.attributes.items() if ...}`` leaves out, or None."""
        loop = comp.for_in
        if loop.inner_for_in is not None:
            return None
        iterable = loop.iter
        if not (isinstance(iterable, cst.Call) and dotted_name(iterable.func) == "self.attributes.items"):
            return None
        target = loop.target
        if not (isinstance(target, cst.Tuple) and len(target.elements) == 2):
            return None
        key_name = target.elements[0].value
        if not (isinstance(key_name, cst.Name) and isinstance(comp.key, cst.Name) and comp.key.value == key_name.value):
            return None
        excluded: Set[str] = set()
        for condition in loop.ifs:
            parts = _conjuncts(condition.test)
            for part in parts:
                verdict = self._exclusion(part, key_name.value)
                if verdict is None:
                    return None
                excluded |= verdict
        return excluded

    def _exclusion(self, test: cst.BaseExpression, key: str) -> Optional[Set[str]]:
        """What a condition drops: a set of keys, empty when it does not mention the key, None when unknown."""
        names = {n.value for n in _names(test)}
        if key not in names:
            return set()
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            left, comparison = test.left, test.comparisons[0]
            if isinstance(left, cst.Name) and left.value == key:
                right = comparison.comparator
                if isinstance(comparison.operator, cst.NotIn):
                    strings = _literal_strings(right)
                    if strings is None and isinstance(right, cst.Name):
                        strings = self.literal_sets.get(right.value)
                    return strings
                if isinstance(comparison.operator, cst.NotEqual):
                    value = string_value(right)
                    return {value} if value is not None else None
        return None


def _conjuncts(node: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.And):
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [node]


def _names(node: cst.CSTNode) -> List[cst.Name]:
    found: List[cst.Name] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.append(n)

    visiting.visit(node, Finder())
    return found


def _attributes_removed(cls: DeployerClass) -> Set[str]:
    """Attributes the class drops before the runtime asks for its command (``self.attributes.pop("k")``,
    ``del self.attributes["k"]``) in any of its methods."""
    removed: Set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if dotted_name(node.func) == "self.attributes.pop" and node.args:
                key = string_value(node.args[0].value)
                if key is not None:
                    removed.add(key)

        def visit_Del(self, node: cst.Del) -> None:
            t = node.target
            if isinstance(t, cst.Subscript) and dotted_name(t.value) == "self.attributes" and len(t.slice) == 1:
                index = t.slice[0].slice
                if isinstance(index, cst.Index):
                    key = string_value(index.value)
                    if key is not None:
                        removed.add(key)

    for ancestor in cls.lineage():
        visiting.visit(ancestor.node, Finder())
    return removed


def _option(key: str) -> str:
    return "--" + key.replace("_", "-")


class StepOptionUndeclared(Rule):
    needs = frozenset({"package"})
    triggers = Text(b"runtime_step_cli") & Text(b"command_options")

    def check(self, ctx) -> None:
        classes = deployer_classes(ctx)
        by_name = {c.name: c for c in classes}
        for cls in classes:
            method = cls.members.get("runtime_step_cli")
            if not isinstance(method, cst.FunctionDef):
                continue
            params = [p.name.value for p in method.params.params]
            if len(params) < 2:
                continue
            collected = _Collect(params[1])
            visiting.visit(method.body, collected)
            if collected.redirect is None:
                continue
            self._check(ctx, cls, collected, by_name)

    def _check(self, ctx, cls: DeployerClass, collected: _Collect, by_name) -> None:
        group, command_name, anchor = collected.redirect  # type: ignore[misc]
        sources = ctx.package_code.sources(containing=(command_name.encode(),))
        commands = commands_named(sources, command_name, group)
        if len(commands) != 1:
            return
        command = commands[0]
        if not command.complete or command.accepts_unknown:
            return
        declared = set(command.option_strings())
        where = f"`{group} {command_name}`"

        def undeclared(key: str) -> bool:
            return key not in _REWRITTEN and key not in collected.removed and _option(key) not in declared

        if not collected.replaced:
            runtime = runtime_step_options(ctx.metaflow.oldest) & runtime_step_options(ctx.metaflow.newest)
            added = {key for key, _ in collected.keys}
            missing = [k for k in _RUNTIME_SENT if k in runtime and undeclared(k) and k not in added]
            if missing:
                shown = ", ".join(f"`{_option(k)}` ({_RUNTIME_SENT[k]})" for k in missing)
                ctx.report(
                    anchor,
                    message=f"{where} does not declare {shown}, which Metaflow's runtime passes to the tasks it "
                    "redirects there: click rejects the option and the task fails before the step starts",
                )
        seen: Set[str] = set()
        for key, node in collected.keys:
            if key in seen or not undeclared(key):
                continue
            seen.add(key)
            ctx.report(
                node,
                message=f"`{_option(key)}` is added to the {where} command line, but {where} does not declare it: "
                "click rejects the option and the task fails before the step starts",
            )
        if collected.attribute_updates:
            defaults = _defaults(cls, by_name)
            if defaults is None:
                return
            dropped = _attributes_removed(cls)
            defaults = {k: v for k, v in defaults.items() if k not in dropped}
            for call, excluded in collected.attribute_updates:
                missing = [k for k in defaults if k not in excluded and k not in seen and undeclared(k)]
                if not missing:
                    continue
                shown = ", ".join(f"`{_option(k)}`" for k in missing)
                ctx.report(
                    call,
                    message=f"the decorator's attributes become {where} options, but {where} does not declare {shown}: "
                    "click rejects them whenever they are set",
                )
