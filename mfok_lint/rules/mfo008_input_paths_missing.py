"""MFO008 input-paths-missing.

A ``step`` task loads its inputs only from ``--input-paths`` (or the file ``--input-paths-filename``
names). Without them, Metaflow's task skips input loading altogether: a non-start step sees none of its
parent's artifacts, and the ``start`` step never initialises the flow's Parameters. Metaflow's own
compilers (Argo Workflows, Step Functions, Airflow) give *every* step, ``start`` included, an input path:
``start`` reads ``<run-id>/_parameters/<params-task-id>``, the task ``init`` created.

Decisions:
* Reported: a ``step`` command with neither option on either side of the subcommand, and one whose value
  is the empty literal (``--input-paths ""`` / ``--input-paths=``).
* An option added under a condition counts as present: the model does not decide which branch runs, and
  a guarded option is how extensions treat the start step specially.
* An ``unknown`` token after ``step`` (a splat, an unresolved placeholder) may hold the option: silent.
* A spelling of ``input-paths`` anywhere in the file outside the recognised commands is a continuation the
  command model could not join (a head rendered in one template, options appended by generated code filled
  in elsewhere): silent.
"""

from __future__ import annotations

import re

from mfok_lint.model.command_evidence import mentioned_outside_commands, reportable
from mfok_lint.prefilter import CommandText
from mfok_lint.rules.base import Rule

_NAMES = ("--input-paths", "--input-paths-filename")
_MENTION = re.compile(r"""(?:--|["'])input-paths""")


class InputPathsMissing(Rule):
    needs = frozenset({"commands"})
    triggers = CommandText()

    def check(self, ctx) -> None:
        for cmd in ctx.commands:
            if cmd.subcommand != "step":
                continue
            given = [opt for opt in cmd.options() if opt.name in _NAMES]
            if given:
                for opt in given:
                    if _is_empty(opt):
                        target = reportable(ctx, opt.token.span, cmd.target)
                        if target is not None:
                            ctx.report(
                                target,
                                message=f"`{opt.name}` is given an empty value, so the task loads no inputs",
                            )
                continue
            if cmd.unknown_after_subcommand or mentioned_outside_commands(ctx, _MENTION):
                continue
            target = reportable(ctx, cmd.subcommand_token.span, cmd.target)
            if target is not None:
                ctx.report(target)


def _is_empty(opt) -> bool:
    value = opt.value
    if value is None:
        # ``--input-paths=`` with nothing after the sign; a bare ``--input-paths`` followed by another option
        # is a click usage error that other tools report.
        return (opt.token.static or "").endswith("=") and opt.token.kind == "literal"
    return value.kind == "literal" and (value.text or "").strip(" \"'") == ""
