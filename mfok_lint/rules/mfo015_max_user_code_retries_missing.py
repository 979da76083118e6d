"""MFO015 max-user-code-retries-missing.

``--max-user-code-retries`` (default 0) tells a task how many of its attempts run user code. A task whose
``--retry-count`` exceeds it treats itself as past the user-code retries: ``@catch`` skips the step body
and records the fallback, and ``@timeout`` does not arm. A command that sends ``--retry-count`` without
``--max-user-code-retries`` is therefore wrong on every retry, and so is one that sends it as a constant 0.

Metaflow 2.19.39: ``cli_components/step_cmd.py`` declares ``--retry-count`` and ``--max-user-code-retries`` with
``default=0``; ``task.py`` (``MetaflowTask.run_step``) hands both to every decorator's ``task_pre_step`` and
``task_decorate``; ``plugins/catch_decorator.py`` (``task_decorate``) replaces the step function with its fallback
when ``retry_count > max_user_code_retries``, and ``plugins/timeout_decorator.py`` (``task_pre_step``) arms the
alarm only while ``retry_count <= max_user_code_retries``. ``--max-user-code-retries 0`` is the default spelled
out: the same failure as the option's absence.

Decisions:
* Only ``step`` commands that carry ``--retry-count``; an ``unknown`` token after the subcommand (a splat,
  an unresolved placeholder) may carry the missing option, so the command is not reported then.
* A retry count that is always 0 (the value model says so, in the file or across the package) cannot exceed
  the default: not reported (MFO004 reports the constant itself).
* ``--max-user-code-retries`` sent as a constant 0 (``"0"``, ``str(0)``, a default no caller in the package
  overrides) is reported at that value when the retry count is not always 0 and the package feeds the
  scheduler's attempt counter to ``--retry-count`` (``model.attempt_counters``): only then does a task ever run
  with a retry count above 0. An option or splat after it is not read as a correction: the constant is what the
  extension chose to send. No fix: the value is the step's ``@retry`` count, which the linter cannot choose.
* The unsafe fix inserts ``"--max-user-code-retries", str(NAME)`` right after the ``--retry-count`` value,
  only when both are elements of one list literal and a name for the step's user-code retries is visible
  in scope (``max_user_code_retries``, ``user_code_retries``, ``max_retries``, ``retries``). Unsafe: the name
  may hold the total (user + error) retries, which Metaflow counts separately.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ScopeProvider

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.model.command_evidence import reportable, unique_options
from mfok_lint.model.attempt_counters import package_feeds_attempt_counter
from mfok_lint.model.values import trace_token
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import visiting

_RETRY_NAMES = ("max_user_code_retries", "user_code_retries", "max_retries", "retries")


_MISSING = (
    "`--retry-count` is sent without `--max-user-code-retries`, so on retries `@catch` skips the step and "
    "`@timeout` does not arm"
)
_CONSTANT_ZERO = (
    "`--max-user-code-retries` is always 0 while `--retry-count` follows the scheduler's attempts: on every retry "
    "`@catch` skips the step's code and `@timeout` does not arm, as if the option were missing; send the step's "
    "`@retry` count"
)


class MaxUserCodeRetriesMissing(Rule):
    needs = frozenset({"commands", "package"})
    triggers = Text(b"retry-count", b"retry_count") & CommandText()

    def check(self, ctx) -> None:
        reported = set()
        for cmd, opt in unique_options(ctx, "--retry-count", subcommand="step"):
            if opt.value is not None and _always_zero(ctx, cmd, opt.value):
                continue
            limit = cmd.option("--max-user-code-retries")
            if limit is not None:
                if limit.value is None or limit.value.key in reported:
                    continue
                source = trace_token(ctx, limit.value, command=cmd, across_package=True)
                if not (source.kind == "constant" and all(c == 0 for c in source.constants)):
                    continue
                target = reportable(ctx, limit.value.span, limit.token.span, cmd.target)
                if target is None or not package_feeds_attempt_counter(ctx.package_code):
                    continue
                reported.add(limit.value.key)
                ctx.report(target, message=_CONSTANT_ZERO)
                continue
            if cmd.unknown_after_subcommand:
                continue
            target = reportable(ctx, opt.token.span, cmd.target)
            if target is None:
                continue
            ctx.report(target, message=_MISSING, fix=self._fix(ctx, opt))

    def _fix(self, ctx, opt):
        value = opt.value
        if value is None or value.span is None or value.span.start is not None or value.expr is None:
            return None
        if opt.token.span is None or opt.token.span.start is not None:
            return None
        if not _same_list(ctx, opt.token.span.node, value.span.node):
            return None
        scopes = ctx.metadata(ScopeProvider)
        scope = scopes.get(value.span.node)
        if scope is None:
            return None
        name = next((n for n in _RETRY_NAMES if n in scope), None)
        if name is None:
            return None
        _, end = ctx.offsets(value.span.node)
        edit = ctx.insert_at(end, f', "--max-user-code-retries", str({name})')
        return ctx.make_fix(Applicability.UNSAFE, f"Send `--max-user-code-retries` from `{name}`", [edit])


def _always_zero(ctx, cmd, token) -> bool:
    for across_package in (False, True):
        source = trace_token(ctx, token, command=cmd, across_package=across_package)
        if source.kind == "constant" and all(c == 0 for c in source.constants):
            return True
    return False


def _same_list(ctx, first, second) -> bool:
    found = []

    class _Find(cst.CSTVisitor):
        def visit_List(self, node: cst.List) -> None:
            values = [e.value for e in node.elements if isinstance(e, cst.Element)]
            for i, v in enumerate(values[:-1]):
                if v is first and values[i + 1] is second:
                    found.append(node)

    visiting.visit(ctx.module, _Find())
    return bool(found)
