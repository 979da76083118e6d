"""MFO017 fictional-parameter-env: flow parameters handed over as ``METAFLOW_PARAMETER_<NAME>`` variables.

Metaflow reads a parameter's value from the command line (``--<name>``) or, for ``init``, from
``METAFLOW_INIT_<NAME>`` (click's ``auto_envvar_prefix`` on the init command). No code path reads
``METAFLOW_PARAMETER_<NAME>``: a value sent that way is silently dropped and the run uses the default.

Decisions:
* Only string literals are examined (comments are not nodes; docstrings are skipped), so prose that
  explains the convention is never reported.
* ``METAFLOW_PARAMETERS`` (plural, a JSON blob) is real airflow/step-functions plumbing: the pattern needs
  the underscore that starts a parameter name.
* A mention counts when it names a variable: the literal starts with it (``"METAFLOW_PARAMETER_%s" % n``,
  ``f"METAFLOW_PARAMETER_{n}"``, a dict key), it follows a quote, ``$``/``${``, ``export`` or a YAML
  ``name:``, or an ``=`` follows the name (``METAFLOW_PARAMETER_ALPHA=1``). Anything else inside a longer
  literal (an error message quoting it in the middle of a sentence) is prose and is left alone.
"""

from __future__ import annotations

import re
from typing import Set

import libcst as cst

from mfok_lint.core.spans import Span
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule

_NAME = re.compile(r"(?<![\w])METAFLOW_PARAMETER_(?:[A-Za-z0-9_]*)")
_KEYLIKE_BEFORE = re.compile(r"""(?:["'$]|\$\{|\{|\bexport\s+|\bname:\s*|\benv\s+|-e\s+)$""")
_STRING_PREFIX = re.compile(r"""^[rRbBuUfF]*(?:'''|\"\"\"|'|")""")


class FictionalParameterEnv(Rule):
    needs = frozenset({cst.Expr, cst.SimpleString, cst.FormattedString, cst.ConcatenatedString})
    triggers = Text(b"METAFLOW_PARAMETER_")

    def check(self, ctx) -> None:
        docstrings: Set[int] = set()
        reported: Set[int] = set()
        # In walk order: a statement's string is seen (and marked a docstring) before the string itself.
        for node in ctx.nodes(cst.Expr, cst.SimpleString, cst.FormattedString, cst.ConcatenatedString):
            if isinstance(node, cst.Expr):
                if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
                    docstrings.add(id(node.value))
            elif isinstance(node, cst.ConcatenatedString):
                if id(node) in docstrings:
                    for part in (node.left, node.right):
                        docstrings.add(id(part))
            else:
                self._scan(ctx, node, docstrings, reported)

    def _scan(self, ctx, node, docstrings, reported) -> None:
        if id(node) in docstrings:
            return
        try:
            start, end = ctx.offsets(node)
        except KeyError:
            return
        code = ctx.text[start:end]
        prefix = _STRING_PREFIX.match(code)
        if prefix and "b" in prefix.group().lower():
            return  # bytes literals are not environment variable names (a prefilter pattern, a protocol constant)
        body_start = prefix.end() if prefix else 0
        for m in _NAME.finditer(code):
            absolute = start + m.start()
            if absolute in reported:
                continue
            before = code[body_start:m.start()]
            after = code[m.end():m.end() + 1]
            if not (before == "" or _KEYLIKE_BEFORE.search(before) or after == "="):
                continue
            reported.add(absolute)
            ctx.report(Span(node, m.start(), m.end()))
