"""MFO028 environment-decorator-ignored: a compiler runs ``python flow.py step`` itself and drops ``@environment``.

``@environment(vars={...})`` does nothing inside the task: its only hook is ``runtime_step_cli``, which copies
``vars`` into ``cli_args.env`` when *Metaflow's* runtime launches the step. An orchestrator that builds the
``step`` command on its own has to read ``node.decorators`` (``deco.name == "environment"``,
``deco.attributes["vars"]``) and put the variables into the task's environment, as the argo, step-functions
and airflow plugins do; otherwise every variable the user declared is silently missing at run time.

Design decisions:
- Scope is the *package* (``model.package_code``): the linted file must build a ``step`` command (the shared
  command model, any shape it understands), and no module of the extension may handle the decorator.
  Extensions routinely compute the step environment in one module (``_graph.py``) and emit the command in
  another (``_codegen.py``). Linting stdin or a lone file sees only that file.
- "Handles the decorator" is any of: ``EnvironmentDecorator``; a comparison with the string ``"environment"``
  (``deco.name == "environment"``, ``[... if d.name == "environment"]``); ``attributes["vars"]`` /
  ``attributes.get("vars")``; ``environment_decorator`` (Metaflow's module); a call of ``runtime_step_cli(``
  (the hook itself applies ``vars``; calling it by hand is MFO027's finding). The files are read as text
  with whole-line comments dropped: a mention inside a string literal counts as handling, which can only
  hide a finding, never invent one.
- Test modules (``test_*.py``, ``*_test.py``, files under ``tests/``) build commands to exercise an extension,
  they are not compilers: not reported.
- The command must carry a Metaflow option on its proper side (a top-level option before ``step`` or a step
  option after it): the shared model also accepts word sequences from prose such as "step commands carry
  --environment conda", which are not invocations.
- One finding per file, at the ``step`` token of its first step command (the command the fix changes: its
  environment is where the variables go), or at the whole command when that token has no place in the file.
"""

from __future__ import annotations

import os
import re

from mfok_lint.model.command_evidence import reportable
from mfok_lint.model.commands import STEP_OPTIONS, TOP_LEVEL_OPTIONS
from mfok_lint.prefilter import CommandText
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context

_HANDLED = re.compile(
    r"EnvironmentDecorator|environment_decorator"
    r"|==\s*[\"']environment[\"']|[\"']environment[\"']\s*=="
    r"|attributes\s*(\[\s*[\"']vars[\"']\s*\]|\.get\(\s*[\"']vars[\"'])"
    r"|\.runtime_step_cli\s*\("
)
_TEST_PATH = re.compile(r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.py$)")


def _code_lines(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _handled_in(text: str) -> bool:
    return bool(_HANDLED.search(_code_lines(text)))


def _package_handles(ctx) -> bool:
    """Does any other module of the extension's package apply ``@environment``'s variables?"""
    for path, text in ctx.package_code.texts():
        if path != ctx.path and _handled_in(text):
            return True
    return False


def _invocation_like(command) -> bool:
    """A Metaflow option on its proper side: prose such as "step commands carry --environment conda" is not."""
    if any(o.name in TOP_LEVEL_OPTIONS for o in command.top_level):
        return True
    return any(o.name in STEP_OPTIONS for o in command.sub_options)


class EnvironmentDecoratorIgnored(Rule):
    needs = frozenset({"commands", "package"})
    triggers = CommandText()

    def check(self, ctx: Context) -> None:
        path = ctx.path.replace(os.sep, "/")
        if _TEST_PATH.search(path):
            return
        steps = [c for c in ctx.commands if c.subcommand == "step" and _invocation_like(c)]
        if not steps or _handled_in(ctx.text):
            return
        # A template file is checked under the name of a module beside the code that renders it, which does not
        # exist itself: its directory is what matters.
        in_a_directory = os.path.isdir(os.path.dirname(os.path.abspath(ctx.path)))
        if ctx.path not in ("-", "<stdin>") and in_a_directory and _package_handles(ctx):
            return
        # Ordering by offset resolves positions (a pass over the whole module): only once a report is certain.
        targets = [reportable(ctx, c.subcommand_token.span, c.target) for c in steps]
        ctx.report(min((t for t in targets if t is not None), key=lambda t: ctx.offsets(t)[0]))
