"""MFO054 numeric-id-unregistered: ``--task-id`` or ``--run-id`` is a number the extension made up.

Facts (``plugins/metadata_providers/local.py`` and ``service.py``, ``register_task_id`` / ``register_run_id``,
every release read from 2.9.15 to 2.19.39): both metadata providers take an id that parses as an integer for one
the metadata service issued, and skip creating it: the run, step or task gets no ``_self.json`` (local) or no
record (service). A task run as ``step --task-id 1`` therefore stores its artifacts, but ``Run(...).steps()``
and ``Step(...).tasks()`` never list it, and the client cannot find the run's steps. Non-numeric ids
(``windmill-1``, ``kestra-<hash>``) are registered as new.

Decisions:
- Reported: a ``--task-id``/``--run-id`` of a step or init command whose value is a constant integer (``1``,
  ``"1"``, ``str(1)``, a name only ever bound to one; the value model's answer), and the same option written
  with literal digits in a string the extension emits (``--task-id 1`` in a bash template, ``--task-id=0``),
  where the subcommand itself may be a placeholder.
- Only constants: a number computed at run time (a scheduler's index) is not known to be numeric here.
- No fix: the right id is one the scheduler makes unique per task and the extension keeps non-numeric.
"""

from __future__ import annotations

import re
from typing import Set, Tuple

from mfok_lint.model.command_evidence import reportable
from mfok_lint.model.generated_code import code_strings
from mfok_lint.model.values import traced_option_values
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule

_IN_TEXT = re.compile(r"(?<![\w-])(--(?:task|run)-id)(?:=|[ \t]+)[\"']?(\d+)(?=[\"']?(?:[\s;&|)]|$))")


def _message(option: str, value: str) -> str:
    what = "task" if option == "--task-id" else "run"
    return (
        f"`{option} {value}` is a numeric id the extension made up: Metaflow's metadata providers take numeric ids "
        f"for ones the service issued and never register the {what}, so the client cannot list it; use a "
        "non-numeric id (e.g. prefixed with the scheduler's name)"
    )


class NumericIdUnregistered(Rule):
    needs = frozenset({"commands", "code_strings"})
    triggers = Text(b"task-id") | Text(b"run-id")

    def check(self, ctx) -> None:
        seen: Set[Tuple[int, int]] = set()
        for option in ("--task-id", "--run-id"):
            for cmd, opt, source in traced_option_values(ctx, option):
                if source.kind != "constant" or not source.constants:
                    continue
                if not all(isinstance(c, int) or (isinstance(c, str) and c.isdigit()) for c in source.constants):
                    continue
                target = reportable(ctx, opt.value.span, cmd.target)
                if target is None:
                    continue
                offsets = ctx.offsets(target)
                if offsets in seen:
                    continue
                seen.add(offsets)
                ctx.report(target, message=_message(option, str(source.constants[0])))
        for piece in code_strings(ctx):
            if "-id" not in piece.code:
                continue
            for match in _IN_TEXT.finditer(piece.code):
                span = piece.span(match.start(2), match.end(2))
                offsets = ctx.offsets(span)
                if any(a <= offsets[0] < b or offsets[0] <= a < offsets[1] for a, b in seen):
                    continue
                seen.add(offsets)
                ctx.report(span, message=_message(match.group(1), match.group(2)))
