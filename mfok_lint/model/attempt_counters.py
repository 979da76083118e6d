"""Schedulers' attempt counters: what each one counts and where it starts.

Metaflow's ``--retry-count`` is the attempt number of one task, from 0. A scheduler's counter can differ in two
ways, each a rule of its own: it starts at 1 (MFO005) or it counts the attempts of something larger than the
task, the whole workflow run (MFO033). The value model (``model.values``) says which counter feeds the option
(its name and the code it is read from); this module says what that counter is. Every entry was checked against
the scheduler's documentation; the rule modules cite it.

Whether an extension feeds a scheduler counter to Metaflow at all is a package question
(``package_feeds_attempt_counter``): a retry reaches the same task id under a new attempt number only then, so
attempt 0 of a task may be a failed attempt (MFO024). An extension that never passes a counter (``retry_count``
left at its default, a fresh task id per try, a variable the scheduler never sets) only ever writes attempt 0.
The evidence is searched in the text of every module of the package, generated code included (the counter is
usually read in emitted worker code: ``retry_count=context.retry_number``): an attribute of a runtime object named
like an attempt counter (``context.retry_number``, ``current_context().retry_count``, ``ti.try_number``,
``inp.retry_count``; not ``self.``/``cls.``, which the extension set itself) or such a key (``task["attempt"]``); a
loop over attempts that passes the loop variable (``for retry_count in range(max_retries + 1):``); a counter the
scheduler itself sets (``AWS_BATCH_JOB_ATTEMPT``, ``GITHUB_RUN_ATTEMPT``, Argo's ``{{retries}}``, Kestra's
``taskrun.attemptsCount``). Comment lines do not count.

``RETRY_COUNT_ENV`` is the variable Metaflow's ``step`` command reads its ``--retry-count`` from when the option
is absent: the command group runs with click's ``auto_envvar_prefix="METAFLOW"`` (``cli.py: main``), so the
``step`` subcommand's options read ``METAFLOW_STEP_<OPTION>`` (vendored ``click/core.py:
Option.resolve_envvar_value``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import libcst as cst

from mfok_lint.model.package_code import PackageCode
from mfok_lint.syntax.names import dotted_name

__all__ = [
    "counter_evidence", "package_feeds_attempt_counter", "ONE_BASED_TASK_COUNTERS", "RETRY_COUNT_ENV", "RUN_LEVEL_NAMES", "RunCounter", "one_based_task_counter",
    "run_level_counter",
]

RETRY_COUNT_ENV = "METAFLOW_STEP_RETRY_COUNT"

# counter name -> scheduler, for counters of one task's attempts that number the first attempt 1
ONE_BASED_TASK_COUNTERS = {
    "run_count": "Prefect",
    "attempt": "Temporal",
    "try_number": "Airflow",
    "AWS_BATCH_JOB_ATTEMPT": "AWS Batch",
}


@dataclass(frozen=True)
class RunCounter:
    scheduler: str
    shown: str  # how the message names the counter
    instead: str  # the task's own counter, as the message suggests it


_TEMPORAL_WORKFLOW = re.compile(r"(?:^|\.)workflow\.info\(\)$")
_PREFECT_FLOW_RUN = re.compile(r"(?:^|\.)flow_run$")
_NO_ACTIVITY_RETRIES = re.compile(r"\bmaximum_attempts\s*=\s*1\b")
_TASK_DECORATORS = frozenset({"task", "prefect.task"})

# Names the value model must treat as counters for ``run_level_counter`` to see them.
RUN_LEVEL_NAMES = frozenset({"attempt", "run_count", "run_attempt", "GITHUB_RUN_ATTEMPT"})


def run_level_counter(ctx, source, *where) -> Optional[RunCounter]:
    """The run-level counter a traced ``Source`` reads, or None (a task's counter, or nothing established).

    ``where`` are the nodes the value is used at and read from (the option's value, the counter read): the
    Prefect counter is a run's only when one of them sits in a ``@task`` function.
    """
    if source.kind != "counter":
        return None
    name, base = source.counter, source.base
    if name == "GITHUB_RUN_ATTEMPT" or (name == "run_attempt" and base == "github"):
        shown = "`GITHUB_RUN_ATTEMPT`" if name.isupper() else "`github.run_attempt`"
        return RunCounter("GitHub Actions", shown, "a count of this task's own attempts")
    if name == "attempt" and _TEMPORAL_WORKFLOW.search(base):
        # Temporal retries activities by default, and the step can only run in one. A file that turns activity
        # retries off (``maximum_attempts=1``) may retry a workflow per step instead, where the workflow's
        # attempt is the step's: it is left alone.
        if _NO_ACTIVITY_RETRIES.search(ctx.text):
            return None
        return RunCounter("Temporal", "`workflow.info().attempt`", "`activity.info().attempt - 1`, read in the activity")
    if name == "run_count" and _PREFECT_FLOW_RUN.search(base):
        # A flow run can be a subflow per step; inside a task it is never the task's own run.
        if not any(_inside_task(ctx, node) for node in where if node is not None):
            return None
        return RunCounter("Prefect", "the flow run's `run_count`", "the task run's `run_count - 1`")
    return None


def one_based_task_counter(ctx, source, *where) -> Optional[str]:
    """The scheduler whose 1-based counter of one task's attempts a traced ``Source`` reads, or None."""
    if source.kind != "counter" or source.counter not in ONE_BASED_TASK_COUNTERS:
        return None
    if run_level_counter(ctx, source, *where) is not None:
        return None  # the wrong counter, whatever its base: MFO033's finding
    if source.counter == "attempt" and "info" not in source.base:
        return None
    return ONE_BASED_TASK_COUNTERS[source.counter]


def _task_functions(ctx):
    def build(c):
        spans = []
        for node in _functions(c.module):
            names = {dotted_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) for d in node.decorators}
            if names & _TASK_DECORATORS:
                try:
                    spans.append(c.offsets(node))
                except (KeyError, ValueError):
                    continue
        return spans

    return ctx.lazy("attempt-counters:task-functions", build)


def _functions(module: cst.Module):
    stack = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.FunctionDef):
            yield node
        stack.extend(node.children)


def _inside_task(ctx, node) -> bool:
    try:
        start, end = ctx.offsets(node)
    except (KeyError, ValueError, AttributeError):
        return False
    return any(a <= start and end <= b for a, b in _task_functions(ctx))


# ---- does the package feed a counter at all? ---------------------------------------------------------------
_COUNTER = r"(?:retry_number|try_number|run_count|retry_count|attempt_number|attempt|retry_attempt|attemptsCount)"
_EVIDENCE = re.compile(
    r"(?<![\w.])(?!self\b|cls\b)[A-Za-z_]\w*(?:\(\))?\." + _COUNTER + r"\b"
    r"|\[\s*['\"]" + _COUNTER + r"['\"]\s*\]"
    r"|\bfor\s+\w*(?:retry|attempt)\w*\s+in\s+range\("
    r"|\b(?:AWS_BATCH_JOB_ATTEMPT|GITHUB_RUN_ATTEMPT)\b|\{\{\s*retries\s*\}\}|\btaskrun\.attemptsCount\b"
)
_MARKERS = (b"retry", b"attempt", b"try_number", b"run_count", b"ATTEMPT")


def counter_evidence(text: str) -> Optional[str]:
    """The first attempt-counter expression in the code lines of ``text``, or None."""
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        m = _EVIDENCE.search(line)
        if m is not None:
            return m.group(0)
    return None


def package_feeds_attempt_counter(package: PackageCode) -> bool:
    return any(counter_evidence(text) is not None for _path, text in package.texts(containing=_MARKERS))
