"""MFO034 input-paths-encoded.

The ``step`` command decodes ``--input-paths`` (and the content of ``--input-paths-filename``) with
``metaflow.util.decompress_list`` (the same function, node for node, in every release the corpus holds, 2.9.15
to 2.19.39): a value that starts with ``!`` is base64 of a twice zlib-compressed text, anything else is read as
it is; that text is either ``prefix:suffix1,suffix2`` (one ``:``) or a plain comma-separated list of pathspecs. Those three forms are what ``compress_list`` writes, and
the only ones the task can read.

Reported: the value of ``--input-paths`` when the value model traces it (through assignments in the function,
``self.`` attributes, module constants, f-string and ``%`` holes) to an encoding of the path list that is none of
them, the outermost call being one of

* ``base64.b64encode`` / ``urlsafe_b64encode`` / ``b32encode`` / ``b16encode`` (with or without ``.decode()``):
  no ``!`` marker, so the base64 text is split on commas as if it were the paths;
* ``json.dumps``: brackets and quotes become part of the pathspecs (and a dict's ``:`` is taken for the prefix
  separator);
* ``pickle.dumps``, ``marshal.dumps``, ``zlib``/``gzip``/``bz2``/``lzma`` ``.compress``: bytes, not the text
  Metaflow decodes;
* ``urllib.parse.quote_plus`` (``/`` becomes ``%2F``) and ``urlencode``; ``urllib.parse.quote`` only of a
  comma-joined list (``,`` becomes ``%2C``; one pathspec has nothing it would change).

Legal: ``compress_list(...)`` from ``metaflow.util``, a plain ``",".join(paths)``, a value built with the ``!``
marker in front (a reimplementation of ``compress_list``'s third form: the marker says what follows),
``--input-paths-filename`` (the file's content is not seen). A file that compresses twice with ``zlib`` builds
``compress_list``'s third form by hand; its base64 is not judged, since whether the marker is put in front is
not followed through every template. Encoder names are read through the file's imports
(``from base64 import b64encode as enc``), so a local function that happens to be called ``dumps`` is not one.
No fix: which decoding the worker would need depends on where the value is produced.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from mfok_lint.model.command_evidence import reportable, unique_options
from mfok_lint.model.values import trace_origin
from mfok_lint.prefilter import CommandText, Text
from mfok_lint.rules.base import Rule
from mfok_lint.syntax.names import dotted_name, import_aliases, resolve_name, string_value

# fully qualified encoder -> what it does to the list, as the message says it
_ENCODERS = {
    "base64.b64encode": "base64 without `compress_list`'s `!` marker",
    "base64.urlsafe_b64encode": "base64 without `compress_list`'s `!` marker",
    "base64.b32encode": "base32",
    "base64.b16encode": "base16",
    "json.dumps": "JSON",
    "pickle.dumps": "pickled bytes",
    "marshal.dumps": "marshalled bytes",
    "zlib.compress": "compressed bytes",
    "gzip.compress": "compressed bytes",
    "bz2.compress": "compressed bytes",
    "lzma.compress": "compressed bytes",
    "urllib.parse.quote_plus": "URL-quoted text",
    "urllib.parse.urlencode": "URL-encoded text",
    "urllib.parse.quote": "URL-quoted text",
}
_MARKER = "!"


def _outer_encoder(call: cst.BaseExpression, aliases) -> Optional[str]:
    """The encoder the expression's outermost call is, seen through ``.decode(...)``."""
    if not isinstance(call, cst.Call):
        return None
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "decode" and isinstance(func.value, cst.Call):
        return _outer_encoder(func.value, aliases)
    full = resolve_name(func, aliases)
    if full is None:
        return None
    if full.startswith("six.moves.urllib.parse."):
        full = full[len("six.moves."):]
    if full not in _ENCODERS:
        return None
    if full == "urllib.parse.quote" and not _quotes_a_joined_list(call):
        return None
    return full


def _quotes_a_joined_list(call: cst.Call) -> bool:
    if not call.args:
        return False
    inner = call.args[0].value
    if not isinstance(inner, cst.Call):
        return False
    func = inner.func
    if isinstance(func, cst.Attribute) and func.attr.value == "join" and string_value(func.value) == ",":
        return True
    return (dotted_name(func) or "").rsplit(".", 1)[-1] == "compress_list"


class InputPathsEncoded(Rule):
    needs = frozenset({"commands"})
    triggers = (
        Text(b"input-paths")
        & Text(b"b64encode", b"b32encode", b"b16encode", b"dumps", b"compress", b"quote", b"urlencode")
        & CommandText()
    )

    def check(self, ctx) -> None:
        aliases = ctx.lazy("syntax:import-aliases", lambda parsed: import_aliases(parsed.module))

        def encoded(text: str) -> Optional[str]:
            stripped = text.strip()
            if stripped.startswith(("'!", '"!', "f'!", 'f"!')):
                return None
            try:
                expr = cst.parse_expression(stripped)
            except Exception:
                return None
            return _outer_encoder(expr, aliases)

        # A file that compresses twice with zlib is writing compress_list's third form itself; whether it puts
        # the marker in front is not followed through templates, so its base64 is not judged.
        reimplements_form3 = "compress(zlib.compress(" in ctx.text or "compress(compress(" in ctx.text
        for cmd, opt in unique_options(ctx, "--input-paths"):
            value = opt.value
            if value is None or value.expr is None:
                continue
            encoder = trace_origin(ctx, value.expr, cmd.function, encoded)
            if encoder is None or (reimplements_form3 and encoder.startswith("base64.")):
                continue
            target = reportable(ctx, value.span, value.expr, cmd.target)
            if target is None:
                continue
            ctx.report(
                target,
                message=f"`--input-paths` is given {_ENCODERS[encoder]} (`{encoder}`), which Metaflow's "
                "`decompress_list` cannot read; pass `compress_list(paths)` or a plain `\",\".join(paths)`",
            )
