"""The base of every rule that asks about the Metaflow commands a file builds (``ctx.commands``).

Its prefilter is the command model's own text test (a ``step``/``init`` word and a Metaflow option in the same
file), so all command rules agree on which files can hold a command and files that cannot are never parsed
for them. A rule's own ``triggers`` widen it (e.g. deployer-side names a rule also inspects).
"""

from __future__ import annotations

from mfok_lint.model.commands import may_build_commands
from mfok_lint.rules.base import Rule


class CommandRule(Rule):
    def applies_to(self, raw: bytes) -> bool:
        return may_build_commands(raw) or (bool(self.triggers) and super().applies_to(raw))


class CommandOptionRule(Rule):
    """The base of a rule that reports nothing but options of recognised commands.

    The command model finds no command in a file that fails its text test, so such a rule's own ``triggers``
    (the option it is about) narrow that test instead of widening it: both must pass.
    """

    def applies_to(self, raw: bytes) -> bool:
        return may_build_commands(raw) and super().applies_to(raw)
