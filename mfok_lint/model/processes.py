"""Where an extension runs Metaflow ``step`` commands as child processes, read with ``ast``.

Rules about how a step's child process is launched and waited for (MFO022, MFO025) need statement-level
facts (handlers, loops, awaits) in the extension's own code *and* in the worker code it emits as strings.
Both are parsed with ``ast`` here and handed to the rule as ``StepUnit``s.

Design decisions:
- A unit is the file itself, or one code string that parses as Python (``model.generated_code.parse_python``).
  Code strings that do not contain a ``step`` command (``ctx.commands``) are skipped unless the caller asks
  for ``whole_file`` (the script's command list is then a placeholder filled from elsewhere in the file).
- ``builds_step(fn)`` tells whether a function of the unit runs a step: in the file, the function's lines
  hold a step command; in a code string, every function counts (the string is one emitted script that
  runs a step, and the command model does not map positions inside it to the script's functions).
  ``step_functions`` adds the same-unit helpers such functions call (``_run_cmd(cmd)``).
- ``locate(node)`` turns an ``ast`` node into something ``ctx.report`` accepts, so findings inside strings
  point at the exact characters of the literal.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from mfok_lint.model.commands import commands_of
from mfok_lint.model.generated_code import char_offset, code_strings, parse_python
from mfok_lint.syntax import pyast
from mfok_lint.syntax.source_file import SourceFile

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass
class StepUnit:
    tree: ast.Module
    builds_step: Callable[[ast.AST], bool]
    locate: Callable[[ast.AST], object]
    generated: bool


def step_units(
    ctx: SourceFile,
    needles: Tuple[str, ...],
    whole_file: bool = False,
    may_report: Optional[Callable[[ast.AST], bool]] = None,
) -> List[StepUnit]:
    """Units holding a step command whose text contains one of ``needles`` (a cheap filter).

    ``whole_file``: a code string counts when the file builds a step command anywhere, for emitted scripts
    whose command list is spliced in from a placeholder (``step_cmd = {step_cmd_list}``).
    ``may_report(tree)``: the caller's own superset test on the file's tree; False leaves the file itself
    out (placing step commands needs the file's positions, a whole-module pass).
    """
    steps = [c for c in commands_of(ctx) if c.subcommand == "step"]
    if not steps:
        return []
    located: List[List[int]] = []

    def step_offsets() -> List[int]:
        if not located:
            located.append([ctx.offsets(c.target)[0] for c in steps])
        return located[0]

    units: List[StepUnit] = []
    tree = _parse_file(ctx.text)
    if tree is not None and (may_report is None or may_report(tree)):
        rows = {ctx.locator.location(o).row for o in step_offsets()}

        def in_file(fn: ast.AST) -> bool:
            return any(fn.lineno <= r <= (fn.end_lineno or fn.lineno) for r in rows)

        def locate_in_file(node: ast.AST):
            text = ctx.text
            start = ctx.locator.offset(node.lineno, 1) + _col(text, node.lineno, node.col_offset)
            end = ctx.locator.offset(node.end_lineno, 1) + _col(text, node.end_lineno, node.end_col_offset)
            return (start, end)

        units.append(StepUnit(tree, in_file, locate_in_file, False))
    for piece in code_strings(ctx):
        if not any(n in piece.code for n in needles):
            continue
        if not whole_file:
            lo, hi = ctx.node_range(piece.node)
            if not any(lo <= o < hi for o in step_offsets()):
                continue
        generated = parse_python(piece.code)
        if generated is None:
            continue

        def locate_in_string(node: ast.AST, piece=piece):
            start = char_offset(piece.code, node.lineno, node.col_offset)
            end = char_offset(piece.code, node.end_lineno, node.end_col_offset)
            return piece.span(start, end)

        units.append(StepUnit(generated, lambda fn: True, locate_in_string, True))
    return units


def functions_by_name(tree: ast.AST) -> Dict[str, List[ast.AST]]:
    out: Dict[str, List[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, FUNCTION_NODES):
            out.setdefault(node.name, []).append(node)
    return out


def step_functions(unit: StepUnit) -> List[ast.AST]:
    """Functions that build a step command, plus the same-unit helpers they call."""
    functions = functions_by_name(unit.tree)
    chosen: Dict[int, ast.AST] = {id(d): d for defs in functions.values() for d in defs if unit.builds_step(d)}
    for fn in list(chosen.values()):
        for node in own_body(fn):
            if isinstance(node, ast.Call):
                for helper in functions.get(callee(node)[1], []):
                    chosen.setdefault(id(helper), helper)
    return list(chosen.values())


def callee(call: ast.Call) -> Tuple[str, str]:
    """(qualifier, attribute) of a call: ``subprocess.Popen`` -> ("subprocess", "Popen")."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return ast.unparse(func.value), func.attr
    if isinstance(func, ast.Name):
        return "", func.id
    return "", ""


def own_body(fn: ast.AST) -> Iterable[ast.AST]:
    """Nodes of a function (or module), not descending into nested functions, classes or lambdas."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (*FUNCTION_NODES, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


_LAUNCHERS = {"run", "call", "check_call", "check_output", "Popen", "system", "create_subprocess_exec",
              "create_subprocess_shell"}


def is_process_launch(call: ast.Call) -> bool:
    qualifier, name = callee(call)
    if name not in _LAUNCHERS:
        return False
    if name == "Popen":
        return True
    if name == "system":
        return qualifier == "os"
    if name.startswith("create_subprocess"):
        return qualifier.endswith("asyncio")
    return qualifier == "subprocess"


def _parse_file(text: str) -> Optional[ast.Module]:
    return pyast.parse(text)


def _col(text: str, lineno: int, col_bytes: int) -> int:
    return char_offset(text, lineno, col_bytes) - char_offset(text, lineno, 0)


__all__ = [
    "FUNCTION_NODES",
    "StepUnit",
    "callee",
    "functions_by_name",
    "is_process_launch",
    "own_body",
    "step_functions",
    "step_units",
]
