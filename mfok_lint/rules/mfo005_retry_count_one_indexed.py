"""MFO005 retry-count-one-indexed.

Metaflow numbers attempts from 0 (``--retry-count 0`` is the first run). Several schedulers number a task's
attempts from 1; forwarding such a counter unchanged makes the first run attempt 1: attempt 0 never exists, the
client API looks for it, and the last retry exceeds ``--max-user-code-retries`` so ``@catch`` treats a normal
retry as the fallback.

The counters (``model.attempt_counters.ONE_BASED_TASK_COUNTERS``), each 1-based by its scheduler's documentation:

* Prefect ``run_count``: ``prefect.runtime`` documents it as "the number of times this flow run has been run"
  (https://docs.prefect.io/api-ref/prefect/runtime/flow_run/), 1 on the first run; a task run's is kept the
  same way.
* Temporal ``activity.info().attempt``: "Attempt starts from 1, and increased by 1 for every retry"
  (https://php.temporal.io/classes/Temporal-Activity-ActivityInfo.html; every SDK reads the same server field).
* Airflow ``try_number`` (``ti.try_number``, ``{{ task_instance.try_number }}``): Metaflow's own Airflow
  compiler passes ``{{ task_instance.try_number - 1 }}`` (``plugins/airflow/airflow_utils.py``).
* AWS Batch ``AWS_BATCH_JOB_ATTEMPT``: "The first attempt is numbered 1"
  (https://docs.aws.amazon.com/batch/latest/userguide/job_env_vars.html); a Batch job runs one task, and
  Metaflow's Step Functions compiler passes ``$((AWS_BATCH_JOB_ATTEMPT-1))``.

Checked and not listed, because they start at 0: Kestra ``{{ taskrun.attemptsCount }}`` (Kestra's retry
example exits 0 when it equals 4 "at the 5th attempt", https://kestra.io/docs/workflow-components/retries),
Dagster ``context.retry_number``, Flyte's ``retry_count``, Argo's ``{{retries}}`` (Kubeflow's extension uses
it). Windmill's and Mage's counters are not listed: their documentation does not say how they are numbered.

Decisions:
* The counter comes from the value model (``mfok_lint.model.values``): an attribute, subscript key,
  environment read (``os.environ.get``), jinja/template variable or shell variable named like the counter,
  through ``str()``/``int()``/formatting and assignments.
* ``attempt`` is a common word: it counts only when read from something named ``info`` (Temporal's
  ``activity.info().attempt``, an ``info`` variable).
* A counter of the whole run (Temporal's ``workflow.info().attempt``, Prefect's flow run inside a task) is
  MFO033's finding, not this rule's: subtracting 1 would not make it the task's counter.
* Any negative offset (``counter - 1``, ``max(0, counter - 1)``, ``$((VAR - 1))``) is the adjustment; it is not
  checked further.
* The unsafe fix wraps the counter read in ``max(0, ... - 1)``, only when that read is written inside the
  option's own value expression (editing a shared variable would also shift its other uses).
"""

from __future__ import annotations

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.model.attempt_counters import ONE_BASED_TASK_COUNTERS, one_based_task_counter
from mfok_lint.model.command_evidence import reportable
from mfok_lint.model.values import COUNTER_NAMES, traced_option_values
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule

_NAMES = COUNTER_NAMES | frozenset(ONE_BASED_TASK_COUNTERS)


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
        for cmd, opt, source in traced_option_values(ctx, "--retry-count", _NAMES):
            if source.kind != "counter" or source.offset < 0:
                continue
            scheduler = one_based_task_counter(ctx, source, opt.value.expr, source.node)
            if scheduler is None:
                continue
            target = reportable(ctx, opt.value.span, source.node, cmd.target)
            if target is None:
                continue
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
