"""MFO027 runtime-step-cli-called: extension code calls a decorator's ``runtime_step_cli`` hook itself.

``StepDecorator.runtime_step_cli(cli_args, retry_count, max_user_code_retries, ubf_context)`` is a hook of
Metaflow's local runtime (``metaflow/runtime.py``): it runs after ``step_init``, ``runtime_init`` and
``runtime_task_created`` have set the decorator's state (the conda interpreter, the code package, the
``_step_name``...). An extension that builds decorators from decospecs (``extract_step_decorator_from_decospec``)
or walks ``node.decorators`` and calls the hook itself runs it on half-initialised objects and with a
hand-made ``CLIArgs`` copy; it breaks whenever a decorator starts relying on another lifecycle hook. Forwarding
the decorators with ``--with`` lets the step process initialise them the normal way.

Design decisions:
- Reported: a *call* of an attribute named ``runtime_step_cli`` and a call of
  ``extract_step_decorator_from_decospec`` (bare or dotted). Merely referencing the method
  (``cls.runtime_step_cli is StepDecorator.runtime_step_cli``) or defining it is not a call.
- Not reported: calls inside a method itself named ``runtime_step_cli`` (a decorator delegating to its
  parent or to a wrapped decorator runs inside the runtime), and Metaflow's own core modules (the runtime and
  the decorator machinery are where these calls belong).
- Generated source counts: a compiler that emits a job file calling ``deco.runtime_step_cli(...)`` makes the
  deployed job call it. In string literals the rule looks for an attribute call ``.runtime_step_cli(`` or a
  call ``extract_step_decorator_from_decospec(`` that is not a ``def``/``import`` line and does not follow a
  ``#`` on its line; docstrings (bare string statements) are skipped.
"""

from __future__ import annotations

import re
from typing import Set

import libcst as cst

from mfok_lint.core.spans import Span
from mfok_lint.prefilter import OutsideMetaflowCore, Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.names import called_name

_HOOK = "runtime_step_cli"
_FACTORY = "extract_step_decorator_from_decospec"
# Metaflow's own modules that legitimately drive the hook: the runtime, the decorator registry and the
# mutable-step API that resolves decospecs.
_METAFLOW_CORE = re.compile(r"(^|/)metaflow/(runtime|decorators)\.py$|(^|/)metaflow/user_decorators/")


_IN_TEXT = re.compile(r"\.runtime_step_cli\s*\(|\bextract_step_decorator_from_decospec\s*\(")
_STRINGS = (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)


def _message(name: str) -> str:
    if name == _HOOK:
        return (
            "`runtime_step_cli()` called outside Metaflow's runtime: the decorator is not initialised; "
            "forward it with `--with` instead"
        )
    return (
        "`extract_step_decorator_from_decospec()` builds decorators outside Metaflow's runtime; "
        "forward the decospec with `--with` instead"
    )



class RuntimeStepCliCalled(Rule):
    needs = frozenset({cst.Expr, cst.SimpleString, cst.FormattedString, cst.Call})
    triggers = OutsideMetaflowCore(_METAFLOW_CORE) & Text(b"runtime_step_cli", b"extract_step_decorator_from_decospec")

    def check(self, ctx: Context) -> None:
        docstrings: Set[int] = set()
        # In walk order: a statement's string is seen (and marked a docstring) before the string itself.
        for node in ctx.nodes(cst.Expr, cst.SimpleString, cst.FormattedString, cst.Call):
            if isinstance(node, cst.Expr):
                if isinstance(node.value, _STRINGS):
                    _mark_docstring(node.value, docstrings)
                continue
            if _HOOK in (function.name.value for function in ctx.functions_around(node)):
                continue  # the hook's own definition (a shim) may call it
            if isinstance(node, cst.Call):
                name = called_name(node.func)
                if name in (_HOOK, _FACTORY):
                    ctx.report(node, message=_message(name))
            elif id(node) not in docstrings:
                _scan_text(ctx, node)


def _mark_docstring(node: cst.CSTNode, docstrings: Set[int]) -> None:
    docstrings.add(id(node))
    if isinstance(node, cst.ConcatenatedString):
        _mark_docstring(node.left, docstrings)
        _mark_docstring(node.right, docstrings)


def _scan_text(ctx: Context, node: cst.CSTNode) -> None:
    """Calls of the hook spelled in generated code held by a string literal."""
    # Every match spells a name, and a literal's names are in its own code: only a string that holds one
    # needs the file's positions (a whole-module pass) to be cut from the text.
    own_code = node.value if isinstance(node, cst.SimpleString) else ctx.module.code_for_node(node)
    if _HOOK not in own_code and _FACTORY not in own_code:
        return
    code = ctx.code_for(node)
    for match in _IN_TEXT.finditer(code):
        newline = code.rfind("\n", 0, match.start())
        escaped_newline = code.rfind("\\n", 0, match.start())  # a "\\n" escape inside a one-line literal
        line_start = max(newline + 1, escaped_newline + 2 if escaped_newline >= 0 else 0)
        before = code[line_start : match.start()]
        if "#" in before or re.search(r"\b(def|import)\b", before):
            continue
        if before.endswith("`"):
            continue  # quoted in prose (a message naming the call), not generated code
        name = _HOOK if "runtime_step_cli" in match.group() else _FACTORY
        end = match.end() - 1  # up to the name, without the opening parenthesis
        ctx.report(Span(node, match.start() + (1 if name == _HOOK else 0), end), message=_message(name) + " (in generated code)")
