"""The click groups through which an extension launches ``step`` and ``init``: ``python flow.py <group> step ...``.

Metaflow's own ``@kubernetes`` and ``@batch`` do not run ``python flow.py step`` on the worker directly: their
runtime hook turns the command into ``python flow.py [top-level options] kubernetes step NAME ...``, whose
``step`` command (in the group the plugin registers through ``CLIS_DESC``) submits the job and rebuilds the real
``step`` command from the parent group's parameters. Extensions copy the shape (``modal step``, ``nomad step``).
A command routed through such a group is a step (or init) command: it must carry the same top-level options,
before the group, and the same step options.

The groups are Metaflow's two (``kubernetes``, ``batch``) and every group the package declares: the names of its
``CLIS_DESC`` entries, ``@<...>.group(name="x")`` / ``@<...>.group("x")``, and the function under a bare
``@<...>.group()`` (click names a command after its function, ``_`` read as ``-``). Read from the text of every
module of the package (``model.package_code``), so a group declared in the CLI module counts for the compiler
that emits the command.
"""

from __future__ import annotations

import re
from typing import FrozenSet

from mfok_lint.syntax.source_file import SourceFile

__all__ = ["METAFLOW_GROUPS", "groups_in_text", "launcher_groups"]

METAFLOW_GROUPS = frozenset({"kubernetes", "batch"})
_NAME = r"""["']([a-z][a-z0-9_-]*)["']"""
_NAMED_GROUP = re.compile(r"@[\w.]*\bgroup\(\s*(?:name\s*=\s*)?" + _NAME)
_BARE_GROUP = re.compile(r"@[\w.]*\bgroup\([^)\"']*\)\s*\n(?:\s*@[^\n]*\n)*\s*def\s+([A-Za-z_]\w*)\s*\(")
_DESC_ENTRY = re.compile(r"\(\s*" + _NAME + r"\s*,\s*[\"'][\w.]+[\"']\s*\)")
_DESC_LIST = re.compile(r"\bCLIS_DESC\s*=\s*\[([^\]]*)\]")


def groups_in_text(text: str) -> FrozenSet[str]:
    names = set(m.group(1) for m in _NAMED_GROUP.finditer(text))
    names.update(m.group(1).replace("_", "-") for m in _BARE_GROUP.finditer(text))
    for listing in _DESC_LIST.finditer(text):
        names.update(m.group(1) for m in _DESC_ENTRY.finditer(listing.group(1)))
    names.discard("cli")  # the conventional name of a plugin's outer group, which holds the real one
    return frozenset(names)


def launcher_groups(source: SourceFile) -> FrozenSet[str]:
    """The groups a command of this module may be routed through (computed once per file)."""

    def build(own: SourceFile) -> FrozenSet[str]:
        from mfok_lint.model.package_code import package_code

        names = set(METAFLOW_GROUPS)
        for _path, text in package_code(own).texts(containing=(b"group(", b"CLIS_DESC")):
            names.update(groups_in_text(text))
        return frozenset(names)

    return source.lazy("launcher_groups", build)
