"""MFO012 branch-preformatted: ``--branch`` given a name ``@project`` has already formatted.

``@project`` turns the raw ``--branch`` value into ``test.<branch>`` (or ``prod.<branch>`` with
``--production``). ``current.branch_name``, ``_project_info["branch"]``, the second value of
``format_name(...)`` and ``flow._flow_decorators["project"][0].branch_name`` are that *result*; passing one
back as ``--branch`` formats it twice (``test.test.feature``), so the worker runs under a branch the
deployment never used and its artifacts, tags and triggers go elsewhere.

Decisions:
* Built on the command model: only the value of a ``--branch`` option of a recognised step/init command
  is examined (``--branch X`` or ``--branch=X``), on either side of the subcommand (placement is MFO011's).
* A value that is a plain name is followed through the simple assignments of the enclosing function,
  tuple unpacking of ``format_name(...)`` included; a ``self.<attr>`` value is followed through the
  ``self.<attr> = ...`` assignments of the file. Only these shapes are followed: a name bound any other way
  (a parameter, a loop variable) is the raw branch as far as the rule can tell, and is not reported.
"""

from __future__ import annotations

import re
from typing import Optional

from mfok_lint.model.values import trace_origin
from mfok_lint.prefilter import CommandText
from mfok_lint.rules.base import Rule

_FORMATTED = re.compile(
    r"""(?:\bcurrent|\])\s*\.\s*branch_name\b"""
    r"""|\bcurrent\.get\(\s*["']branch_name["']|\bgetattr\(\s*current\s*,\s*["']branch_name["']"""
    r"""|project_info\w*\s*\[\s*["']branch["']\s*\]|\bformat_name\s*\("""
)


class BranchPreformatted(Rule):
    needs = frozenset({"commands"})
    triggers = CommandText()

    def check(self, ctx) -> None:
        if not _FORMATTED.search(ctx.text):
            return
        for cmd in ctx.commands:
            opt = cmd.option("--branch")
            if opt is None or opt.value is None or opt.value.expr is None:
                continue
            origin = trace_origin(ctx, opt.value.expr, cmd.function, _formatted)
            if origin is None:
                continue
            target = opt.value.span if opt.value.span is not None else cmd.target
            try:
                ctx.offsets(target)
            except KeyError:
                target = cmd.target
            ctx.report(
                target,
                message=f"`--branch` is given `{origin}`, a branch name `@project` already formatted; "
                "pass the raw user branch, or the branch is formatted twice",
            )


def _formatted(text: str) -> Optional[str]:
    m = _FORMATTED.search(text)
    if m is None:
        return None
    return " ".join(text.split()) if len(text) <= 80 else m.group(0)
