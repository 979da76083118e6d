"""MFO009 init-missing-ids.

Metaflow's ``init`` creates the run and the ``_parameters`` task every ``start`` step reads its inputs from
(``<run-id>/_parameters/<task-id>``). Without ``--run-id`` it is a usage error; without ``--task-id`` the
parameters task gets an id the start step's ``--input-paths`` cannot know.

Decisions:
* Only commands whose subcommand is ``init`` are judged; either option on either side of the subcommand
  counts (misplacement is MFO011's finding).
* An ``unknown`` token after ``init`` (a splat, an unresolved placeholder) may hold the ids: silent.
* A spelling of the missing option anywhere in the file outside the recognised commands is treated as a
  continuation the command model could not join (see ``mfok_lint.model.command_evidence``): silent.
"""

from __future__ import annotations

import re

from mfok_lint.model.command_evidence import mentioned_outside_commands, reportable
from mfok_lint.prefilter import CommandText
from mfok_lint.rules.base import Rule

_MENTIONS = {
    "--run-id": re.compile(r"""(?:--|["'])run-id\b"""),
    "--task-id": re.compile(r"""(?:--|["'])task-id\b"""),
}


class InitMissingIds(Rule):
    needs = frozenset({"commands"})
    triggers = CommandText()

    def check(self, ctx) -> None:
        for cmd in ctx.commands:
            if cmd.subcommand != "init" or cmd.unknown_after_subcommand:
                continue
            missing = [name for name in ("--run-id", "--task-id") if not cmd.has_option(name)]
            missing = [name for name in missing if not mentioned_outside_commands(ctx, _MENTIONS[name])]
            if not missing:
                continue
            target = reportable(ctx, cmd.subcommand_token.span, cmd.target)
            if target is None:
                continue
            spelled = " and ".join(f"`{name}`" for name in missing)
            ctx.report(
                target,
                message=f"`init` command lacks {spelled}, so the start step cannot find the run's parameters",
            )
