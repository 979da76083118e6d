"""MFO005 retry-count-one-indexed.

Metaflow numbers attempts from 0 (``--retry-count 0`` is the first run). Several schedulers number them
from 1: Prefect's ``run_count`` (task and flow runs), Temporal's ``attempt`` (``activity.info()`` /
``workflow.info()``), Airflow's ``try_number``. Forwarding one of them unchanged makes the first run
attempt 1: attempt 0 never exists, the client API looks for it, and the last retry exceeds
``--max-user-code-retries`` so ``@catch`` treats a normal retry as the fallback.

Decisions:
* The counter comes from the value model (``mfok_lint.model.values``): an attribute, subscript key or
  jinja/template variable named like the counter, through ``str()``/``int()``/formatting and assignments.
* ``attempt`` is a common word: it counts only when read from something named ``info`` (Temporal's
  ``activity.info().attempt``, ``workflow.info().attempt``, an ``info`` variable). 0-indexed counters
  (Dagster ``retry_number``, Flyte ``retry_count``, Argo ``{{retries}}``) are never reported.
* Any negative offset (``counter - 1``, ``max(0, counter - 1)``) is the adjustment; it is not checked further.
* The unsafe fix wraps the counter read in ``max(0, ... - 1)``, only when that read is written inside the
  option's own value expression (editing a shared variable would also shift its other uses).
"""

from __future__ import annotations

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.model.command_evidence import reportable
from mfok_lint.model.values import traced_option_values
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule

# counter name -> scheduler that numbers attempts from 1
ONE_INDEXED = {"run_count": "Prefect", "attempt": "Temporal", "try_number": "Airflow"}


def _one_indexed(source) -> bool:
    if source.kind != "counter" or source.offset < 0 or source.counter not in ONE_INDEXED:
        return False
    if source.counter == "attempt":
        return "info" in source.base
    return True


def _inside(ctx, inner, outer) -> bool:
    try:
        a, b = ctx.offsets(inner)
        c, d = ctx.offsets(outer)
    except KeyError:
        return False
    return c <= a and b <= d


class RetryCountOneIndexed(Rule):
    needs = frozenset({"commands"})
    triggers = Text(b"retry-count") & CommandText()

    def check(self, ctx) -> None:
        for cmd, opt, source in traced_option_values(ctx, "--retry-count"):
            if not _one_indexed(source):
                continue
            target = reportable(ctx, opt.value.span, source.node, cmd.target)
            if target is None:
                continue
            scheduler = ONE_INDEXED[source.counter]
            message = (
                f"`--retry-count` is fed {scheduler}'s 1-based `{source.counter}` without subtracting 1; "
                "Metaflow numbers attempts from 0"
            )
            ctx.report(target, message=message, fix=self._fix(ctx, opt.value, source))

    def _fix(self, ctx, token, source):
        node = source.node
        if not isinstance(node, (cst.Attribute, cst.Subscript)) or token.expr is None or source.offset != 0:
            return None
        if not _inside(ctx, node, token.expr):
            return None
        code = ctx.code_for(node)
        edit = ctx.edit(node, f"max(0, {code} - 1)")
        return ctx.make_fix(Applicability.UNSAFE, f"Use `max(0, {code} - 1)`", [edit])
