"""MFO033 retry-count-run-level-counter.

``--retry-count`` is the attempt number of one task. A counter of the whole workflow run does not move when the
scheduler retries the task, so every task retry runs as the same Metaflow attempt (overwriting it, and ``@catch``
never sees the last attempt); and when the whole run is retried or re-run, tasks that run for the first time
start at attempt 1 or later, so attempt 0 never exists.

Reported: the value of ``step --retry-count`` (or of ``METAFLOW_STEP_RETRY_COUNT``, which the ``step`` command
reads when the option is absent: click's ``auto_envvar_prefix="METAFLOW"``; in a dict, a subscript assignment
or a script's ``export``) when the value model traces it to one of these counters, adjusted or not (``- 1`` does
not make it the task's). A shell variable the option is given (``--retry-count "$RETRY"``) is followed to the
script's own assignments of it (``RETRY=$((GITHUB_RUN_ATTEMPT - 1))``) in the same literal:

* GitHub Actions ``GITHUB_RUN_ATTEMPT`` / ``${{ github.run_attempt }}``: "A unique number for each attempt of a
  particular workflow run in a repository. This number begins at 1 for the workflow run's first attempt, and
  increments with each re-run" (GitHub's variables reference, quoted at
  https://docs.rs/github-actions/latest/github_actions/constant.GITHUB_RUN_ATTEMPT.html). GitHub Actions has no
  per-step attempt counter; ``GITHUB_RUN_NUMBER`` and ``GITHUB_RUN_ID`` do not change on a re-run.
* Temporal ``workflow.info().attempt``: the attempt of the workflow execution, which "is not associated with a
  Retry Policy by default", while activities are retried by default
  (https://docs.temporal.io/encyclopedia/retry-policies); "Attempt starts from 1 and increased by 1 for every
  retry if retry policy is specified" (https://php.temporal.io/classes/Temporal-Workflow-WorkflowInfo.html). The
  activity that runs the step has its own: ``activity.info().attempt``.
* Prefect: the flow run's ``run_count`` ("the number of times this flow run has been run",
  https://docs.prefect.io/api-ref/prefect/runtime/flow_run/) read where the step runs in a ``@task``: task
  retries do not run the flow again; the task run's ``run_count`` counts them.

Decisions:
* Only counters whose level the scheduler's documentation establishes are listed
  (``model.attempt_counters.run_level_counter``). Not listed: Airflow (``ti.try_number`` is the task
  instance's; no run-level attempt counter is documented for templates), Dagster (``context.retry_number`` is
  the op's; run retries are new runs with new run ids), Argo (``{{retries}}`` is the template's retry; no
  workflow-level attempt variable is documented), Kestra (``{{ taskrun.attemptsCount }}`` is the task run's).
* Temporal: the step runs in an activity, and activities are retried by default, so the workflow's attempt is
  never the step's, except in a design that turns activity retries off and retries a workflow per step. A file
  that sets ``maximum_attempts=1`` is therefore not reported.
* Prefect: a flow run can be a subflow run per step, so the flow run's counter is reported only when the
  option's value or the counter read sits in a function decorated with ``@task``.
* Values are traced further than the other retry rules trace them (through fields of a record class the
  module builds, ``StepInput(retry_count=...)`` read back as ``inp.retry_count``, and through helpers' call
  sites), because a counter read in workflow code reaches the command built in the worker through such records.
* An unknown reaching definition makes the whole value unknown: nothing is reported.
* MFO005 leaves these counters to this rule: subtracting 1 would not make them the task's.
* No fix: the task's own counter is read in another place (the activity, the task), which only the author can
  wire.
"""

from __future__ import annotations

import re

import libcst as cst

from mfok_lint.core.spans import Span
from mfok_lint.model.attempt_counters import RETRY_COUNT_ENV, RUN_LEVEL_NAMES, run_level_counter
from mfok_lint.model.command_evidence import reportable
from mfok_lint.model.values import combine, trace, trace_text, traced_option_values
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax.names import code_of, string_value

# Counter names stop the trace where they are read. ``retry_count``-like names are the extension's own
# variables here, followed to where they are computed, so only the run-level names count.
_NAMES = RUN_LEVEL_NAMES
_DEPTH = 14
# a shell assignment after a blank, an operator or an opening quote (``then RETRY=...``, ``-e 'RETRY=...'``);
# the value quoted, an arithmetic expansion, or up to the next blank or quote
_SHELL_ASSIGNMENT = (
    r"(?:^|[\s;&|(\"'])(?:export[ \t]+|local[ \t]+|readonly[ \t]+)?{name}="
    r"(?P<value>\$\(\([^)\n]*\)\)|\"[^\"\n]*\"|'[^'\n]*'|[^\s;&|\"']+)"
)


def _message(counter, fed: str = "`--retry-count`") -> str:
    return (
        f"{fed} is fed {counter.shown} ({counter.scheduler}), which counts attempts of the whole workflow run, "
        f"not of this task, so the task's retries all run as one attempt; use {counter.instead}"
    )


class RetryCountRunLevelCounter(Rule):
    needs = frozenset({"commands", cst.Dict, cst.Assign, cst.SimpleString})
    triggers = (Text(b"retry-count") & CommandText()) | Text(RETRY_COUNT_ENV.encode())

    def check(self, ctx) -> None:
        if "retry-count" in ctx.text:
            for cmd, opt, source in traced_option_values(ctx, "--retry-count", _NAMES, _DEPTH):
                source = _through_script_variable(ctx, opt.value, source)
                counter = run_level_counter(ctx, source, opt.value.expr, source.node)
                if counter is None:
                    continue
                target = reportable(ctx, opt.value.span, source.node, cmd.target)
                if target is not None:
                    ctx.report(target, message=_message(counter))
        if RETRY_COUNT_ENV in ctx.text:
            for value in _env_values(ctx):
                source = trace(ctx, value, _NAMES, _DEPTH)
                counter = run_level_counter(ctx, source, value, source.node)
                if counter is not None:
                    ctx.report(value, message=_message(counter, f"`{RETRY_COUNT_ENV}`"))
            for target, source in _script_exports(ctx):
                counter = run_level_counter(ctx, source)
                if counter is not None:
                    ctx.report(target, message=_message(counter, f"`{RETRY_COUNT_ENV}`"))


def _assignments(script: str, name: str):
    """(start, end, value) of every ``NAME=value`` (``export``/``local``/``readonly`` too) in a shell script."""
    pattern = _SHELL_ASSIGNMENT.format(name=re.escape(name))
    for m in re.finditer(pattern, script):
        yield m.start("value"), m.end("value"), m.group("value")


def _through_script_variable(ctx, token, source):
    """``--retry-count "$RETRY"`` in a script that sets ``RETRY=...`` itself: what the assignments set, when every
    one of them sets the same run-level counter (one that does not leaves the variable as it is)."""
    if source.kind != "counter" or source.base != "$" or token is None or not isinstance(token.span, Span):
        return source
    script = code_of(token.span.node)
    values = [trace_text(value, names=_NAMES) for _, _, value in _assignments(script, source.counter)]
    counters = {run_level_counter(ctx, value) for value in values}
    if not values or None in counters or len(counters) != 1:
        return source
    return combine(values)


def _script_exports(ctx):
    """(span, Source) of ``METAFLOW_STEP_RETRY_COUNT=...`` assignments in the file's string literals."""
    for node in ctx.nodes(cst.SimpleString):
        if RETRY_COUNT_ENV not in node.value:
            continue
        script = code_of(node)
        for start, end, value in _assignments(script, RETRY_COUNT_ENV):
            yield Span(node, start, end), trace_text(value, names=_NAMES)


def _env_values(ctx):
    """Values given to ``METAFLOW_STEP_RETRY_COUNT`` in a dict display or a subscript assignment."""
    for node in ctx.nodes(cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement) and string_value(element.key) == RETRY_COUNT_ENV:
                yield element.value
    for node in ctx.nodes(cst.Assign):
        for target in node.targets:
            subscript = target.target
            if not isinstance(subscript, cst.Subscript) or len(subscript.slice) != 1:
                continue
            index = subscript.slice[0].slice
            if isinstance(index, cst.Index) and string_value(index.value) == RETRY_COUNT_ENV:
                yield node.value

