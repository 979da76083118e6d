"""MFO026 tmp-file-handoff: one step writes a fixed ``/tmp/...`` file that another step reads.

Steps of a scheduled flow run wherever the scheduler places them; ``/tmp`` belongs to one worker (one pod,
one container, one job). A value handed from one step to the next through ``/tmp/<fixed name>`` is missing
as soon as the two steps land on different workers, and where they share a worker, two concurrent runs
overwrite each other's file: the reader picks up another run's value. State between steps goes through the
scheduler's own outputs/parameters or the Metaflow datastore.

Design decisions:
- Fixed means the path is written out in full: no placeholder, ``$VAR``, f-string field or ``{name}`` inside
  or right after it. ``/tmp/mf_{run_id}.txt`` is per-run and left alone (it may still be worker-local, but
  a fixed name is what this rule can establish without guessing).
- A handoff needs a write and a read of the same path in *different* units: different code strings (two
  emitted scripts) or, in the extension's own code, different functions. A script that writes a scratch
  file and reads it back itself stays on one worker and is fine.
- Writes: shell ``>``/``>>`` redirections and ``tee``, Python ``open(path, "w"|"a"|"x")`` and
  ``Path(path).write_text/write_bytes``. Reads: shell ``<``, ``cat``, ``source``/``.``, Python
  ``open(path)``/``open(path, "r")`` and ``Path(path).read_text/read_bytes``. Any other mention (a
  directory, a cache location, a log message) is neither and never reported.
- A read that only runs when the value already arrived some other way is a fallback, not the handoff: a shell
  ``VAR=$(cat /tmp/x)`` inside ``if [ -z "$VAR" ]; then ... fi`` (the scheduler passed ``VAR`` first) is not a
  reader, and neither is a Python ``value or open("/tmp/x").read()``.
- Reported at every write, naming where the path is read back.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional

import libcst as cst

from mfok_lint.model.generated_code import HOLE, code_strings
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax import visiting
from mfok_lint.syntax.names import dotted_name, string_value

_PATH = re.compile(r"(?<![\w$}.\-/])/tmp/[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)*(?![\w$.\-/{" + HOLE + r"])")
_SHELL_WRITE_BEFORE = re.compile(r"(?:(?<![<&\d])>>?|\btee(?:\s+-a)?)\s*$")
_SHELL_READ_BEFORE = re.compile(r"(?:<|\bcat(?:\s+-\w+)*|\bsource|(?:^|[;&|]\s*|\s)\.)\s*$")
_PY_OPEN_BEFORE = re.compile(r"""\bopen\(\s*['"]$""")
_PY_MODE_AFTER = re.compile(r"""^['"]\s*(?:,\s*(?:mode\s*=\s*)?['"]([rwax+bt]+)['"])?\s*[,)]""")
_PY_PATH_BEFORE = re.compile(r"""\bPath\(\s*['"]$""")
_PY_PATH_AFTER = re.compile(r"""^['"]\s*\)\s*\.(write_text|write_bytes|read_text|read_bytes|open)\b""")


@dataclass
class _Use:
    path: str
    kind: str  # "write" | "read"
    unit: int
    target: object  # a Span inside a code string, or a call node of the extension's own code


class TmpFileHandoff(Rule):
    needs = frozenset({"code_strings"})
    triggers = Text(b"/tmp/")

    def check(self, ctx: Context) -> None:
        uses: List[_Use] = []
        for unit, piece in enumerate(code_strings(ctx)):
            if "/tmp/" not in piece.code:
                continue
            for m in _PATH.finditer(piece.code):
                kind = _classify_in_text(piece.code, m.start(), m.end())
                if kind == "read" and _fallback_read(piece.code, m.start()):
                    continue
                if kind is not None:
                    uses.append(_Use(m.group(0), kind, unit, piece.span(m.start(), m.end())))
        uses.extend(_python_uses(ctx, offset=len(uses) + 10_000))
        by_path: Dict[str, List[_Use]] = defaultdict(list)
        for use in uses:
            by_path[use.path].append(use)
        for path, group in by_path.items():
            for write in (u for u in group if u.kind == "write"):
                readers = [u for u in group if u.kind == "read" and u.unit != write.unit]
                if not readers:
                    continue
                rows = sorted({ctx.locator.location(ctx.offsets(r.target)[0]).row for r in readers})
                where = ", ".join(str(r) for r in rows)
                ctx.report(
                    write.target,
                    message=f"`{path}` is written here and read by another step (line {where}); `/tmp` is not "
                    "shared across workers and a fixed name collides between concurrent runs",
                )


_EMPTY_TEST = re.compile(r"""\bif\s+\[\[?\s+-z\s+["']?\$\{?(\w+)""")
_OR_READ_BEFORE = re.compile(r"""\bor\s+(?:open|Path)\(\s*['"]$""")
_FI = re.compile(r"(?m)^\s*fi\b")


def _fallback_read(code: str, start: int) -> bool:
    """Is the shell read at ``start`` an assignment ``VAR=$(cat ...)`` inside ``if [ -z "$VAR" ]; then`` (still open)?"""
    line_start = code.rfind("\n", 0, start) + 1
    if _OR_READ_BEFORE.search(code[line_start:start]):
        return True
    assigned = re.match(r"\s*(?:export\s+)?(\w+)=", code[line_start:start])
    if assigned is None:
        return False
    tests = list(_EMPTY_TEST.finditer(code, 0, line_start))
    if not tests:
        return False
    test = tests[-1]
    return test.group(1) == assigned.group(1) and _FI.search(code, test.end(), line_start) is None


def _classify_in_text(code: str, start: int, end: int) -> Optional[str]:
    line_start = code.rfind("\n", 0, start) + 1
    before = code[line_start:start]
    after = code[end: code.find("\n", end) if code.find("\n", end) >= 0 else len(code)]
    if _PY_OPEN_BEFORE.search(before):
        mode = _PY_MODE_AFTER.match(after)
        if mode is None:
            return None
        return "write" if mode.group(1) and set(mode.group(1)) & set("wax") else "read"
    if _PY_PATH_BEFORE.search(before):
        method = _PY_PATH_AFTER.match(after)
        if method is None:
            return None
        return "write" if method.group(1).startswith("write") else ("read" if method.group(1) != "open" else None)
    bare = before.rstrip("\"'")
    if _SHELL_WRITE_BEFORE.search(bare):
        return "write"
    if _SHELL_READ_BEFORE.search(bare):
        return "read"
    return None


def _python_uses(ctx: Context, offset: int) -> List[_Use]:
    """``open("/tmp/x", "w")`` and ``Path("/tmp/x").read_text()`` in the extension's own code, per function."""
    uses: List[_Use] = []

    class Visitor(cst.CSTVisitor):
        def __init__(self) -> None:
            self.functions: List[int] = [0]
            self.counter = 0

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.counter += 1
            self.functions.append(self.counter)

        def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.functions.pop()

        def visit_Call(self, node: cst.Call) -> None:
            name = dotted_name(node.func) or ""
            unit = offset + self.functions[-1]
            if name in ("open", "io.open", "builtins.open") and node.args:
                path = _fixed_tmp(node.args[0].value)
                if path is None:
                    return
                mode = None
                for index, arg in enumerate(node.args[1:], start=1):
                    positional_mode = arg.keyword is None and index == 1
                    if positional_mode or (arg.keyword is not None and arg.keyword.value == "mode"):
                        mode = string_value(arg.value)
                        if mode is None:
                            return
                kind = "write" if mode and set(mode) & set("wax") else "read"
                uses.append(_Use(path, kind, unit, node))
            elif isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call):
                inner = node.func.value
                method = node.func.attr.value
                if (dotted_name(inner.func) or "").rsplit(".", 1)[-1] == "Path" and inner.args:
                    path = _fixed_tmp(inner.args[0].value)
                    if path is None or method not in ("write_text", "write_bytes", "read_text", "read_bytes"):
                        return
                    uses.append(_Use(path, "write" if method.startswith("write") else "read", unit, node))

    visiting.visit(ctx.module, Visitor())
    return uses


def _fixed_tmp(node: cst.BaseExpression) -> Optional[str]:
    value = string_value(node)
    if value is None or not _PATH.fullmatch(value):
        return None
    return value
