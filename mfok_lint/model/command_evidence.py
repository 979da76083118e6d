"""Shared evidence for rules that judge the *absence* of something in a step/init command.

Design decisions
----------------
* **Absence is only claimed on closed commands.** The command model links the pieces of a command it can
  follow (lists, helpers, templates); extensions also assemble a command in two places the model cannot join
  (a head rendered into one template and its options appended by generated code filled in elsewhere). So a
  rule that says "option X is missing" first asks whether X is spelled anywhere in the file *outside* the
  tokens of the commands the model found (``mentioned_outside_commands``): such a mention is a continuation
  the model did not see, and the rule stays silent. Mentions in comments and docstrings also silence it:
  a missed finding is cheaper than a false one.
* **String literals come from ``tokenize``**, not from a second libcst walk: a cheap, memoised pass that
  gives every string token (f-strings included) with its offset.
* **Reports land in the file.** Spans into generated source are mapped back by the command model, but
  ``reportable`` still checks that a target resolves before reporting it.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence

from mfok_lint.model.commands import commands_of

__all__ = [
    "covered_ranges",
    "function_params",
    "insert_before_subcommand",
    "is_list_element",
    "unique_options",
    "mentioned_outside_commands",
    "reportable",
    "string_literals",
]


def reportable(ctx, *targets):
    """The first target that maps to offsets in the file, or None."""
    for target in targets:
        if target is None:
            continue
        try:
            ctx.offsets(target)
        except (KeyError, ValueError, AttributeError):
            continue
        return target
    return None


def covered_ranges(ctx) -> list[tuple[int, int]]:
    """Character ranges of every token of every recognised command (memoised per file)."""

    def build(_ctx):
        ranges = []
        for cmd in commands_of(ctx):
            for tok in cmd.tokens:
                if tok.span is None:
                    continue
                try:
                    ranges.append(ctx.offsets(tok.span))
                except (KeyError, ValueError, AttributeError):
                    continue
        return ranges

    return ctx.lazy("cmdchecks:covered", build)


def mentioned_outside_commands(ctx, pattern: re.Pattern[str]) -> bool:
    """Does ``pattern`` match the file text anywhere no recognised command token covers?"""
    ranges = covered_ranges(ctx)
    for m in pattern.finditer(ctx.text):
        pos = m.start()
        if not any(start <= pos < end for start, end in ranges):
            return True
    return False


def string_literals(ctx) -> list[tuple[int, str]]:
    """(line, source text) of every string token of the file, f-strings included (memoised)."""

    def build(_ctx):
        found = []
        try:
            for tok in tokenize.generate_tokens(io.StringIO(ctx.text).readline):
                if tok.type == tokenize.STRING:
                    found.append((tok.start[0], tok.string))
                elif tok.type == getattr(tokenize, "FSTRING_START", -1):
                    found.append((tok.start[0], tok.line))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            pass
        return found

    return ctx.lazy("cmdchecks:strings", build)


def function_params(function) -> Sequence[str]:
    if function is None:
        return ()
    params = function.params
    return [p.name.value for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params)]


def first_param(function) -> str | None:
    names = function_params(function)
    return names[0] if names else None


def is_list_element(function, node) -> bool:
    """Whether ``node`` is written as an element of a list display inside ``function`` (where a fix can insert)."""
    import libcst as cst

    from mfok_lint.syntax import visiting

    found = []

    class _Find(cst.CSTVisitor):
        def visit_List(self, lst: cst.List) -> None:
            if any(isinstance(e, cst.Element) and e.value is node for e in lst.elements):
                found.append(lst)

    visiting.visit(function, _Find())
    return bool(found)


def insert_before_subcommand(ctx, cmd, text: str):
    """An edit inserting ``text`` right before the subcommand of a command written as a list display, or None.

    Only a plain string element of a list literal in the command's own function qualifies: anywhere else
    (templates, shell strings, helpers) the insertion point is not a list position.
    """
    import libcst as cst

    if cmd.origin not in ("list", "cliargs") or cmd.function is None:
        return None
    sub = cmd.subcommand_token
    if sub.span is None or sub.span.start is not None or not isinstance(sub.span.node, cst.SimpleString):
        return None
    if not is_list_element(cmd.function, sub.span.node):
        return None
    start, _ = ctx.offsets(sub.span.node)
    return ctx.insert_at(start, text)


def unique_options(ctx, name: str, subcommand=None):
    """(command, option) for every command carrying option ``name``, once per option token.

    A helper that builds the option for several commands yields one finding, not one per command.
    """
    seen = set()
    for cmd in commands_of(ctx):
        if subcommand is not None and cmd.subcommand != subcommand:
            continue
        opt = cmd.option(name)
        if opt is None or opt.token.key in seen:
            continue
        seen.add(opt.token.key)
        yield cmd, opt
