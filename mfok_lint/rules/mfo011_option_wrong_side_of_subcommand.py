"""MFO011 option-wrong-side-of-subcommand.

``python flow.py [top-level options] step|init [subcommand options]`` is two click commands: the flow's
group parses everything before the subcommand, the subcommand everything after. An option on the wrong
side fails with "No such option" (or, worse, is swallowed as the value of a neighbour) when the task starts.

Decisions:
* The option sets are those of the Metaflow releases the code targets (``core.metaflow_contract``, read from
  ``metaflow/cli.py`` for the group and the ``step``/``init`` commands of each release). ``--tag`` and
  ``--namespace`` exist only on ``step``/``init`` (and on ``run``/``resume``, which are not step commands): the
  group has neither. ``step --with`` was accepted up to 2.13.3.
* Before the subcommand: any ``step``/``init`` option that the group does not also define, in some targeted
  release. After it: any group option that the subcommand does not also define, in some targeted release
  (``init`` also accepts ``--<parameter>`` flags, which never collide with the group's names because Metaflow
  reserves them). When only some of the targeted releases reject the option, the message says which.
* A command routed through a launcher group (``python flow.py modal step ...``, ``model.launchers``): the options
  after the subcommand go to the group's own ``step`` command, which forwards Metaflow's step options and has
  options of its own; a name that is one of Metaflow's group options there (``modal step --environment K=V``) is
  the launcher's option and is not reported.
* The safe fix moves the option and its value when option, value and subcommand are whole elements of one
  list literal (and, for ``step``, the step name too): a sub-option goes right after ``step NAME``/``init``, a
  group option right before the subcommand. Anything else (strings, templates, helpers) gets no fix, and
  neither does an option that the side it would move to rejects in some targeted release: a ``step``-only
  option before ``init`` (``--clone-run-id``), which no side accepts, or ``--tag`` before ``init`` in code that
  also targets releases before 2.2.6, whose ``init`` has no ``--tag``.
"""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.core.metaflow_contract import (
    KNOWN_RELEASES,
    MetaflowRange,
    MetaflowVersion,
    init_options,
    step_options,
    top_level_options,
)
from mfok_lint.model.command_evidence import reportable
from mfok_lint.prefilter import CommandText
from mfok_lint.rules.base import Rule
from mfok_lint.syntax import visiting

_SUBCOMMAND_OPTIONS = {"step": step_options, "init": init_options}


class _OptionSets:
    """The group's and the subcommands' options in each release the code targets where they can differ."""

    def __init__(self, targeted: MetaflowRange) -> None:
        releases = {targeted.oldest, targeted.newest}
        releases.update(v for v in KNOWN_RELEASES if targeted.oldest <= v <= targeted.newest)
        self.releases: List[MetaflowVersion] = sorted(releases)
        self.targeted = targeted

    def rejecting(self, accepted_by, owned_by, name: str) -> List[MetaflowVersion]:
        """The targeted releases where ``name`` belongs to ``owned_by``'s side but ``accepted_by`` does not take it."""
        return [v for v in self.releases if name in owned_by(v) and name not in accepted_by(v)]

    def when(self, rejecting: List[MetaflowVersion]) -> str:
        """"" when every targeted release rejects the option, else which of them do."""
        if len(rejecting) == len(self.releases):
            return ""
        first, last = rejecting[0], rejecting[-1]
        span = f"from Metaflow {first} on" if last == self.releases[-1] else f"in Metaflow {first} to {last}"
        return f" {span} (the code targets {self.targeted})"


def _subcommands(version: MetaflowVersion) -> frozenset:
    return step_options(version) | init_options(version)


class OptionWrongSideOfSubcommand(Rule):
    needs = frozenset({"commands"})
    triggers = CommandText()

    def check(self, ctx) -> None:
        sets = _OptionSets(ctx.metaflow)
        # one helper often feeds both the step and the init command: report each option token once
        seen = set()
        for cmd in ctx.commands:
            for opt in cmd.top_level:
                rejecting = sets.rejecting(top_level_options, _subcommands, opt.name)
                if rejecting:
                    owners = [f"`{name}`" for name, options in _SUBCOMMAND_OPTIONS.items() if opt.name in options(rejecting[-1])]
                    verb = "define" if len(owners) > 1 else "defines"
                    message = (
                        f"`{opt.name}` comes before `{cmd.subcommand}`, but only {' and '.join(owners)} {verb} it; "
                        f"the flow's top-level group rejects it{sets.when(rejecting)}"
                    )
                    self._report(ctx, cmd, opt, message, True, seen, sets)
            accepted = _SUBCOMMAND_OPTIONS.get(cmd.subcommand or "", step_options)
            for opt in cmd.metaflow_sub_options:
                rejecting = sets.rejecting(accepted, top_level_options, opt.name)
                if rejecting:
                    message = (
                        f"`{opt.name}` is a top-level option but comes after `{cmd.subcommand}`, "
                        f"which rejects it{sets.when(rejecting)}; move it before the subcommand"
                    )
                    self._report(ctx, cmd, opt, message, False, seen, sets)

    def _report(self, ctx, cmd, opt, message, before: bool, seen: set, sets: _OptionSets) -> None:
        target = reportable(ctx, opt.token.span, cmd.target)
        if target is None:
            return
        where = ctx.offsets(target)
        if where in seen:
            return
        seen.add(where)
        ctx.report(target, message=message, fix=_fix(ctx, cmd, opt, before, sets.releases))


def _whole(token) -> Optional[cst.CSTNode]:
    if token is None or token.span is None or token.span.start is not None or token.expr is None:
        return None
    return token.span.node


def _fix(ctx, cmd, opt, before: bool, releases: List[MetaflowVersion]):
    if cmd.origin != "list":
        return None
    # The side the option moves to must take it in every targeted release, or the move trades one "No such option"
    # for another: --clone-run-id before init (init never takes it), --tag before init for code that also targets
    # releases before 2.2.6 (init --tag is newer), a --local-config-file after step moved into a group that
    # gained it only in 2.12.37.
    accepts = _SUBCOMMAND_OPTIONS[cmd.subcommand] if before else top_level_options
    if any(opt.name not in accepts(version) for version in releases):
        return None
    moved = [_whole(opt.token)]
    if opt.value is not None and "=" not in (opt.token.static or ""):  # "--tag=x" is one element
        moved.append(_whole(opt.value))
    anchor_token = cmd.subcommand_token
    if before and cmd.subcommand == "step":
        anchor_token = cmd.step_name
    anchor = _whole(anchor_token)
    if anchor is None or any(node is None for node in moved):
        return None
    lst = _list_holding(ctx.module, [anchor] + moved)
    if lst is None:
        return None
    values = [e.value for e in lst.elements]
    try:
        first = values.index(moved[0])
    except ValueError:
        return None
    if values[first: first + len(moved)] != moved:
        return None
    last = first + len(moved) - 1
    moved_code = ", ".join(ctx.code_for(node) for node in moved)
    # delete "opt, value, " (or ", opt, value" when they end the list)
    if last + 1 < len(values):
        del_start = ctx.offsets(values[first])[0]
        del_end = ctx.offsets(values[last + 1])[0]
    elif first > 0:
        del_start = ctx.offsets(values[first - 1])[1]
        del_end = ctx.offsets(values[last])[1]
    else:
        return None
    anchor_index = values.index(anchor)
    if before:
        if anchor_index < last:
            return None
        insert_at = ctx.offsets(anchor)[1]
        text = ", " + moved_code
    else:
        if anchor_index > first:
            return None
        insert_at = ctx.offsets(anchor)[0]
        text = moved_code + ", "
    if del_start <= insert_at <= del_end:
        return None
    edits = [ctx.edit((del_start, del_end), ""), ctx.insert_at(insert_at, text)]
    side = f"after `{cmd.subcommand}`" if before else f"before `{cmd.subcommand}`"
    return ctx.make_fix(Applicability.SAFE, f"Move `{opt.name}` {side}", edits)


def _list_holding(module: cst.Module, nodes: List[cst.CSTNode]) -> Optional[cst.List]:
    found: List[cst.List] = []
    wanted = {id(n) for n in nodes}

    class _Find(cst.CSTVisitor):
        def visit_List(self, node: cst.List) -> None:
            have = {id(e.value) for e in node.elements}
            if wanted <= have:
                found.append(node)

    visiting.visit(module, _Find())
    return found[0] if found else None
