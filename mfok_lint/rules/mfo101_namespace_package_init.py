"""MFO101 namespace-package-init: ``metaflow_extensions/__init__.py`` exists.

Metaflow's extension loader requires ``metaflow_extensions`` to be an implicit namespace package so that
several distributions can contribute to it; when a distribution ships ``metaflow_extensions/__init__.py``
the loader raises ``RuntimeError`` ("is not an implicit namespace package as required") and
``import metaflow`` fails for everyone who installs it.

Decisions:
- Decided by the path alone (the file's content is irrelevant: an empty file breaks the same way).
- The fix is to delete the file. The fix machinery edits text and cannot remove a file (an emptied
  ``__init__.py`` still breaks), so the fix is display-only: shown, never applied.
"""

from __future__ import annotations

from mfok_lint.core.diagnostics import Applicability
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context


class NamespacePackageInit(Rule):
    def check(self, ctx: Context) -> None:
        package = ctx.package
        if package.below != ["__init__.py"]:
            return
        if not package.focus_parses:  # unparsable: MFO900 speaks for it
            return
        fix = ctx.make_fix(
            Applicability.DISPLAY_ONLY,
            "Delete `metaflow_extensions/__init__.py`",
            [ctx.edit((0, len(ctx.text)), "")],
        )
        ctx.report((0, 0), fix=fix)
