"""Does the extension feed Metaflow's retry count from the scheduler's own attempt counter anywhere?

A step retried by the scheduler runs again under the same task id only if the extension hands the scheduler's
attempt counter to ``--retry-count``; then attempt 0 of that task may be a failed attempt, and code that reads
attempt 0 reads the wrong one (MFO024). An extension that never passes a counter (``retry_count`` left at its
default, a fresh task id per scheduler attempt, an environment variable the scheduler never sets) only ever
writes attempt 0, and reading attempt 0 is then right.

The evidence is searched in the text of every module of the package, generated code included, because the
counter is usually read in emitted worker code (``retry_count=context.retry_number``):
- an attribute of a runtime object named like an attempt counter (``context.retry_number``,
  ``current_context().retry_count``, ``ti.try_number``, ``flow_run.run_count``, ``inp.retry_count``; not
  ``self.``/``cls.``, which the extension set itself), or such a key (``task["attempt"]``);
- a loop over attempts that passes the loop variable (``for retry_count in range(max_retries + 1):``);
- a counter the scheduler itself sets in the worker's environment or template (``AWS_BATCH_JOB_ATTEMPT``,
  ``GITHUB_RUN_ATTEMPT``, Argo's ``{{retries}}``, Kestra's ``taskrun.attemptsCount``).
Comment lines do not count. Without such evidence the question is answered "no counter seen", and rules that need
a counter stay silent.
"""

from __future__ import annotations

import re
from typing import Optional

from mfok_lint.model.package_code import PackageCode

__all__ = ["counter_evidence", "package_feeds_attempt_counter"]

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
