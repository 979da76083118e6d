"""Tests on where a file sits in its project's package layout (``core.paths.layout_path``), not on the path as
typed: findings must not depend on the directory mfok-lint runs from."""

from __future__ import annotations

import re

from mfok_lint.core.paths import in_extension_package, layout_path
from mfok_lint.prefilter.base import Trigger

_PLUGINS_PACKAGE = re.compile(r"(^|/)metaflow_extensions/[^/]+/plugins/")


class InExtensionPackage(Trigger):
    """The file is inside a ``metaflow_extensions/`` tree."""

    def matches(self, path: str, raw: bytes) -> bool:
        return in_extension_package(path)

    def __repr__(self) -> str:
        return "InExtensionPackage()"


class InPluginsPackage(Trigger):
    """The file is inside ``metaflow_extensions/<pkg>/plugins/``."""

    def matches(self, path: str, raw: bytes) -> bool:
        return bool(_PLUGINS_PACKAGE.search(layout_path(path)))

    def __repr__(self) -> str:
        return "InPluginsPackage()"


class OutsideMetaflowCore(Trigger):
    """The file is not one of the Metaflow modules ``core`` names (a regex over the layout path): code where a call
    an extension must not make is Metaflow's own business."""

    def __init__(self, core: "re.Pattern[str]") -> None:
        self.core = core

    def matches(self, path: str, raw: bytes) -> bool:
        return not self.core.search(layout_path(path))

    def __repr__(self) -> str:
        return f"OutsideMetaflowCore({self.core.pattern!r})"
