"""Can the file build a Metaflow command at all? The command model's own text test (``model.commands``), so every
rule that reads commands agrees on which files can hold one."""

from __future__ import annotations

from mfok_lint.prefilter.base import Trigger


class CommandText(Trigger):
    """A subcommand word and a Metaflow option in the file's string literals (see ``may_build_commands``): the
    command model finds no command in a file that fails it."""

    def matches(self, path: str, raw: bytes) -> bool:
        from mfok_lint.model.commands import may_build_commands

        return may_build_commands(raw)

    def __repr__(self) -> str:
        return "CommandText()"
