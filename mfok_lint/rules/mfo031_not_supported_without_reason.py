"""MFO031 not-supported-without-reason: ``NotSupportedException`` raised without saying why.

A deploy that stops with "@parallel is not supported with X." leaves the user guessing whether the limit is
the scheduler's (no gang scheduling, no shared network between workers), the extension's (not written yet)
or their own configuration, and so whether to wait, contribute or change the flow. The exception exists to
state an architectural constraint; the message must carry it.

Design decisions:
- The class is matched by name: ``NotSupportedException`` bare or dotted. Metaflow 2.19 has no class of that
  name in ``metaflow.exception``; every orchestrator (Metaflow's airflow plugin and each released extension)
  defines its own ``MetaflowException`` subclass with this name, so the name is the contract. The name is read
  through the file's imports (``syntax.names.class_in_file``): the class imported under another name
  (``... import NotSupportedException as Unsupported``) is the class itself.
- The message is the first positional argument or ``msg=``. Its *static text* is read through string
  literals, implicit concatenation, ``+``, ``%`` and ``.format`` templates and f-strings; placeholders count
  as nothing. A message that is a plain variable or a call is not judged (no report).
- What counts as a reason (either is enough):
  1. a causal or constraint marker anywhere in the text: ``because``, ``since``, ``due to``, ``as <word>``
     after a comma, ``require(s/d)``, ``need(s)``, ``cannot``/``can't``/``can not``, ``lack(s)``,
     ``has/have no``, ``only``, ``without``, ``does/do not have/provide/allow/expose/share/run/support``
     followed by more text, ``would``, ``there is no``;
  2. a further sentence (after ``.``, ``;``, ``!``, ``:`` or a dash) of at least three words that is not an
     instruction: sentences that begin with an imperative (``use``, ``remove``, ``please``, ``try``, ``set``,
     ``pass``, ``consider``, ``see``, ``report``, ``add``, ``switch``, ``open``, ``contact``, ``deploy``,
     ``run``, ``file``) describe a workaround, not the constraint, and a sentence that only says again that
     something is "not supported" / "unsupported" / "not implemented" restates the refusal.
  3. a parenthesised clause of at least three words that states a limit (a negation: ``(Kestra's
     EachSequential tasks do not support nesting)``) and is not a restatement of the refusal.
  Everything else (no message, an empty one, the feature name, "X is not (yet) supported (with Y)",
  "not implemented") is reported.
- An internal-error guard is not a refusal: a message that says the case is a bug (``Please report this as a
  bug``, ``internal error``, ``should not happen``) marks a branch the author believes unreachable, which has no
  limit to explain. It is not reported.
- Screen before the parse: only a file with a ``raise`` of that name (CPython's ``ast``) is parsed by libcst.
  The modules that define the class or import it are far more numerous than those that raise it.
"""

from __future__ import annotations

import re
from typing import List, Optional

import libcst as cst

from mfok_lint.prefilter import Text
from mfok_lint.prefilter.screens import Raises
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.names import class_in_file

_CLASS = "NotSupportedException"
_REASON = re.compile(
    r"\b(because|since|due to|requires?|required|needs?|cannot|can't|can not|lacks?|lacking|only|without|would|"
    r"there is no|there are no|(has|have) no|(does|do)(n't| not) (have|provide|allow|expose|share|run|"
    r"support \S+ \S+ \S+))\b"
    r"|, as \w+",
    re.IGNORECASE,
)
_IMPERATIVE = {
    "use", "remove", "please", "try", "set", "pass", "consider", "see", "report", "add", "switch", "open",
    "contact", "deploy", "run", "file", "drop", "replace", "change",
}  # fmt: skip
_RESTATEMENT = re.compile(
    r"\b(not (yet |currently )?(be )?supported|unsupported|isn't (yet |currently )?supported|not (yet )?implemented)\b",
    re.IGNORECASE,
)
_PARENTHESISED = re.compile(r"\(([^()]*)\)")
_NEGATION = re.compile(r"\b(not|no|never|cannot)\b|n't\b", re.IGNORECASE)
_INTERNAL_ERROR = re.compile(
    r"\b(report (this|it) as a bug|this is a bug|is a bug|internal error|should (never|not) happen|unreachable)\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.;!:]\s+|\s+[-\u2014]+\s+|[.;!:]$")
_HOLE = "\x00"


def static_text(node: cst.BaseExpression) -> Optional[str]:
    """The fixed text of a message expression, placeholders as holes; None when nothing is fixed."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = static_text(node.left), static_text(node.right)  # type: ignore[arg-type]
        return None if left is None or right is None else left + right
    if isinstance(node, cst.FormattedString):
        parts: List[str] = []
        for part in node.parts:
            parts.append(part.value if isinstance(part, cst.FormattedStringText) else _HOLE)
        return "".join(parts)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Modulo):
            template = static_text(node.left)
            return None if template is None else re.sub(r"%(\([^)]*\))?[-+ #0-9.]*[a-zA-Z%]", _HOLE, template)
        if isinstance(node.operator, cst.Add):
            left, right = static_text(node.left), static_text(node.right)
            if left is None and right is None:
                return None
            return (left if left is not None else _HOLE) + (right if right is not None else _HOLE)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        template = static_text(node.func.value)
        return None if template is None else re.sub(r"\{[^{}]*\}", _HOLE, template)
    return None  # a variable or a call: the text is decided elsewhere


def gives_reason(text: str) -> bool:
    words_only = text.replace(_HOLE, " X ")
    if _REASON.search(words_only):
        return True
    for clause in _PARENTHESISED.findall(words_only):
        words = re.findall(r"[A-Za-z@'_-]+", clause)
        if len(words) >= 3 and _NEGATION.search(clause) and not _RESTATEMENT.search(clause):
            return True
    sentences = [s.strip() for s in _SENTENCE_BREAK.split(words_only) if s and s.strip()]
    for sentence in sentences[1:]:
        words = re.findall(r"[A-Za-z@'_-]+", sentence)
        if len(words) >= 3 and words[0].lower() not in _IMPERATIVE and not _RESTATEMENT.search(sentence):
            return True
    return False




def _message_argument(call: cst.Call) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "msg":
            return arg
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return positional[0] if positional else None


class NotSupportedWithoutReason(Rule):
    needs = frozenset({cst.Raise})
    triggers = Text(_CLASS.encode()) & Raises(_CLASS)  # an alias is imported by the class's own name

    def check(self, ctx: Context) -> None:
        for node in ctx.nodes(cst.Raise):
            exc = node.exc
            if exc is None:
                continue
            func = exc.func if isinstance(exc, cst.Call) else exc
            if class_in_file(ctx, func, (_CLASS,)) is None:
                continue
            arg = _message_argument(exc) if isinstance(exc, cst.Call) else None
            if arg is None:
                ctx.report(node, message=f"`{_CLASS}` raised without a message; say why the feature cannot work")
                continue
            text = static_text(arg.value)
            if text is None or gives_reason(text) or _INTERNAL_ERROR.search(text):
                continue
            ctx.report(arg.value)
