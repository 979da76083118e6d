"""How the extension calls its own CLI through Metaflow's click API, and which ``DeployerImpl`` types it declares.

``get_lower_level_group(api, top_level_kwargs, TYPE, deployer_kwargs)`` returns the click API object of the
extension's group called ``TYPE``; ``.<command>(**kwargs)`` on it checks every keyword against the parameter names
of the click command ``<command>`` of that group and builds ``python flow.py ... TYPE <command> --opt value``.

What is read, per call, in the function around it:
- literal keywords (``.trigger(name=self.name, ...)``);
- the keys of a dict splatted into the call (``.trigger(**trigger_kwargs)``) when the name is a local of the
  function: keys of the dict literal or ``dict(k=...)`` it is bound to, ``trigger_kwargs["k"] = ...`` and
  ``trigger_kwargs.update({...})``/``update(k=...)``; keys popped or deleted are dropped. Keys that come from
  elsewhere (the caller's ``**kwargs``, a computed key) are not known and not listed;
- the group: the literal third argument, else None (the caller then asks the package for the deployer's ``TYPE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import libcst as cst

from mfok_lint.model.classes import DeployerClass, deployer_classes
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import called_name, dotted_name, string_value
from mfok_lint.syntax.source_file import SourceFile

__all__ = ["LowerLevelCall", "lower_level_calls", "deployer_types", "class_string_attribute"]


@dataclass
class LowerLevelCall:
    call: cst.Call  # the ``.<command>(...)`` call
    command: str  # its attribute: the click command's name (``_`` as ``-``, as the click API looks it up)
    group: Optional[str]  # the literal TYPE, when written out
    keywords: List[Tuple[str, cst.CSTNode]]  # (keyword, node to report) for every keyword known to be passed


def _is_lower_level_group(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and called_name(node.func) == "get_lower_level_group"


def _dict_keys(value: cst.BaseExpression) -> Optional[List[Tuple[str, cst.CSTNode]]]:
    if isinstance(value, cst.Dict):
        keys = []
        for element in value.elements:
            if isinstance(element, cst.DictElement):
                key = string_value(element.key)
                if key is not None:
                    keys.append((key, element.key))
        return keys
    if isinstance(value, cst.Call) and dotted_name(value.func) == "dict":
        return [(a.keyword.value, a.keyword) for a in value.args if a.keyword is not None]
    return None


class _FunctionWalk(cst.CSTVisitor):
    """The keys a local dict is known to hold, and the lower-level calls, in one function."""

    def __init__(self) -> None:
        self.calls: List[cst.Call] = []
        self.keys: Dict[str, List[Tuple[str, cst.CSTNode]]] = {}
        self.removed: Dict[str, set] = {}
        self.groups: Dict[str, cst.Call] = {}  # local name -> the get_lower_level_group call it is bound to

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # nested functions are walked on their own

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1:
            return
        target = node.targets[0].target
        if isinstance(target, cst.Name):
            keys = _dict_keys(node.value)
            if keys is not None:
                self.keys.setdefault(target.value, []).extend(keys)
            if _is_lower_level_group(node.value):
                self.groups[target.value] = node.value  # type: ignore[assignment]
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = string_value(target.slice[0].slice.value)
                if key is not None:
                    self.keys.setdefault(target.value.value, []).append((key, target.slice[0].slice.value))

    def visit_Del(self, node: cst.Del) -> None:
        target = node.target
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and len(target.slice) == 1:
            index = target.slice[0].slice
            if isinstance(index, cst.Index):
                key = string_value(index.value)
                if key is not None:
                    self.removed.setdefault(target.value.value, set()).add(key)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        owner = func.value
        if isinstance(owner, cst.Name) and func.attr.value in ("update", "pop"):
            if func.attr.value == "update":
                for arg in node.args:
                    if arg.keyword is not None:
                        self.keys.setdefault(owner.value, []).append((arg.keyword.value, arg.keyword))
                    elif not arg.star:
                        keys = _dict_keys(arg.value)
                        if keys:
                            self.keys.setdefault(owner.value, []).extend(keys)
            elif node.args:
                key = string_value(node.args[0].value)
                if key is not None:
                    self.removed.setdefault(owner.value, set()).add(key)
            return
        if _is_lower_level_group(owner) or (isinstance(owner, cst.Name) and owner.value in self.groups):
            self.calls.append(node)


def _group_literal(call: cst.Call) -> Optional[str]:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if len(positional) >= 3:
        return string_value(positional[2].value)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in ("type", "deployer_type", "TYPE"):
            return string_value(arg.value)
    return None


def _functions(module: cst.Module) -> List[cst.FunctionDef]:
    found: List[cst.FunctionDef] = []

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found.append(node)

    visiting.visit(module, Finder())
    return found


def _build(source: SourceFile) -> List[LowerLevelCall]:
    result: List[LowerLevelCall] = []
    if "get_lower_level_group" not in source.text:
        return result
    for function in _functions(source.module):
        walk = _FunctionWalk()
        visiting.visit(function.body, walk)
        for call in walk.calls:
            func = call.func
            assert isinstance(func, cst.Attribute)
            owner = func.value
            group_call = owner if isinstance(owner, cst.Call) else walk.groups[owner.value]  # type: ignore[union-attr]
            keywords: List[Tuple[str, cst.CSTNode]] = []
            for arg in call.args:
                if arg.keyword is not None:
                    keywords.append((arg.keyword.value, arg.keyword))
                elif arg.star == "**" and isinstance(arg.value, cst.Name):
                    name = arg.value.value
                    removed = walk.removed.get(name, set())
                    keywords.extend(k for k in walk.keys.get(name, []) if k[0] not in removed)
            result.append(LowerLevelCall(call, func.attr.value.replace("_", "-"), _group_literal(group_call), keywords))
    return result


def lower_level_calls(source: SourceFile) -> List[LowerLevelCall]:
    """Every ``get_lower_level_group(...).<command>(...)`` call of the module (memoised per file)."""
    return source.lazy("lower_level_calls", _build)


def class_string_attribute(cls: DeployerClass, name: str) -> Optional[str]:
    """The string a class-level ``NAME = "..."`` (or ``NAME: T = "..."``) binds, through same-module bases."""
    member = cls.member(name)
    if member is None:
        return None
    node = member
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
        node = node.body[0]
    if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
        return string_value(node.value)
    return None


def deployer_types(source: SourceFile) -> List[Tuple[DeployerClass, Optional[str]]]:
    """The module's ``DeployerImpl`` subclasses with their ``TYPE`` (None when not a literal)."""
    return [(cls, class_string_attribute(cls, "TYPE")) for cls in deployer_classes(source) if cls.kind == "DeployerImpl"]
