"""MFO018 internal-type-leak: the deployer's own metadata/datastore type forwarded to remote workers as is.

``metadata.TYPE`` and ``flow_datastore.TYPE`` name the *plugin the deploying process loaded*. Under a
Metaflow fork or an internal extension that type can be one the workers' Metaflow does not have
(``--metadata=nflx-service``), and click then rejects the step command before any user code runs; the
local types (``local`` metadata, ``local`` datastore) are equally useless on a remote worker that does not
share the deployer's disk. Forwarding the type is fine once the extension has restricted it to values the
workers understand.

Decisions:
* Built on the command model: only ``--metadata``/``--datastore`` values of recognised step/init commands
  are examined, followed through simple assignments (``self._datastore_type = flow_datastore.TYPE`` in
  ``__init__`` and ``"--datastore=%s" % self._datastore_type`` in the builder is the common shape).
* A restriction anywhere in the file or in the modules next to it (the extension's CLI usually holds it,
  as Metaflow's argo CLI does for the datastore) clears that option: a membership test of the type (or a
  name holding it) against a literal collection, or an equality test against a string literal
  (``if obj.flow_datastore.TYPE != "s3": raise ...``). Comments and docstrings do not count.
* The metadata and datastore restrictions are separate: restricting the datastore says nothing about the
  metadata type.
* Preview: Metaflow's own argo and step-functions compilers forward ``metadata.TYPE`` unrestricted (they
  ship with the Metaflow whose types they forward); for an extension installed next to an arbitrary
  Metaflow build the same line is the bug, and the rule cannot tell the two apart.
"""

from __future__ import annotations

import functools
import io
import os
import re
import tokenize
from typing import Optional

from mfok_lint.model.values import trace_origin
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule

_KINDS = {"--metadata": "metadata", "--datastore": "datastore"}
_TYPE_OF = {
    "metadata": re.compile(r"\bmetadata\s*\.\s*TYPE\b"),
    "datastore": re.compile(r"\b(?:flow_)?datastore\s*\.\s*TYPE\b"),
}
# `<...metadata...> [not] in ("...", ...)` / `in SUPPORTED_X` or `<...metadata...> ==/!= "x"`, on code with
# comments stripped
_RESTRICTION = {
    kind: re.compile(
        rf"""\b\w*(?i:{kind})\w*(?:\s*\.\s*TYPE)?\s*"""
        r"""(?:(?:not\s+)?in\s*(?:[(\[{]\s*["']|[A-Z][A-Z0-9_]*\b)|[!=]=\s*["'])"""
    )
    for kind in ("metadata", "datastore")
}


class InternalTypeLeak(Rule):
    needs = frozenset({"commands"})
    triggers = Text(b".TYPE") & CommandText()

    def check(self, ctx) -> None:
        reported = set()
        for cmd in ctx.commands:
            for opt in cmd.options():
                kind = _KINDS.get(opt.name)
                if kind is None or opt.value is None or opt.value.expr is None:
                    continue
                origin = trace_origin(ctx, opt.value.expr, cmd.function, functools.partial(_type_origin, kind))
                if origin is None or _restricted(ctx, kind):
                    continue
                target = opt.value.span if opt.value.span is not None else cmd.target
                try:
                    ctx.offsets(target)
                except KeyError:
                    target = cmd.target
                where = ctx.offsets(target)
                if where in reported:  # one option token shared by the step and the init command
                    continue
                reported.add(where)
                ctx.report(
                    target,
                    message=f"`{opt.name}` is given `{origin}`, the deployer's own {kind} type, without "
                    "restricting it to values remote workers support",
                )


def _type_origin(kind: str, text: str) -> Optional[str]:
    m = _TYPE_OF[kind].search(text)
    return None if m is None else " ".join(text.split()) if len(text) <= 60 else m.group(0)


def _restricted(ctx, kind: str) -> bool:
    cache = ctx.lazy("mfo018.restricted", lambda _ctx: {})
    if kind not in cache:
        texts = [_code_only(ctx.text)] + [_code_only(t) for t in _sibling_texts(ctx)]
        cache[kind] = any(_RESTRICTION[kind].search(t) for t in texts)
    return cache[kind]


def _sibling_texts(ctx):
    path = ctx.path
    directory = os.path.dirname(os.path.abspath(path))
    own = os.path.abspath(path)
    for name in ctx.list_dir(directory):
        full = os.path.join(directory, name)
        if not name.endswith(".py") or full == own:
            continue
        raw = ctx.read_bytes(full)
        try:
            text = raw.decode("utf-8") if raw is not None else None
        except UnicodeDecodeError:
            continue
        if text is None:
            continue
        if ".TYPE" in text or "_type" in text:
            yield text


def _code_only(text: str) -> str:
    """The text with comments removed, so a comment that mentions a check is not one."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return text
    kept = [tok for tok in tokens if tok.type != tokenize.COMMENT]
    try:
        return tokenize.untokenize(kept)
    except ValueError:
        return text
