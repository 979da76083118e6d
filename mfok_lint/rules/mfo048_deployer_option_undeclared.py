"""MFO048 deployer-option-undeclared: the Deployer calls one of the extension's commands with a keyword that
command does not declare.

Facts (Metaflow 2.12.9 to 2.19.39):
- ``get_lower_level_group(api, top_level_kwargs, TYPE, deployer_kwargs).<command>(**kwargs)`` is Metaflow's click
  API: ``runner/click_api.py: _method_sanity_check`` raises ``ValueError("Unknown argument: ...")`` for every
  keyword that is not the ``name`` of one of the click command's parameters (``--run-param`` declared as
  ``"--run-param", "run_params"`` is the keyword ``run_params``). ``context_settings`` do not change that check.
- ``DeployerImpl._create`` (2.12.29 on; ``DeployerImpl.create`` from 2.12.9 to 2.12.28) always calls the
  extension's ``create`` command with ``deployer_attribute_file=<fifo>`` (``runner/deployer_impl.py``, and
  ``runner/deployer.py`` before 2.12.29), so a ``create`` command without ``--deployer-attribute-file`` makes
  ``Deployer(...).<type>().create()`` fail before anything is deployed.

Decisions:
- The extension's own calls (a ``DeployedFlow.trigger``, a ``TriggeredRun.terminate``) are read by
  ``model.deployer_calls``: literal keywords and the literal keys of a dict splatted into the call. The command
  is looked up among the package's click commands (``model.click_commands``) in the group named by the call's
  literal ``TYPE``, else the package's ``DeployerImpl`` ``TYPE`` when there is exactly one, else any group when
  exactly one command has that name. Reported at the keyword.
- The ``create`` command is checked where it is defined, when a ``DeployerImpl`` of the package with that group's
  ``TYPE`` lets Metaflow call it: its ``create`` returns ``self._create(...)``, or it has none and the code targets
  a release before 2.12.29, whose base ``create`` ran the command. A ``create`` the extension runs itself is
  checked as one of its own calls instead.
- Only commands whose every decorator is understood are judged: a decorator such as
  ``parameters.add_custom_parameters`` or a shared options helper may declare the parameter. Commands defined
  outside the package (Metaflow's own) are never looked up.
- This is not MFO104 (the group's shape) nor MFO044 (the file's keys): the group and the file can both be right
  and the call still fail on its keyword.
"""

from __future__ import annotations

from typing import Optional, Set, Tuple

import libcst as cst

from mfok_lint.model.click_commands import ClickCommand, click_commands, commands_named
from mfok_lint.model.deployer_calls import deployer_types, lower_level_calls
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import visiting

_ATTRIBUTE_FILE = "deployer_attribute_file"


def _package_types(ctx) -> Set[str]:
    types: Set[str] = set()
    for _source, (_cls, value) in ctx.package_code.each(deployer_types, containing=(b"DeployerImpl",)):
        if value is not None:
            types.add(value)
    return types


def _calls_private_create(function: cst.FunctionDef) -> bool:
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "_create":
                found.append(node)

    visiting.visit(function, Finder())
    return bool(found)


def _naming(command: bytes) -> Tuple[bytes, ...]:
    """How a module spells the name of a click command it registers: the function's name or the decorator's."""
    return (b"def " + command, b'"' + command + b'"', b"'" + command + b"'")


def _listing(command: ClickCommand) -> str:
    names = command.param_names()
    return ", ".join(f"`{n}`" for n in names) if names else "none"


class DeployerOptionUndeclared(Rule):
    needs = frozenset({"package"})
    # A call through Metaflow's click API, or a click command registered under the name ``create`` (its function's
    # name or the name given to the decorator) on a group the same module declares.
    triggers = Text(b"get_lower_level_group") | (
        Text(*_naming(b"create")) & Text(b"command") & Text(b"group")
    )

    def check(self, ctx) -> None:
        if "get_lower_level_group" in ctx.text:
            self._check_calls(ctx)
        if "create" in ctx.text:
            self._check_create(ctx)

    # ---- the extension's own calls ---------------------------------------------------------------------------
    def _check_calls(self, ctx) -> None:
        calls = lower_level_calls(ctx)
        if not calls:
            return
        types: Optional[Set[str]] = None
        for call in calls:
            if not call.keywords:
                continue
            group = call.group
            if group is None:
                if types is None:
                    types = _package_types(ctx)
                group = next(iter(types)) if len(types) == 1 else None
            # A module can define the command only where it names it and declares a click command, and the group
            # too when the call names one.
            sources = ctx.package_code.sources(
                containing=_naming(call.command.encode()),
                requiring=(b"command", b"group") if group is not None else (b"command",),
            )
            candidates = commands_named(sources, call.command, group)
            if group is None and len(candidates) != 1:
                continue
            if not candidates or not all(c.complete for c in candidates):
                continue
            for keyword, node in call.keywords:
                if any(keyword in c.param_names() for c in candidates):
                    continue
                command = candidates[0]
                ctx.report(
                    node,
                    message=f"`{keyword}=` is passed to the `{command.group_name or group or '?'} {call.command}` "
                    f"command, which declares no parameter `{keyword}` (it takes {_listing(command)}): "
                    f"Metaflow's click API raises `Unknown argument: '{keyword}'`",
                )

    # ---- the create command Metaflow calls -------------------------------------------------------------------
    def _check_create(self, ctx) -> None:
        own = [c for c in click_commands(ctx) if c.name == "create" and not c.is_group and c.group_name]
        for command in own:
            if not command.complete or _ATTRIBUTE_FILE in command.param_names():
                continue
            if not self._metaflow_calls_create(ctx, command.group_name):
                continue
            ctx.report(
                command.function.name,
                message=f"`{command.group_name} create` declares no `--deployer-attribute-file`, but Metaflow's "
                f"`DeployerImpl` calls it with `deployer_attribute_file=`: `Deployer(...).create()` fails with "
                f"`Unknown argument: '{_ATTRIBUTE_FILE}'`",
            )

    def _metaflow_calls_create(self, ctx, group: str) -> bool:
        for _source, (cls, value) in ctx.package_code.each(deployer_types, containing=(b"DeployerImpl",)):
            if value != group:
                continue
            create = cls.member("create")
            if isinstance(create, cst.FunctionDef):
                if _calls_private_create(create):
                    return True
            elif create is None and cls.sees_all_bases() and ctx.metaflow.ever("deployer_impl_base_create_deploys"):
                return True
        return False
