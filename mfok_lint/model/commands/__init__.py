"""The command model: every Metaflow CLI invocation a file builds, as an ordered token sequence.

Design decisions
----------------
* **One walk per scope, in statement order.** Each function (and the module body) is evaluated once by a
  small abstract interpreter over libcst statements. Variables holding token lists are tracked by name
  (``cmd``, ``self._args``); ``=``, ``+=``, ``.append``, ``.extend``, ``+``, ``[*a, *b]``, ``list(x)``,
  ``" ".join(x)``, ``shlex.join``/``shlex.split`` and conditional expressions are understood. Tokens added under
  an ``if``/``IfExp``/``for`` carry that test (the loop's iterable for ``for``) as ``condition``; the model does
  not try to decide which polarity. No ScopeProvider: names are resolved within the function being walked,
  which is what extension code does in practice, and it keeps a file to one libcst pass plus cheap walks.
* **Helpers are followed, depth-limited.** ``self._top_args()``, ``build_args(...)`` and ``cls._x()`` resolve to
  a function of the same module (same class first); the tokens its ``return`` builds are spliced in, with the
  *same* token objects, so the command built inside the helper and the one built by the caller are recognised
  as one (see de-duplication). Arguments are not substituted: a helper's parameters stay symbolic values.
* **Strings are parsed, not grepped.** Any string expression (literal, f-string, ``%``/``.format`` template,
  implicit concatenation) whose text has the word ``step`` or ``init`` is decoded with per-character source
  offsets (``syntax.string_literals``); placeholders become holes. If the text parses as Python and contains a list or a
  call, it is generated Python: it is parsed with libcst and evaluated by this same interpreter, with spans
  mapped back into the string literal. Otherwise it is shell: it is split into simple commands by ``syntax.shell_words``
  (offset-keeping shlex rules, heredoc bodies analysed recursively). A hole that stands alone as a list
  element / line in generated Python, or as a whole shell word, may expand to any number of tokens: it is
  ``unknown`` unless the template names its filler and the filler can be evaluated (a same-module helper, a
  ``SEP.join(list)``, or a string fragment of Python list elements), in which case its tokens are spliced in.
* **Lists of source fragments are code.** Compilers that assemble generated source build lists such as
  ``['"step"', repr(name), '"--run-id"', 'run_id']``; a list literal with at least one element that is itself
  a quoted Python string literal is read as such a fragment list (``'"step"'`` is the literal ``step``,
  ``'run_id'`` a value). A list literal of code lines (``["cmd = [", indent + '"init",', "]"]``) is joined
  with newlines and analysed as generated Python.
* **Lists grow before they are spliced.** A template is read with the variables of its function as they stand
  at the function's end, so a fragment list grown by ``.append('"--tag=%s"' % tag)`` or ``+=`` fills its
  placeholder whole; an element that holds several list elements (``'    "--%s", str(v),' % name``) is read as
  those elements. ``repr(list)`` is the list: its source is what fills ``extra_args={extra}``.
* **Generated functions get their arguments.** A generated function that extends its command with a
  parameter (``cmd.extend(extra_args)``) yields, for each compiler template passing ``extra_args={x}`` where
  ``x`` evaluates to tokens with an option, the command with those tokens in the parameter's place.
* **Line builders.** Generated code written one call per line (``cb.emit("...")`` with ``cb.indent()``,
  ``lines.append``, ``buf.write``, ``out += "...\n"``) is joined by ``model.emitted_lines`` and analysed like
  any other generated text; a command found there is anchored at the line that writes its subcommand.
* **Whole-word shell placeholders** (``{x}`` alone as a word) are one value when formatted with ``!r``/``%r``
  or named like one value (``flow_file``, ``step_name``, ``run_id``, ...); otherwise (``{step_cmd}``,
  ``{top_args}``) they may expand to several words and are ``unknown``.
* **What makes a Metaflow command.** A token sequence is a command when it holds a literal subcommand
  ``step`` or ``init`` (not consumed as the value of a preceding option) and at least one option Metaflow
  itself defines (``--run-id``, ``--task-id``, ``--input-paths``, ``--metadata``, ``--datastore``,
  ``--environment``, ``--no-pylint``, ``--quiet``, ``--branch``, ``--with``, ...). Unrelated lists or prose that
  mention "step" therefore never form commands. A sequence that *starts* with its subcommand (the head is
  assembled elsewhere) is a command whose head is unknown: ``unknown_before_subcommand`` is True.
* **Metaflow's CLIArgs shape.** A function that sets ``self.commands = ["step"]`` next to
  ``self.top_level_options`` / ``self.command_options`` dicts (the shape of ``metaflow.runtime.CLIArgs``,
  copied by several extensions) yields a command ``entrypoint + top-level dict + commands + args + options``.
* **De-duplication.** The same command is often visible at several stages (a list, then the list plus a
  suffix, then the list joined into a string). Every token has a source identity; a candidate whose
  tokens are a contiguous run of another candidate's tokens, sharing its subcommand token, is dropped.
* **Comments and docstrings never produce commands**: comments are not nodes, and expression statements
  that are bare strings (docstrings included) are skipped.
* **No work for files without candidates**: a file whose text lacks the word ``step``/``init`` or any Metaflow
  option name (``--run-id``, ``"task-id"``, ``--metadata``, ...) returns [] without walking the tree.

Where things are: ``tokens`` (tokens, commands and their recognition, with Metaflow's CLI facts), ``prefilter``
(the text test that keeps files without candidates from ever being parsed), ``index`` (the walk that records what
the evaluator looks up) and ``evaluator`` (the interpreter that builds the token lists).
"""

from __future__ import annotations

from typing import List

import libcst as cst

from mfok_lint.model.commands.evaluator import _analyse_module
from mfok_lint.model.launchers import METAFLOW_GROUPS, groups_in_text, launcher_groups
from mfok_lint.model.commands.index import _PRECOLLECTED_INDEX, index_collector
from mfok_lint.model.commands.prefilter import may_build_commands
from mfok_lint.model.emitted_lines import emitted_texts, emitted_texts_of_module
from mfok_lint.model.commands.tokens import (
    INIT_OPTIONS,
    STEP_OPTIONS,
    SUBCOMMANDS,
    TOP_LEVEL_OPTIONS,
    Command,
    Option,
    Token,
)
from mfok_lint.syntax.source_file import SourceFile
from mfok_lint.syntax.string_literals import HOLE

__all__ = [
    "HOLE",
    "INIT_OPTIONS",
    "STEP_OPTIONS",
    "SUBCOMMANDS",
    "TOP_LEVEL_OPTIONS",
    "Command",
    "Option",
    "Token",
    "build_commands",
    "commands_for_source",
    "commands_of",
    "index_collector",
    "may_build_commands",
]


def commands_of(source: SourceFile) -> List[Command]:
    """Every Metaflow command the file builds, computed once per file for every reader."""
    return source.lazy("commands", build_commands)


def build_commands(ctx: SourceFile) -> List[Command]:
    if not may_build_commands(ctx.text):
        return []
    shared = ctx.cached(_PRECOLLECTED_INDEX)
    groups = launcher_groups(ctx)
    return _analyse_module(
        ctx.module, shared.inner if shared is not None and shared.usable() else None, groups, emitted_texts(ctx)
    )


def commands_for_source(text: str) -> List[Command]:
    """Convenience for tests and tools: the commands of a piece of Python source."""
    if not may_build_commands(text):
        return []
    module = cst.parse_module(text)
    return _analyse_module(
        module, groups=METAFLOW_GROUPS | groups_in_text(text), emitted_texts=emitted_texts_of_module(module, text)
    )
