"""MFO007 environment-not-forwarded.

``--environment`` is a top-level option of every process that loads the flow. A step command without it
runs under the default ``local`` environment: ``@conda``/``@pypi`` never bootstrap their environment and the
task imports from whatever Python the worker happens to have. An ``init`` command without it validates the
flow's environment decorators against the wrong environment type.

Decisions:
* An ``unknown`` token before the subcommand (a splat of ``dict_to_cli_options(...)``, an unresolved
  placeholder, a head assembled elsewhere) may carry the option: silent. So is a command that spells it
  after the subcommand (MFO011 reports the misplacement).
* An option added under a condition (``if env_type: cmd += ["--environment", env_type]``) counts as present.
* A module that routes it through ``METAFLOW_ENVIRONMENT`` (click's ``auto_envvar_prefix``) is not reported.
* The unsafe fix inserts ``"--environment", X,`` before the subcommand in the list literal that holds it, only
  when the environment object is visibly in scope: a parameter ``environment`` of the enclosing function
  (``environment.TYPE``), a click ``obj`` parameter (``obj.environment.TYPE``), or ``self.environment`` /
  ``self._environment`` assigned in the module (``self.environment.TYPE``). Unsafe: it changes the command
  that runs, and bootstrapping conda on a worker that cannot reach a package index turns a silently wrong
  run into a failing one.
"""

from __future__ import annotations

import re

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.model.command_evidence import function_params, insert_before_subcommand, reportable
from mfok_lint.prefilter import CommandText
from mfok_lint.rules.base import Rule

_ENV_ROUTE = re.compile(r"METAFLOW_ENVIRONMENT\b")


class EnvironmentNotForwarded(Rule):
    needs = frozenset({"commands"})
    triggers = CommandText()

    def check(self, ctx) -> None:
        if _ENV_ROUTE.search(ctx.text):
            return
        for cmd in ctx.commands:
            if cmd.has_option("--environment") or cmd.unknown_before_subcommand:
                continue
            target = reportable(ctx, cmd.subcommand_token.span, cmd.target)
            if target is None:
                continue
            message = (
                f"`{cmd.subcommand}` command does not forward `--environment` before the subcommand, "
                "so `@conda`/`@pypi` steps run outside their environment"
            )
            ctx.report(target, message=message, fix=self._fix(ctx, cmd))

    def _fix(self, ctx, cmd):
        if cmd.function is None:
            return None
        value = _environment_type(ctx, cmd.function)
        if value is None:
            return None
        edit = insert_before_subcommand(ctx, cmd, f'"--environment", {value}, ')
        if edit is None:
            return None
        return ctx.make_fix(Applicability.UNSAFE, "Forward --environment before the subcommand", [edit])




def _environment_type(ctx, function: cst.FunctionDef) -> str | None:
    params = function_params(function)
    candidates = []
    if "environment" in params:
        candidates.append("environment")
    if "obj" in params:
        candidates.append("obj.environment")
    if params and params[0] == "self":
        for attr in ("environment", "_environment"):
            if re.search(rf"\bself\.{attr}\s*(?::[^=\n]*)?=(?!=)", ctx.text):
                candidates.append(f"self.{attr}")
    for base in candidates:
        # Only an environment *object* has ``.TYPE``; a name that the module never dereferences may hold
        # the type string itself.
        if re.search(rf"(?<![\w.]){re.escape(base)}\.[A-Za-z_]", ctx.text):
            return f"{base}.TYPE"
    return None
