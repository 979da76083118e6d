"""MFO040 deployer-kwargs-assigned: ``self.deployer_kwargs = ...`` inside a ``DeployerImpl`` subclass.

In Metaflow 2.19 ``DeployerImpl.deployer_kwargs`` is a read-only property (it raises
``NotImplementedError``; subclasses override it with a getter), so assigning it on an instance raises
``AttributeError: property 'deployer_kwargs' ... has no setter`` the moment the deployer is constructed.

Design decisions:
- Which classes are ``DeployerImpl`` subclasses is the class model's answer (``mfok_lint.model.classes``),
  shared with MFO041 and MFO042.
- Assignments are not reported when the class (or a same-module base) makes the attribute writable: a
  plain class attribute ``deployer_kwargs = ...`` shadows the property, and a ``@deployer_kwargs.setter``
  gives it a setter.
- Only writes through the method's own first parameter (``self``) are findings; ``setattr(self,
  "deployer_kwargs", ...)`` is the same write. Nested classes are their own scope.
- The fix (safe) renames the target to the backing field, but only when the class defines the property
  as a single ``return self.<field>``: then the getter returns exactly what the assignment stores.
"""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.model.classes import DeployerClass, class_body, decorator_names, deployer_classes
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import dotted_name, string_value


def _returned_self_field(func: cst.FunctionDef) -> Optional[str]:
    """``return self.<field>`` as the only statement (after a docstring) of a property getter."""
    if not isinstance(func.body, cst.IndentedBlock) or not func.params.params:
        return None
    statements = list(func.body.body)
    if statements and _is_docstring(statements[0]):
        statements = statements[1:]
    if len(statements) != 1 or not isinstance(statements[0], cst.SimpleStatementLine):
        return None
    (small,) = statements[0].body if len(statements[0].body) == 1 else (None,)
    self_name = func.params.params[0].name.value
    if isinstance(small, cst.Return) and isinstance(small.value, cst.Attribute):
        value = small.value
        if isinstance(value.value, cst.Name) and value.value.value == self_name and value.attr.value != "deployer_kwargs":
            return value.attr.value
    return None


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _writable(cls: DeployerClass) -> bool:
    for ancestor in cls.lineage():
        member = ancestor.members.get("deployer_kwargs")
        if member is not None and not isinstance(member, cst.FunctionDef):
            return True  # a plain class attribute shadows the base property
        for stmt in class_body(ancestor.node):
            if isinstance(stmt, cst.FunctionDef) and "deployer_kwargs.setter" in decorator_names(stmt):
                return True
    return False


def _backing_field(cls: DeployerClass) -> Optional[str]:
    member = cls.member("deployer_kwargs")
    if isinstance(member, cst.FunctionDef) and "property" in decorator_names(member):
        return _returned_self_field(member)
    return None


class _WriteFinder(cst.CSTVisitor):
    """Writes of ``<self>.deployer_kwargs`` inside one method (nested functions keep the same ``self``)."""

    def __init__(self, self_name: str) -> None:
        self.self_name = self_name
        self.targets: List[cst.Attribute] = []
        self.setattr_calls: List[cst.Call] = []

    def _is_target(self, node: cst.BaseExpression) -> bool:
        return (
            isinstance(node, cst.Attribute)
            and node.attr.value == "deployer_kwargs"
            and isinstance(node.value, cst.Name)
            and node.value.value == self.self_name
        )

    def _collect(self, target: cst.BaseExpression) -> None:
        if self._is_target(target):
            self.targets.append(target)  # type: ignore[arg-type]
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._collect(element.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._collect(t.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._collect(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._collect(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        if dotted_name(node.func) == "setattr" and len(node.args) >= 2:
            first, second = node.args[0].value, node.args[1].value
            if isinstance(first, cst.Name) and first.value == self.self_name and string_value(second) == "deployer_kwargs":
                self.setattr_calls.append(node)


class DeployerKwargsAssigned(Rule):
    needs = frozenset({"cst"})
    triggers = Text(b"deployer_kwargs")

    def check(self, ctx: Context) -> None:
        for cls in deployer_classes(ctx):
            if cls.kind != "DeployerImpl" or _writable(cls):
                continue
            backing = _backing_field(cls)
            for stmt in class_body(cls.node):
                if not isinstance(stmt, cst.FunctionDef) or not stmt.params.params:
                    continue
                if decorator_names(stmt) & {"staticmethod", "classmethod"}:
                    continue
                finder = _WriteFinder(stmt.params.params[0].name.value)
                visiting.visit(stmt.body, finder)
                for target in finder.targets:
                    fix = None
                    if backing is not None:
                        fix = ctx.make_fix(
                            Applicability.SAFE,
                            f"Assign the backing field `self.{backing}` instead",
                            [ctx.edit(target.attr, backing)],
                        )
                    ctx.report(target, fix=fix)
                for call in finder.setattr_calls:
                    ctx.report(call)
