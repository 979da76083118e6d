"""MFO014 split-index-missing (preview).

Every task of a foreach body needs ``--split-index``: Metaflow's task uses it to pick its item
(``self.input``) and to record the foreach stack that the join and the client API rely on. Without it
every body task sees the whole list's first frame, or fails with "no split index".

Deciding from source which command runs a foreach body is not exact, so the rule is conservative:
* The module must visibly handle foreach splits: a test of a node's type against ``"foreach"``,
  ``is_inside_foreach``, ``foreach_param``, or a read of ``_foreach_num_splits``.
* No command the module builds passes ``--split-index`` at all, on any side, guarded or not: an extension
  that passes it under a condition (``if node is a foreach body``) is doing the right thing, and which branch
  runs is not decided statically.
* The option is not spelled anywhere outside the recognised commands (a continuation the command model
  could not join), and no ``unknown`` token after ``step`` could hold it.
Preview because the heuristic "handles foreach but never passes a split index" has only been measured on
the released extensions, where every step command passes it.
"""

from __future__ import annotations

import re

from mfok_lint.model.command_evidence import mentioned_outside_commands, reportable
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule

_MENTION = re.compile(r"""(?:--|["'])split-index""")
_HANDLES_FOREACH = re.compile(
    r"""\.type\s*==\s*["']foreach["']|["']foreach["']\s*==\s*[\w.]+\.type\b|\bis_inside_foreach\b|"""
    r"""\bforeach_param\b|_foreach_num_splits\b"""
)


class SplitIndexMissing(Rule):
    needs = frozenset({"commands"})
    triggers = Text(b"foreach") & CommandText()

    def check(self, ctx) -> None:
        steps = [cmd for cmd in ctx.commands if cmd.subcommand == "step"]
        if not steps or not _HANDLES_FOREACH.search(_code_only(ctx.text)):
            return
        if any(cmd.has_option("--split-index") for cmd in steps):
            return
        if mentioned_outside_commands(ctx, _MENTION):
            return
        for cmd in steps:
            if cmd.unknown_after_subcommand:
                continue
            target = reportable(ctx, cmd.subcommand_token.span, cmd.target)
            if target is not None:
                ctx.report(target)


def _code_only(text: str) -> str:
    """The text without ``#`` comment lines: a comment about foreach is no evidence of handling it."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
