"""MFO024 artifact-attempt-hardcoded: artifacts read at a fixed attempt number.

Metaflow writes every attempt of a task to its own files (``<attempt>.data.json``, ``<attempt>.DONE.lock``).
A step retried by ``@retry`` that succeeds on attempt 1 leaves attempt 0 as a failed, incomplete attempt:
code that reads artifacts at ``attempt=0`` then fails (no ``DONE`` marker) or, worse, sees the failed
attempt's values. ``FlowDataStore.get_task_datastore(run_id, step, task_id, mode="r")`` without ``attempt``
(and the client's ``Task(...)``) pick the latest completed attempt.

Design decisions:
- Reads only. A call with ``mode="w"``/``"a"``/``"d"`` writes or appends an attempt the caller owns; it is
  not a read and is left alone.
- Calls recognised: ``get_task_datastore``/``TaskDataStore`` with an integer literal ``attempt=`` keyword
  (or as the fourth positional argument of ``get_task_datastore``), and the client's ``Task(..., attempt=N)``.
  A variable attempt is never reported: the code chose it.
- Index files: a path literal naming ``0.data.json`` (``"0.data.json"``, ``f"{task}/0.data.json"``) is the
  same hard-coded read done by hand.
- Both the extension's own code and the worker-side code it emits as strings (``model.gencode``) are
  checked; in generated code the same patterns are matched on the decoded, comment-blanked text.
"""

from __future__ import annotations

import ast
import re
from typing import Optional

import libcst as cst

from mfok_lint.model.environment import dotted_name, string_value
from mfok_lint.model.generated_code import code_strings, matching_paren
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import FileContext
from mfok_lint.syntax import pyast
from mfok_lint.syntax.string_literals import literal_text

_READERS = {"get_task_datastore", "TaskDataStore", "Task"}
_WRITE_MODES = {"w", "a", "d"}
_CALL_IN_CODE = re.compile(r"\b(get_task_datastore|TaskDataStore|Task)\s*\(")
_ATTEMPT_KW = re.compile(r"\battempt\s*=\s*(\d+)\b")
_MODE_KW = re.compile(r"""\bmode\s*=\s*["']([a-z])["']""")
_INDEX_IN_CODE = re.compile(r"""(?<=["'/])\d+\.data\.json(?=["'])""")
_INDEX_PATH = re.compile(r"(?:^|/)\d+\.data\.json$")


class ArtifactAttemptHardcoded(Rule):
    # Every report needs an integer literal right after ``attempt=`` (in code or in generated code), a
    # ``get_task_datastore`` call (positional attempt) or an index file name; the bare word ``attempt`` is in a
    # third of any large code base.
    triggers = (re.compile(rb"\battempt\s*=\s*\d"), b".data.json", b"get_task_datastore")

    def applies_to(self, raw: bytes) -> bool:
        return super().applies_to(raw) and _may_report(raw)

    def visitor(self, ctx: FileContext):
        rule = self

        class Visitor(cst.BatchableCSTVisitor):
            def visit_Call(self, node: cst.Call) -> None:
                literal = _hardcoded_attempt(node)
                if literal is not None:
                    ctx.report(rule, literal, message=_message(node))

        return Visitor()

    def check(self, ctx: FileContext) -> None:
        for piece in code_strings(ctx):
            value = literal_text(piece.node)
            if value is not None and _INDEX_PATH.search(value.value) and "\n" not in value.value:
                ctx.report(self, piece.node, message=_index_message(value.value.rsplit("/", 1)[-1]))
                continue
            code = piece.code
            for m in _CALL_IN_CODE.finditer(code):
                end = matching_paren(code, m.end() - 1)
                args = code[m.end(): end - 1]
                attempt = _ATTEMPT_KW.search(args)
                mode = _MODE_KW.search(args)
                if attempt is None or (mode is not None and mode.group(1) in _WRITE_MODES):
                    continue
                start = m.end() + attempt.start()
                ctx.report(
                    self,
                    piece.span(start, m.end() + attempt.end()),
                    message=f"Generated code reads `{m.group(1)}(...)` at `attempt={attempt.group(1)}`; "
                    "a step that succeeded on retry is missed (omit `attempt` to read the latest done attempt)",
                )
            for m in _INDEX_IN_CODE.finditer(code):
                ctx.report(self, piece.span(m.start(), m.end()), message=_index_message(m.group(0)))


_ATTEMPT_DIGIT = re.compile(r"\battempt\s*=\s*\d")
_INDEX_NAME = re.compile(r"\d\.data\.json")


def _may_report(raw: bytes) -> bool:
    """Both halves of the rule asked of CPython's ``ast``, loosely: a reader call with an integer ``attempt``
    (or ``get_task_datastore`` with four positional arguments), or a string literal whose decoded text holds
    ``attempt=<digit>`` or an index file name. The rule reads generated code from the same literals, with
    placeholders as one non-digit character, so a literal without either text cannot yield a finding there.
    True when ``ast`` cannot read the file."""
    tree = pyast.parse_source(raw)
    if tree is None:
        return True
    for call in pyast.nodes_of(tree, ast.Call):
        short = pyast.called_name(call)
        if short not in _READERS:
            continue
        if short == "get_task_datastore" and len(call.args) >= 4:
            return True
        for keyword in call.keywords:
            if keyword.arg == "attempt" and isinstance(keyword.value, ast.Constant) and type(keyword.value.value) is int:
                return True
    for node in pyast.nodes_of(tree, ast.Constant):
        value = node.value
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if isinstance(value, str) and (_ATTEMPT_DIGIT.search(value) or _INDEX_NAME.search(value)):
            return True
    return False


def _message(call: cst.Call) -> str:
    name = (dotted_name(call.func) or "").rsplit(".", 1)[-1]
    return (
        f"`{name}(...)` reads artifacts at a hard-coded attempt; a step that succeeded on retry is missed "
        "(omit `attempt` to read the latest done attempt)"
    )


def _index_message(filename: str) -> str:
    return (
        f"`{filename}` is one attempt's artifact index; a step that succeeded on retry is missed "
        "(read artifacts through `FlowDataStore.get_task_datastore(...)` without `attempt`)"
    )


def _hardcoded_attempt(call: cst.Call) -> Optional[cst.CSTNode]:
    name = dotted_name(call.func)
    if name is None:
        return None
    short = name.rsplit(".", 1)[-1]
    if short not in _READERS:
        return None
    attempt = None
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == "mode":
            mode = string_value(arg.value)
            if mode is not None and mode[:1] in _WRITE_MODES:
                return None
        if arg.keyword is not None and arg.keyword.value == "attempt":
            attempt = arg
        elif arg.keyword is None and not arg.star and index == 3 and short == "get_task_datastore":
            attempt = arg
    if attempt is None or not isinstance(attempt.value, cst.Integer):
        return None
    return attempt
