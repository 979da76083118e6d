"""The deployer class model: the file's ``DeployerImpl`` / ``DeployedFlow`` / ``TriggeredRun`` subclasses.

A class counts as such a subclass when one of its bases names the class, directly or dotted
(``deployer_impl.DeployerImpl``), after resolving the module's import aliases, or when it inherits from such a
class defined in the same module. Computed once per file (``deployer_classes(ctx)``) for every rule that asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Set

import libcst as cst

from mfok_lint.syntax.names import class_named, dotted_name, import_aliases, resolve_name
from mfok_lint.syntax.source_file import SourceFile

DEPLOYER_BASES = ("DeployerImpl", "DeployedFlow", "TriggeredRun")


@dataclass
class DeployerClass:
    """A class of the module and what it (with its same-module ancestors) defines at class level."""

    node: cst.ClassDef
    kind: Optional[str]  # one of DEPLOYER_BASES, or None for a plain class of the module
    members: Dict[str, cst.CSTNode] = field(default_factory=dict)  # own class-level names
    local_bases: List["DeployerClass"] = field(default_factory=list)
    unknown_bases: bool = False  # a base we cannot see into (imported from elsewhere, computed)
    subclassed_here: bool = False

    @property
    def name(self) -> str:
        return self.node.name.value

    def lineage(self) -> Iterator["DeployerClass"]:
        seen: Set[int] = set()
        stack = [self]
        while stack:
            cls = stack.pop(0)
            if id(cls) in seen:
                continue
            seen.add(id(cls))
            yield cls
            stack.extend(cls.local_bases)

    def member(self, name: str) -> Optional[cst.CSTNode]:
        for cls in self.lineage():
            if name in cls.members:
                return cls.members[name]
        return None

    def sees_all_bases(self) -> bool:
        return not any(cls.unknown_bases for cls in self.lineage())


def _class_level_members(node: cst.ClassDef) -> Dict[str, cst.CSTNode]:
    members: Dict[str, cst.CSTNode] = {}

    def walk(body) -> None:
        for stmt in body:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                members.setdefault(stmt.name.value, stmt)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    targets = []
                    if isinstance(small, cst.Assign):
                        targets = [t.target for t in small.targets]
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        targets = [small.target]
                    for target in targets:
                        if isinstance(target, cst.Name):
                            members.setdefault(target.value, small)
            elif isinstance(stmt, cst.If):
                walk(stmt.body.body)
                if stmt.orelse is not None:
                    walk(stmt.orelse.body.body if isinstance(stmt.orelse, cst.If) else stmt.orelse.body.body)
            elif isinstance(stmt, (cst.Try, cst.TryStar)):
                walk(stmt.body.body)
                for handler in stmt.handlers:
                    walk(handler.body.body)

    if isinstance(node.body, cst.IndentedBlock):
        walk(node.body.body)
    return members


def _build_classes(ctx: SourceFile) -> List[DeployerClass]:
    aliases = import_aliases(ctx.module, nested=False)
    top_level = [s for s in ctx.module.body if isinstance(s, cst.ClassDef)]
    by_name: Dict[str, DeployerClass] = {}
    ordered: List[DeployerClass] = []
    for node in top_level:
        cls = DeployerClass(node, None, _class_level_members(node))
        ordered.append(cls)
        by_name[cls.name] = cls
    for cls in ordered:
        for arg in cls.node.bases:
            target = resolve_name(arg.value, aliases)
            local = by_name.get(dotted_name(arg.value) or "")
            if local is not None and local is not cls:
                cls.local_bases.append(local)
                local.subclassed_here = True
                continue
            kind = class_named(arg.value, aliases, DEPLOYER_BASES)
            if kind is not None:
                cls.kind = cls.kind or kind
            elif target not in ("object", "abc.ABC", "ABC", "typing.Generic", "Generic"):
                cls.unknown_bases = True
        for kw in cls.node.keywords:
            if kw.keyword.value == "metaclass":
                cls.unknown_bases = True
    for cls in ordered:  # inherit the kind through same-module bases
        if cls.kind is None:
            for ancestor in cls.lineage():
                if ancestor.kind is not None:
                    cls.kind = ancestor.kind
                    break
    return ordered


def deployer_classes(ctx: SourceFile) -> List[DeployerClass]:
    """Top-level classes of the file with their deployer kind (memoised for every rule of the pass)."""
    return ctx.lazy("deployer-classes", _build_classes)


def decorator_names(func: cst.FunctionDef) -> Set[str]:
    return {dotted_name(d.decorator) or "" for d in func.decorators}


def class_body(node: cst.ClassDef) -> List[cst.CSTNode]:
    return list(node.body.body) if isinstance(node.body, cst.IndentedBlock) else []
