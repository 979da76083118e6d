"""MFO004 retry-count-hardcoded.

Metaflow stores every attempt of a task under its own attempt number, and the task decides whether it is
the last attempt (``@catch``, ``@retry``) from ``--retry-count``. A command that always sends the same number
makes every retry overwrite attempt 0 and never reach the fallback of ``@catch``.

Decisions:
* The value question is the value model's (``mfok_lint.model.values``): a literal (``0``, ``"0"``, ``str(0)``,
  ``"%d" % 0``), a name whose every reaching definition is such a literal, a parameter none of whose callers
  passes anything else (or a private helper's default when nothing calls it), and ``--retry-count=0`` /
  ``--retry-count 0`` words of shell and generated-Python templates.
* A parameter's callers are every call of its function in the package, code and generated code alike
  (``model.package_calls``): a helper emitted in one string (``def _step_cmd(..., retry_count=0)``) is called by
  code another builder emits, often in another module. A default is a constant only when every call was read and
  none passes the parameter; a mention of the function that is no readable call leaves the value unknown.
* Only numeric constants count: a string that names a runtime value (``"{{retries}}"``, ``"$RETRY"``) is the
  scheduler's counter, and any name, attribute or call the model cannot see through is not reported.
* No fix: the right value is the scheduler's own attempt counter, which the linter cannot choose.
"""

from __future__ import annotations

from mfok_lint.model.command_evidence import reportable
from mfok_lint.model.values import traced_option_values
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule


class RetryCountHardcoded(Rule):
    needs = frozenset({"commands", "package"})
    triggers = Text(b"retry-count") & CommandText()

    def check(self, ctx) -> None:
        for cmd, opt, source in traced_option_values(ctx, "--retry-count", across_package=True):
            if source.kind != "constant" or not all(isinstance(c, int) for c in source.constants):
                continue
            target = reportable(ctx, opt.value.span, cmd.target)
            if target is None:
                continue
            shown = " or ".join(str(c) for c in source.constants)
            ctx.report(
                target,
                message=f"`--retry-count` is always {shown}, so every retry runs as the same attempt and `@catch` "
                "never sees the last one; pass the scheduler's 0-based attempt counter",
            )
