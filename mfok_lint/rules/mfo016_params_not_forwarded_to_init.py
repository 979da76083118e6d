"""MFO016 params-not-forwarded-to-init.

``init`` writes the run's ``_parameters`` task, and that task is the only place the ``start`` step (and so
every step) reads Parameter values from. Metaflow's ``init`` takes each Parameter as a ``--<name> value``
option (its click command is built from the flow's parameters) or, through click's ``auto_envvar_prefix``,
as ``METAFLOW_INIT_<NAME>``. An init command that receives neither runs every deployment with the
parameters' defaults, whatever ``trigger(alpha=...)`` asked for.

Decisions:
* Only commands whose subcommand is ``init``. Anything after ``init`` other than Metaflow's own init options
  (``--run-id``, ``--task-id``, ``--tag``, ``--clone-run-id``, ...) is taken as parameter forwarding, and so is
  an ``unknown`` token (a splat of ``params``) or an option whose name is computed (``"--%s" % name``).
* File-level plumbing counts too, because it is usually a loop far from the command: a string literal that
  spells ``METAFLOW_INIT_`` (``METAFLOW_INIT_SCRIPT``, the sandbox hook, excluded) or ``METAFLOW_PARAMETERS``
  (serialized values a wrapper expands), or one that builds an option name from a placeholder (``"--{name}"``,
  ``"--%s"``, ``"--" + name``) which the command model could not join to the init command.
"""

from __future__ import annotations

import re

from mfok_lint.model.command_evidence import reportable, string_literals
from mfok_lint.model.commands import STEP_OPTIONS, TOP_LEVEL_OPTIONS
from mfok_lint.prefilter import CommandText
from mfok_lint.rules.base import Rule

_PLUMBING = re.compile(r"METAFLOW_INIT_(?!SCRIPT\b)|METAFLOW_PARAMETERS\b")
# The body of a string token that starts an option name and leaves the name to a placeholder or a concatenation.
_DYNAMIC_OPTION = re.compile(r"""(?:^|[\s"'\[,(])--(?:\{|%|["']\s*(?:\+|%))""")
_BARE_DASHES = re.compile(r"""^[rRbBuUfF]*(["'])--\1$""")
_METAFLOW_INIT_OPTIONS = STEP_OPTIONS | TOP_LEVEL_OPTIONS


class ParamsNotForwardedToInit(Rule):
    needs = frozenset({"commands"})
    triggers = CommandText()

    def check(self, ctx) -> None:
        inits = [cmd for cmd in ctx.commands if cmd.subcommand == "init"]
        if not inits or _file_forwards_parameters(ctx):
            return
        for cmd in inits:
            if _command_forwards_parameters(cmd):
                continue
            target = reportable(ctx, cmd.subcommand_token.span, cmd.target)
            if target is not None:
                ctx.report(target)


def _command_forwards_parameters(cmd) -> bool:
    after = cmd.tokens[cmd.subcommand_index + 1:]
    for tok in after:
        if tok.kind == "unknown":
            return True
        static = tok.static or ""
        if not static.startswith("--"):
            continue
        name = tok.option_name()
        if name is None:
            return True  # ``--ǁ``: the name is computed, the usual shape of a parameter loop
        if name not in _METAFLOW_INIT_OPTIONS:
            return True
    return False


def _file_forwards_parameters(ctx) -> bool:
    for _line, source in string_literals(ctx):
        if _PLUMBING.search(source) or _BARE_DASHES.match(source):
            return True
        if _DYNAMIC_OPTION.search(source):
            return True
    return False
