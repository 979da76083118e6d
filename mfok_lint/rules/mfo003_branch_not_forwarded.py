"""MFO003 branch-not-forwarded.

``@project`` computes the branch from the *top-level* ``--branch``/``--production`` options of every process
that loads the flow. A step or init command that omits them runs the task under ``user.<name>``: artifacts,
tags and ``current.branch_name`` disagree with the deployment, and ``@trigger_on_finish`` never fires.

Decisions:
* An ``unknown`` token before the subcommand (a splat of ``dict_to_cli_options(...)``, a template
  placeholder we could not resolve, a head assembled elsewhere) may carry the option: never report then.
* ``--branch`` placed *after* the subcommand is MFO011's finding, not this rule's.
* A file that mentions ``METAFLOW_BRANCH``/``METAFLOW_PRODUCTION`` forwards the branch through click's
  ``auto_envvar_prefix="METAFLOW"`` environment instead: not reported.
* ``--branch`` guarded by a test on the start step ("start" in the guard) reaches only that step: reported.
* Trigger: a ``DeployedFlow`` that calls ``get_lower_level_group(...).trigger(...)`` without a ``branch``
  kwarg while the extension's own ``trigger`` CLI command (in any module of the package) declares
  ``--branch`` drops the branch the deployer was created with. Not when the trigger passes on what ``create``
  stored (``additional_info``): a queue or workflow name resolved at create time already carries the branch, and
  the trigger command's ``--branch`` is then only a fallback.
* The unsafe fix inserts ``*(["--branch", X] if X else [])`` into the list literal holding the subcommand,
  only when ``X`` is visibly available: a ``branch`` parameter of the enclosing function or a
  ``self.branch``/``self._branch`` attribute assigned in its class. Unsafe: it changes what runs, and
  an extension may resolve the branch differently (e.g. keep ``None`` for the user branch on purpose).
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.model.command_evidence import insert_before_subcommand, reportable
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import visiting

_EMPTY = cst.Module(body=[])
_ENV_ROUTE = re.compile(r"METAFLOW_(BRANCH|PRODUCTION)\b")
_TRIGGER_BLOCK = re.compile(r"\ndef\s+trigger\s*\(")


def _code(node: cst.CSTNode) -> str:
    try:
        return _EMPTY.code_for_node(node)
    except Exception:  # a node of a generated-source tree: its code is still renderable, but be safe
        return ""


class BranchNotForwarded(Rule):
    needs = frozenset({"commands", "package"})
    triggers = CommandText() | Text(b"get_lower_level_group")

    def check(self, ctx) -> None:
        if _ENV_ROUTE.search(ctx.text):
            return
        if "step" in ctx.text or "init" in ctx.text:
            for cmd in ctx.commands:
                self._check_command(ctx, cmd)
        if "get_lower_level_group" in ctx.text:
            self._check_trigger(ctx)

    # ---- step / init commands ------------------------------------------------------------------------------
    def _check_command(self, ctx, cmd) -> None:
        opt = cmd.option("--branch", "--production", side="top")
        if opt is not None:
            guard = opt.token.condition
            if guard is not None and "start" in _code(guard):
                target = reportable(ctx, opt.token.span, cmd.target)
                if target is None:
                    return
                ctx.report(
                    target,
                    message=f"`{opt.name}` is forwarded only to the start step; every step and init command needs it",
                )
            return
        if cmd.has_option("--branch", "--production", side="sub"):
            return
        if cmd.unknown_before_subcommand:
            return
        target = reportable(ctx, cmd.subcommand_token.span, cmd.target)
        if target is None:
            return
        message = (
            f"`{cmd.subcommand}` command does not forward `--branch`/`--production` before the subcommand, "
            "so `@project` flows run on the wrong branch"
        )
        ctx.report(target, message=message, fix=self._fix(ctx, cmd))

    def _fix(self, ctx, cmd):
        if cmd.function is None:
            return None
        value = _branch_source(ctx, cmd.function)
        if value is None:
            return None
        edit = insert_before_subcommand(ctx, cmd, f'*(["--branch", {value}] if {value} else []), ')
        if edit is None:
            return None
        return ctx.make_fix(Applicability.UNSAFE, "Forward --branch before the subcommand", [edit])

    # ---- trigger ------------------------------------------------------------------------------------------------
    def _check_trigger(self, ctx) -> None:
        if not _package_trigger_declares_branch(ctx):
            return


        class _Finder(cst.CSTVisitor):
            def __init__(self) -> None:
                self.functions = []

            def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
                self.functions.append(node)

            def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
                self.functions.pop()

            def visit_Call(self, node: cst.Call) -> None:
                func = node.func
                if not (isinstance(func, cst.Attribute) and func.attr.value == "trigger"):
                    return
                inner = func.value
                if not (isinstance(inner, cst.Call) and _callee_name(inner.func) == "get_lower_level_group"):
                    return
                if any(a.keyword is not None and a.keyword.value == "branch" for a in node.args):
                    return
                scope = self.functions[-1] if self.functions else None
                if scope is not None and re.search(r"""["']branch["']|\bbranch\s*=|\badditional_info\b""", _code(scope)):
                    return
                ctx.report(
                    node,
                    message="`trigger` drops the deployer's branch: pass `branch=` to the trigger command, "
                    "which declares `--branch`",
                )

        visiting.visit(ctx.module, _Finder())




def _callee_name(func) -> Optional[str]:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _package_trigger_declares_branch(ctx) -> bool:
    """Does the extension's own ``trigger`` click command (in any module of its package) take ``--branch``?"""
    for _path, text in ctx.package_code.texts(containing=(b"def trigger",)):
        text = "\n" + text
        for m in _TRIGGER_BLOCK.finditer(text):
            block_start = max(text.rfind("\ndef ", 0, m.start()), text.rfind("\nclass ", 0, m.start()), 0)
            decorators = text[block_start: m.end()]
            body_end = text.find("\ndef ", m.end())
            signature = text[m.end(): body_end if body_end != -1 else len(text)].split(")", 1)[0]
            if re.search(r"""["']--branch["']""", decorators) and "branch" in signature:
                return True
    return False


def _branch_source(ctx, function: cst.FunctionDef) -> Optional[str]:
    params = function.params
    for param in list(params.params) + list(params.kwonly_params) + list(params.posonly_params):
        if param.name.value == "branch":
            return "branch"
    first = params.params[0].name.value if params.params else None
    if first != "self":
        return None
    for attr in ("branch", "_branch"):
        if re.search(rf"\bself\.{attr}\s*(?::[^=\n]*)?=(?!=)", ctx.text):
            return f"self.{attr}"
    return None
