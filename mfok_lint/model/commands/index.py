"""The module index: what the evaluator looks up while it walks one scope.

One read-only walk of the module records its functions (with their classes), the string expressions that may
hold a command, lists of source lines, module constants, filled templates and assignments. It can ride in the
engine's shared traversal (``index_collector``, guarded by ``syntax.visiting.Piggyback``) or walk on its own.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

import libcst as cst

from mfok_lint.model.commands.prefilter import _CANDIDATE_WORD, _PREFILTER_OPTION, may_build_commands
from mfok_lint.syntax.source_file import SourceFile
from mfok_lint.syntax.string_literals import literal_text


# ---- module index ----------------------------------------------------------------------------------------
class _Index(cst.CSTVisitor):
    """One pass collecting scopes, helpers and the string/list candidates of a module."""

    def __init__(self) -> None:
        self.functions: List[Tuple[cst.FunctionDef, Optional[cst.ClassDef]]] = []
        self.by_name: Dict[str, List[Tuple[cst.FunctionDef, Optional[cst.ClassDef]]]] = {}
        self.class_of: Dict[int, Optional[cst.ClassDef]] = {}
        self.strings: List[Tuple[cst.BaseExpression, Optional[cst.FunctionDef]]] = []
        self.line_lists: List[Tuple[cst.List, Optional[cst.FunctionDef]]] = []
        self.constants: Dict[str, cst.BaseExpression] = {}
        # Templates without the word whose fillers may supply the subcommand (``%(step_args)s``).
        self.filled_templates: List[Tuple[cst.BaseExpression, Optional[cst.FunctionDef]]] = []
        # per function: name -> expressions assigned to it (in that function's own body)
        self.assignments: Dict[int, Dict[str, List[cst.BaseExpression]]] = {}
        # functions holding a string that could be part of a command; only these are walked as scopes
        self.interesting: set = set()
        self._classes: List[cst.ClassDef] = []
        self._funcs: List[cst.FunctionDef] = []
        self._claimed: set = set()
        self._skip: set = set()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._classes.append(node)
        self._mark_docstring(node.body)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        cls = self._classes[-1] if self._classes and not self._funcs else None
        self.functions.append((node, cls))
        self.by_name.setdefault(node.name.value, []).append((node, cls))
        self.class_of[id(node)] = cls
        self._funcs.append(node)
        self._mark_docstring(node.body)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._funcs.pop()

    def visit_Module(self, node: cst.Module) -> None:
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Expr) and isinstance(
                        small.value, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)
                    ):
                        self._skip.add(id(small.value))
                    if (
                        isinstance(small, cst.Assign)
                        and len(small.targets) == 1
                        and isinstance(small.targets[0].target, cst.Name)
                    ):
                        self.constants[small.targets[0].target.value] = small.value

    def _mark_docstring(self, body) -> None:
        if isinstance(body, cst.IndentedBlock):
            for stmt in body.body:
                if isinstance(stmt, cst.SimpleStatementLine):
                    for small in stmt.body:
                        if isinstance(small, cst.Expr):
                            self._skip.add(id(small.value))

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self._funcs:
            return
        table = self.assignments.setdefault(id(self._funcs[-1]), {})
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                table.setdefault(target.target.value, []).append(node.value)

    def assigned(self, fn: Optional[cst.FunctionDef], name: str) -> Optional[cst.BaseExpression]:
        """The single expression assigned to ``name`` in ``fn`` (None when absent or assigned several times)."""
        if fn is None:
            return None
        found = self.assignments.get(id(fn), {}).get(name) or []
        return found[0] if len(found) == 1 else None

    def _current(self) -> Optional[cst.FunctionDef]:
        return self._funcs[-1] if self._funcs else None

    def _claim(self, node: cst.BaseExpression) -> None:
        if id(node) in self._skip or id(node) in self._claimed:
            return
        self._claimed.add(id(node))
        self.strings.append((node, self._current()))

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Modulo) and _is_string_node(node.left):
            if _has_word(node.left):
                self._claimed.add(id(node.left))
                self._claim(node)
            elif isinstance(node.right, (cst.Dict, cst.Tuple)) and _multiline(node.left):
                self.filled_templates.append((node, self._current()))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "format" and _is_string_node(func.value):
            if _has_word(func.value):
                self._claimed.add(id(func.value))
                self._claim(node)
            elif node.args and _multiline(func.value):
                self.filled_templates.append((node, self._current()))

    def _note(self, raw: str) -> None:
        if self._funcs and (_CANDIDATE_WORD.search(raw) or _PREFILTER_OPTION.search(raw)):
            self.interesting.update(id(fn) for fn in self._funcs)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._note(node.value)
        if _has_word(node) and (" " in node.value or "\n" in node.value or "\\n" in node.value):
            self._claim(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._note(_raw_string(node))
        if _has_word(node) and any(
            isinstance(p, cst.FormattedStringText) and (" " in p.value or "\n" in p.value) for p in node.parts
        ):
            self._claim(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if _has_word(node):
            self._claim(node)
            for child in (node.left, node.right):
                self._claimed.add(id(child))

    def visit_List(self, node: cst.List) -> None:
        elements = [e for e in node.elements if isinstance(e, cst.Element)]
        if len(elements) < 3:
            return
        strings = [piece for e in elements for piece in _string_pieces(e.value)]
        if not any(_has_word(piece) for piece in strings):
            return
        has_quote = any(re.search(r"[\"'].*[\"']", _inner_string(piece)) for piece in strings)
        has_bracket = any(re.search(r"[\[\(]\s*$", _inner_string(piece)) for piece in strings)
        if has_quote and has_bracket:
            self.line_lists.append((node, self._current()))



def _string_pieces(node) -> List[cst.BaseExpression]:
    """The string literals an element is made of (``indent + '"init",'`` -> the literal)."""
    if _is_string_node(node):
        return [node]
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _string_pieces(node.left) + _string_pieces(node.right)
    return []


def _raw_string(node) -> str:
    if isinstance(node, cst.SimpleString):
        return node.value
    if isinstance(node, cst.FormattedString):
        return "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
    if isinstance(node, cst.ConcatenatedString):
        return _raw_string(node.left) + _raw_string(node.right)
    return ""


def _multiline(node) -> bool:
    raw = _raw_string(node)
    return "\n" in raw or "\\n" in raw


def _is_string_node(node) -> bool:
    return isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString))


def _inner_string(node) -> str:
    text = literal_text(node) if _is_string_node(node) else None
    return text.value if text is not None else ""


def _has_word(node) -> bool:
    if isinstance(node, cst.SimpleString):
        return bool(_CANDIDATE_WORD.search(node.value))
    if isinstance(node, cst.FormattedString):
        return any(isinstance(p, cst.FormattedStringText) and _CANDIDATE_WORD.search(p.value) for p in node.parts)
    if isinstance(node, cst.ConcatenatedString):
        return _has_word(node.left) or _has_word(node.right)
    return False


_PRECOLLECTED_INDEX = "commands:index"


def index_collector(ctx: SourceFile) -> Optional[cst.BatchableCSTVisitor]:
    """The module index, filled in the engine's shared traversal (``lint.shared_walk``); None when the file
    cannot build a command (the model then never looks at the tree)."""
    if not may_build_commands(ctx.text):
        return None
    from mfok_lint.syntax.visiting import Piggyback

    return ctx.lazy(_PRECOLLECTED_INDEX, lambda _ctx: Piggyback(_Index()))
