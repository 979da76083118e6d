"""MFO044 attribute-file-incomplete: the ``--deployer-attribute-file`` JSON lacks keys the deployer reads.

``Deployer.create()`` and ``DeployedFlow.trigger()`` run the extension's CLI with
``--deployer-attribute-file <fifo>`` and read one JSON object back. ``DeployerImpl._create`` takes
``name``, ``flow_name`` and ``metadata`` from it; the trigger side builds its ``TriggeredRun`` from
``pathspec``, ``name`` and ``metadata``. A missing key arrives as ``None`` and fails later and far away
(``Run(None)``, a ``DeployedFlow`` without a name, ``from_deployment`` unable to reconnect).

Design decisions:
- Only writes we can read: ``json.dump(<dict>, f)`` / ``f.write(json.dumps(<dict>))`` inside
  ``with open(deployer_attribute_file, ...) as f``, and ``<Path or open>(deployer_attribute_file)
  .write(json.dumps(<dict>))`` / ``.write_text(...)``. The dict is a literal (``{...}`` or ``dict(k=...)``)
  with string keys and no ``**`` unpacking, directly or through a local name bound once to such a literal
  and not touched again before the write. Anything else (a dict built in steps, from a helper) is skipped.
- The command is ``create`` or ``trigger``, taken from the click command name (``.command("create")``,
  ``name="trigger"``) or else the enclosing function's name; writes in other functions are skipped.
"""

from __future__ import annotations

from typing import List, Optional, Set, Tuple

import libcst as cst

from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import dotted_name, string_value
from mfok_lint.syntax.statements import statements

REQUIRED_KEYS = {
    "create": ("name", "flow_name", "metadata"),
    "trigger": ("pathspec", "name", "metadata"),
}
_ATTRIBUTE_FILE = "deployer_attribute_file"


def _is_attribute_file(expr: cst.BaseExpression) -> bool:
    name = dotted_name(expr)
    return bool(name) and name.rsplit(".", 1)[-1] == _ATTRIBUTE_FILE  # type: ignore[union-attr]


def _command_name(func: cst.FunctionDef) -> str:
    for decorator in func.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call):
            continue
        if (dotted_name(call.func) or "").rsplit(".", 1)[-1] != "command":
            continue
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value == "name":
                value = string_value(arg.value)
                if value:
                    return value
    return func.name.value


def _literal_keys(expr: cst.BaseExpression) -> Optional[Set[str]]:
    if isinstance(expr, cst.Dict):
        keys: Set[str] = set()
        for element in expr.elements:
            if not isinstance(element, cst.DictElement):
                return None  # ** unpacking
            key = string_value(element.key)
            if key is None:
                return None
            keys.add(key)
        return keys
    if isinstance(expr, cst.Call) and dotted_name(expr.func) == "dict":
        if any(arg.keyword is None for arg in expr.args):
            return None
        return {arg.keyword.value for arg in expr.args if arg.keyword is not None}
    return None


def _json_payload(call: cst.Call, dumps_only: bool) -> Optional[cst.BaseExpression]:
    name = dotted_name(call.func) or ""
    wanted = ("json.dumps", "dumps") if dumps_only else ("json.dump", "dump")
    if name in wanted and call.args and call.args[0].keyword is None:
        return call.args[0].value
    return None


class _Writes(cst.CSTVisitor):
    """(payload expression, reported node) for each attribute-file write in one function."""

    def __init__(self) -> None:
        self.handles: Set[str] = set()
        self.writes: List[Tuple[cst.BaseExpression, cst.CSTNode]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            call = item.item
            if (
                isinstance(call, cst.Call)
                and dotted_name(call.func) in ("open", "io.open")
                and call.args
                and _is_attribute_file(call.args[0].value)
                and item.asname is not None
                and isinstance(item.asname.name, cst.Name)
            ):
                self.handles.add(item.asname.name.value)

    def visit_Call(self, node: cst.Call) -> None:
        payload = _json_payload(node, dumps_only=False)
        if payload is not None and len(node.args) >= 2 and dotted_name(node.args[1].value) in self.handles:
            self.writes.append((payload, node))
            return
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("write", "write_text") and node.args:
            receiver = node.func.value
            to_file = dotted_name(receiver) in self.handles or (
                isinstance(receiver, cst.Call) and receiver.args and _is_attribute_file(receiver.args[0].value)
            )
            inner = node.args[0].value
            if to_file and isinstance(inner, cst.Call):
                payload = _json_payload(inner, dumps_only=True)
                if payload is not None:
                    self.writes.append((payload, node))


class _NameUses(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.bindings: List[cst.BaseExpression] = []
        self.other_uses = 0

    def visit_Assign(self, node: cst.Assign) -> Optional[bool]:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name) and node.targets[0].target.value == self.name:
            self.bindings.append(node.value)
            visiting.visit(node.value, self)
            return False
        return None

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.other_uses += 1


def _resolve_payload(func: cst.FunctionDef, payload: cst.BaseExpression) -> Optional[Set[str]]:
    keys = _literal_keys(payload)
    if keys is not None or not isinstance(payload, cst.Name):
        return keys
    uses = _NameUses(payload.value)
    visiting.visit(func.body, uses)
    # exactly one binding, and the only other occurrence is the write itself
    if len(uses.bindings) == 1 and uses.other_uses == 1:
        return _literal_keys(uses.bindings[0])
    return None


class AttributeFileIncomplete(Rule):
    needs = frozenset({"cst"})
    triggers = Text(b"deployer_attribute_file")

    def check(self, ctx: Context) -> None:
        # Functions are statements: following statement bodies (``syntax.statements``) meets every one, nested ones
        # included, in the order a full visitor walk would, without visiting each expression node.
        for node in statements(ctx.module):
            if not isinstance(node, cst.FunctionDef):
                continue
            command = _command_name(node)
            required = REQUIRED_KEYS.get(command)
            if required is None:
                continue
            writes = _Writes()
            visiting.visit(node.body, writes)
            for payload, reported in writes.writes:
                keys = _resolve_payload(node, payload)
                if keys is None:
                    continue
                missing = [k for k in required if k not in keys]
                if missing:
                    listed = ", ".join(f'"{k}"' for k in missing)
                    ctx.report(
                        reported,
                        message=f"The `{command}` attribute file written here lacks {listed}, which the deployer reads",
                    )
