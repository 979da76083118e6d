"""MFO015 max-user-code-retries-missing.

``--max-user-code-retries`` (default 0) tells a task how many of its attempts run user code. A task whose
``--retry-count`` exceeds it treats itself as past the user-code retries: ``@catch`` skips the step body
and records the fallback, and ``@timeout`` does not arm. A command that sends ``--retry-count`` without
``--max-user-code-retries`` is therefore wrong on every retry.

Decisions:
* Only ``step`` commands that carry ``--retry-count``; an ``unknown`` token after the subcommand (a splat,
  an unresolved placeholder) may carry the missing option, so the command is not reported then.
* A retry count that is always 0 (the value model says so) cannot exceed the default: not reported
  (MFO004 reports the constant itself).
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
from mfok_lint.model.values import trace_token
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import visiting

_RETRY_NAMES = ("max_user_code_retries", "user_code_retries", "max_retries", "retries")


class MaxUserCodeRetriesMissing(Rule):
    needs = frozenset({"commands"})
    triggers = Text(b"retry-count", b"retry_count") & CommandText()

    def check(self, ctx) -> None:
        for cmd, opt in unique_options(ctx, "--retry-count", subcommand="step"):
            if cmd.has_option("--max-user-code-retries"):
                continue
            if cmd.unknown_after_subcommand:
                continue
            if opt.value is not None:
                source = trace_token(ctx, opt.value)
                if source.kind == "constant" and all(c == 0 for c in source.constants):
                    continue
            target = reportable(ctx, opt.token.span, cmd.target)
            if target is None:
                continue
            ctx.report(target, fix=self._fix(ctx, opt))

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
