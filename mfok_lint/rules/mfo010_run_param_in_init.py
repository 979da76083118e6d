"""MFO010 run-param-in-init.

``--run-param`` is not an option of open-source Metaflow's ``init`` command: ``python flow.py init
--run-param x=1`` stops with click's "No such option" and the run never starts. (Some forks accept it,
which is where the habit comes from.) Parameters reach ``init`` as ``--<name> value`` flags or
``METAFLOW_INIT_<NAME>`` variables.

Decisions:
* Only commands whose subcommand is the literal ``init`` count. An extension's own ``trigger`` click command
  may declare ``--run-param`` (the Deployer passes ``run_param=`` tuples to it): that is not a Metaflow
  command, so the command model never yields it and it is never reported.
* The finding points at the ``--run-param`` token itself, wherever it sits in the command.
"""

from __future__ import annotations

from mfok_lint.model.command_evidence import reportable
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule


class RunParamInInit(Rule):
    needs = frozenset({"commands"})
    triggers = Text(b"run-param") & CommandText()

    def check(self, ctx) -> None:
        for cmd in ctx.commands:
            if cmd.subcommand != "init":
                continue
            for opt in cmd.options():
                if opt.name != "--run-param":
                    continue
                target = reportable(ctx, opt.token.span, cmd.target)
                if target is not None:
                    ctx.report(target)
