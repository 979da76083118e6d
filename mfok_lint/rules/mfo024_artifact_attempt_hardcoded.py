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
  (or as the fourth positional argument of ``get_task_datastore``), and the client's ``Task(..., attempt=N)``;
  a class imported under another name (``from metaflow import Task as MFTask``) is the class itself.
  A variable attempt is never reported: the code chose it.
- Index files: a path literal naming ``0.data.json`` (``"0.data.json"``, ``f"{task}/0.data.json"``) is the
  same hard-coded read done by hand.
- Only where a retry can reach the same task id: the package must feed the scheduler's attempt counter to
  Metaflow somewhere (``model.attempt_counters``). An extension that never passes one writes attempt 0 on every
  try (or a new task id per try), and reading attempt 0 is then right; nothing is reported.
- Both the extension's own code and the worker-side code it emits as strings (``model.generated_code``) are
  checked; in generated code the same patterns are matched on the decoded, comment-blanked text.
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from mfok_lint.model.generated_code import code_strings, matching_paren
from mfok_lint.model.attempt_counters import package_feeds_attempt_counter
from mfok_lint.prefilter import Text
from mfok_lint.prefilter.screens import AttemptLiteral
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.names import class_in_file, dotted_name, string_value
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
    needs = frozenset({"code_strings", "package", cst.Call})
    triggers = Text(re.compile(rb"\battempt\s*=\s*\d"), b".data.json", b"get_task_datastore") & AttemptLiteral(
        _READERS, re.compile(r"\battempt\s*=\s*\d|\d\.data\.json")
    )

    def check(self, ctx: Context) -> None:
        found = list(self._candidates(ctx))
        if found and package_feeds_attempt_counter(ctx.package_code):
            for target, message in found:
                ctx.report(target, message=message)

    def _candidates(self, ctx: Context):
        for call in ctx.nodes(cst.Call):
            literal = _hardcoded_attempt(ctx, call)
            if literal is not None:
                yield literal, _message(call)
        for piece in code_strings(ctx):
            value = literal_text(piece.node)
            if value is not None and _INDEX_PATH.search(value.value) and "\n" not in value.value:
                yield piece.node, _index_message(value.value.rsplit("/", 1)[-1])
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
                yield (
                    piece.span(start, m.end() + attempt.end()),
                    f"Generated code reads `{m.group(1)}(...)` at `attempt={attempt.group(1)}`; "
                    "a step that succeeded on retry is missed (omit `attempt` to read the latest done attempt)",
                )
            for m in _INDEX_IN_CODE.finditer(code):
                yield piece.span(m.start(), m.end()), _index_message(m.group(0))


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


def _hardcoded_attempt(ctx, call: cst.Call) -> Optional[cst.CSTNode]:
    short = class_in_file(ctx, call.func, _READERS)
    if short is None:
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
