"""MFO102 extension-config-misplaced: a configuration file Metaflow will not load, or two for one point.

Metaflow reads an extension's configuration only from a file directly inside an extension point directory
``metaflow_extensions/<pkg>/<point>/`` (``plugins``, ``config``, ``toplevel``, ``cmd``, ...) whose name
matches ``^mfextinit_[a-zA-Z0-9_-]+\\.py$`` (or that directory's ``__init__.py``). Elsewhere an
``mfextinit_*.py`` is silently ignored, so the extension's CLI and deployer never register; a point
directly under ``metaflow_extensions/`` (no ``<pkg>`` level) and two configuration files for one point
make the loader raise ``RuntimeError``.

Decisions:
- Reported on the offending ``mfextinit*`` file itself, at its first line (``# noqa`` on line 1 or a
  file-level ``# mfok-lint: noqa`` suppresses it). For two configuration files, each is reported.
- Only files whose name starts with ``mfextinit`` are candidates for "misnamed": any other module is just a
  module. ``__init__.py`` is a valid configuration file, so it counts only in the "two configuration files"
  check.
"""

from __future__ import annotations

from mfok_lint.model.package import CONFIG_NAME_RE, EXTENSION_POINTS, extension_point_of
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context

_POINT_ROOTS = {p.split(".")[0] for p in EXTENSION_POINTS}


class ExtensionConfigMisplaced(Rule):
    def check(self, ctx: Context) -> None:
        package = ctx.package
        below = package.below
        filename = below[-1]
        point = extension_point_of(below)
        if filename.startswith("mfextinit"):
            if CONFIG_NAME_RE.match(filename) is None:
                ctx.report(
                    (0, 0),
                    f"`{filename}` does not match `mfextinit_<name>.py` (letters, digits, `_`, `-`): Metaflow never loads it",
                )
                return
            if len(below) >= 2 and below[0] in _POINT_ROOTS:
                ctx.report(
                    (0, 0),
                    f"`metaflow_extensions/{below[0]}/` lacks the package level: use `metaflow_extensions/<pkg>/{below[0]}/` "
                    "(Metaflow raises RuntimeError)",
                )
                return
            if point is None or not point[1]:
                where = "/".join(["metaflow_extensions"] + below[:-1])
                ctx.report(
                    (0, 0),
                    f"`{filename}` in `{where}/` is not directly inside an extension point directory "
                    "(`metaflow_extensions/<pkg>/plugins/`, `config/`, ...): Metaflow never loads it",
                )
                return
        if point is None or not point[1]:
            return
        configs = package.sibling_configs()
        if len(configs) > 1:
            others = ", ".join(f"`{c}`" for c in configs if c != filename)
            ctx.report(
                (0, 0),
                f"Second configuration file for extension point `{point[0]}` (also {others}): Metaflow raises RuntimeError",
            )
