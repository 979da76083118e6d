"""Commands as tokens, and what makes a token sequence a Metaflow command.

A ``Token`` is a literal, a symbolic value (the expression that produces it) or unknown, with the source span it
came from and the condition it was added under. ``recognise`` splits a sequence into top-level options, the
``step``/``init`` subcommand and the subcommand's options, or says it is no Metaflow command: one needs a literal
subcommand not consumed as an option's value and at least one option Metaflow itself defines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import FrozenSet, List, Optional, Sequence

import libcst as cst

from mfok_lint.core.spans import Span
from mfok_lint.syntax.string_literals import HOLE

# ---- facts about Metaflow's CLI (2.19.x) ---------------------------------------------------------------
SUBCOMMANDS = ("step", "init")


TOP_LEVEL_OPTIONS = frozenset(
    {
        "--branch", "--production", "--environment", "--metadata", "--datastore", "--datastore-root", "--with",
        "--package-suffixes", "--config-value", "--config", "--no-pylint", "--pylint", "--quiet", "--event-logger",
        "--monitor", "--local-config-file", "--mode", "--force-rebuild-environments",
        "--no-force-rebuild-environments",
    }
)


STEP_OPTIONS = frozenset(
    {
        "--run-id", "--task-id", "--input-paths", "--input-paths-filename", "--split-index", "--tag", "--namespace",
        "--retry-count", "--max-user-code-retries", "--clone-only", "--clone-run-id", "--ubf-context",
        "--num-parallel",
    }
)


INIT_OPTIONS = frozenset({"--run-id", "--task-id", "--tag"})


FLAG_OPTIONS = frozenset(
    {"--production", "--no-pylint", "--pylint", "--quiet", "--clone-only", "--force-rebuild-environments",
     "--no-force-rebuild-environments"}
)


TWO_VALUE_OPTIONS = frozenset({"--config-value", "--config"})


_MARKERS = (TOP_LEVEL_OPTIONS | STEP_OPTIONS) - {"--tag", "--namespace", "--quiet"}


# ---- data ------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Token:
    """One argv element (or, for ``unknown``, any number of them).

    kind: ``literal`` (text known), ``value`` (one element an expression produces; ``pattern`` holds its static
    text with ``HOLE`` where values go, e.g. ``--datastore-root=ǁ``), ``unknown`` (a splat / placeholder /
    call that may hold any number of tokens, options included).
    ``expr`` is the expression producing it; for tokens found inside generated Python it belongs to the
    parsed string, not to the file's module (use ``span`` for positions: it always maps into the file).
    """

    kind: str
    text: Optional[str]
    expr: Optional[cst.CSTNode]
    span: Optional[Span]
    condition: Optional[cst.BaseExpression] = None
    pattern: Optional[str] = None

    @property
    def key(self):
        if self.span is None:
            return ("token", id(self))
        return (id(self.span.node), self.span.start, self.span.end)

    @property
    def static(self) -> Optional[str]:
        """Literal text, or the static pattern of a value token."""
        return self.text if self.kind == "literal" else self.pattern

    def option_name(self) -> Optional[str]:
        s = self.static
        if not s or not s.startswith("--"):
            return None
        name = s.split("=", 1)[0]
        if HOLE in name or not re.fullmatch(r"--[A-Za-z0-9][A-Za-z0-9_-]*", name):
            return None
        return name

    def guarded(self, condition: Optional[cst.BaseExpression]) -> "Token":
        if condition is None or self.condition is not None:
            return self
        return replace(self, condition=condition)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        body = self.text if self.kind == "literal" else (self.pattern or "?")
        return f"<{self.kind}:{body}{' if…' if self.condition is not None else ''}>"


@dataclass
class Option:
    name: str
    value: Optional[Token]
    token: Token


@dataclass
class Command:
    tokens: List[Token]
    origin: str  # "list" | "string" | "template" | "cliargs"
    anchor: cst.CSTNode
    function: Optional[cst.FunctionDef]
    subcommand: Optional[str] = None
    subcommand_index: Optional[int] = None
    top_level: List[Option] = field(default_factory=list)
    sub_options: List[Option] = field(default_factory=list)
    step_name: Optional[Token] = None
    group: Optional[str] = None  # the extension's (or Metaflow's) click group the subcommand is routed through
    unknown_before_subcommand: bool = False
    unknown_after_subcommand: bool = False
    anchor_span: Optional[Span] = None  # narrower report target inside ``anchor`` (templates)
    # The Python modules parsed from the file's strings (generated code): a token whose expression is not the
    # file's own belongs to one of them, where its names can be resolved.
    generated_modules: List[cst.Module] = field(default_factory=list, repr=False, compare=False)

    @property
    def subcommand_token(self) -> Optional[Token]:
        return None if self.subcommand_index is None else self.tokens[self.subcommand_index]

    @property
    def metaflow_sub_options(self) -> List[Option]:
        """The options after the subcommand that are Metaflow's. Behind a launcher group (``modal step``) the group's
        own command takes them: Metaflow's step options are forwarded to the real ``step``, while a name that is one
        of Metaflow's top-level options (``modal step --environment K=V``) is the group's own option, not that one."""
        if self.group is None:
            return list(self.sub_options)
        return [o for o in self.sub_options if o.name not in TOP_LEVEL_OPTIONS or o.name in STEP_OPTIONS]

    def options(self, side: str = "any") -> List[Option]:
        if side == "top":
            return list(self.top_level)
        if side == "sub":
            return self.metaflow_sub_options
        return self.top_level + self.metaflow_sub_options

    def option(self, *names: str, side: str = "any") -> Optional[Option]:
        for opt in self.options(side):
            if opt.name in names:
                return opt
        return None

    def has_option(self, *names: str, side: str = "any") -> bool:
        return self.option(*names, side=side) is not None

    @property
    def target(self):
        """Where a whole-command finding is reported."""
        return self.anchor_span or self.anchor


# ---- command recognition -------------------------------------------------------------------------------
def _parse_options(tokens: Sequence[Token]) -> List[Option]:
    options = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        name = tok.option_name()
        if name is None:
            i += 1
            continue
        static = tok.static or ""
        if "=" in static:
            value = _value_part(tok)
            options.append(Option(name, value, tok))
            i += 1
            continue
        if name in FLAG_OPTIONS:
            options.append(Option(name, None, tok))
            i += 1
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        takes_value = nxt is not None and nxt.kind != "unknown" and not (nxt.static or "").startswith("-")
        options.append(Option(name, nxt if takes_value else None, tok))
        i += 2 + (name in TWO_VALUE_OPTIONS) if takes_value else 1
    return options


def _stray_words(tokens: Sequence[Token], options: Sequence[Option]) -> int:
    """Plain words after the subcommand that no option takes as its value.

    ``step NAME`` and ``init`` take no further positional argument, so a command line never has any; a sentence
    that happens to contain the word ``step`` and an option name has some.
    """
    consumed = {id(o.token) for o in options} | {id(o.value) for o in options if o.value is not None}
    return sum(
        1
        for t in tokens
        if id(t) not in consumed and t.kind == "literal" and t.text is not None and t.text.isalpha()
    )


def _value_part(tok: Token) -> Token:
    static = tok.static or ""
    cut = static.index("=") + 1
    rest = static[cut:]
    span = tok.span
    if span is not None and span.start is not None and tok.kind == "literal" and span.end is not None:
        if span.end - span.start == len(static):
            span = Span(span.node, span.start + cut, span.end)
    if tok.kind == "literal" or HOLE not in rest:
        return Token("literal", rest, tok.expr, span, tok.condition, rest)
    return Token("value", None, tok.expr, span, tok.condition, rest)


def _find_subcommand(tokens: Sequence[Token]) -> Optional[int]:
    expecting_value = 0
    for i, tok in enumerate(tokens):
        if expecting_value:
            expecting_value -= 1
            continue
        if tok.kind == "literal" and tok.text in SUBCOMMANDS:
            return i
        name = tok.option_name()
        if name is not None and "=" not in (tok.static or "") and name not in FLAG_OPTIONS:
            if name in TOP_LEVEL_OPTIONS:
                expecting_value = 2 if name in TWO_VALUE_OPTIONS else 1
    return None


_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


_INTERPRETER = re.compile(r"(?:^|/)python[0-9.]*$|\.py$")


def _launcher_words(before: Sequence[Token]) -> int:
    """How many leading tokens are a launcher prefix: words up to and including the first interpreter
    (``ddtrace-run python``, ``memray run -o x python``, ``env A=1 python3``) wrap the interpreter, they are no
    prose. A literal holding several words (joined into shell text later) is read word by word."""
    for i, tok in enumerate(before):
        if tok.kind == "literal" and any(_INTERPRETER.search(word) for word in (tok.text or "").split()):
            return i + 1
    return 0


def _looks_like_invocation(before: Sequence[Token]) -> bool:
    """Literal words before the subcommand must be options, their values, paths, interpreters or env
    assignments: prose such as "Inject a decorator on every step, e.g. --with=x" is not a command."""
    expecting_value = 0
    skip = _launcher_words(before)
    for i, tok in enumerate(before):
        if i < skip:
            continue
        if expecting_value:
            expecting_value -= 1
            continue
        if tok.kind != "literal":
            continue
        text = tok.text or ""
        name = tok.option_name()
        if name is not None:
            if "=" not in text and name not in FLAG_OPTIONS:
                expecting_value = 2 if name in TWO_VALUE_OPTIONS else 1
            continue
        if text.startswith("-") or "/" in text or "." in text or re.fullmatch(r"python[0-9.]*", text):
            continue
        if _ENV_ASSIGNMENT.match(text) and all(
            t.kind == "literal" and _ENV_ASSIGNMENT.match(t.text or "") for t in before[:i]
        ):
            continue
        return False
    return True


def _routing_group(before: Sequence[Token], groups: FrozenSet[str]) -> Optional[str]:
    """The group word right before the subcommand (``... kubernetes step``), when it names a launcher group."""
    if not before:
        return None
    last = before[-1]
    if last.kind == "literal" and last.text in groups:
        if len(before) < 2 or before[-2].option_name() not in (TOP_LEVEL_OPTIONS - FLAG_OPTIONS):
            return last.text  # not the value of a preceding option (``--environment batch``)
    return None


def recognise(
    tokens: List[Token],
    origin: str,
    anchor: cst.CSTNode,
    function,
    anchor_span: Optional[Span] = None,
    groups: FrozenSet[str] = frozenset(),
) -> Optional[Command]:
    index = _find_subcommand(tokens)
    if index is None:
        return None
    names = {t.option_name() for t in tokens}
    if not names & _MARKERS:
        return None
    before, after = tokens[:index], tokens[index + 1:]
    group = _routing_group(before, groups)
    if not _looks_like_invocation(before[:-1] if group else before):
        return None
    cmd = Command(list(tokens), origin, anchor, function, anchor_span=anchor_span)
    cmd.group = group
    cmd.subcommand = tokens[index].text
    cmd.subcommand_index = index
    cmd.top_level = _parse_options(before[:-1] if group else before)
    rest = list(after)
    if cmd.subcommand == "step" and rest and rest[0].kind != "unknown" and not (rest[0].static or "").startswith("-"):
        cmd.step_name = rest[0]
        rest = rest[1:]
    cmd.sub_options = _parse_options(rest)
    if origin not in ("list", "cliargs") and _stray_words(rest, cmd.sub_options):
        return None  # prose that mentions a subcommand ("step commands carry --environment conda")
    cmd.unknown_before_subcommand = index == (1 if group else 0) or any(t.kind == "unknown" for t in before)
    cmd.unknown_after_subcommand = any(t.kind == "unknown" for t in after)
    return cmd
