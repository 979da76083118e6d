"""The settings of one run: everything the run needs to know, whatever the source (pyproject, CLI, flake8).

One object travels from the command line (or the flake8 plugin) to the run: configuration files and flags are
folded into it by ``mfok_lint.config.loading.resolve``, and discovery, the runner, the pool and the cache read
it as it is. This module is the plain data and ruff's glob matching for per-file-ignores (``!`` negation
included); which rules run is ``mfok_lint.rules.selection``.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple, Union

if TYPE_CHECKING:  # pragma: no cover
    from mfok_lint.core.metaflow_contract import MetaflowRange

# An exclude pattern, plain (relative to the project root) or with the directory it is relative to (a pattern
# from the command line is relative to the working directory, as in ruff).
PatternItem = Union[str, Tuple[str, str]]

# The ``--output-format`` names, in the order help texts list them (``mfok_lint.cli.report`` renders each).
OUTPUT_FORMATS = (
    "full",
    "concise",
    "grouped",
    "json",
    "json-lines",
    "junit",
    "github",
    "gitlab",
    "pylint",
    "sarif",
)


@dataclass
class Settings:
    # which rules
    select: Optional[List[str]] = None  # None: the default selection (all stable rules)
    extend_select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    preview: bool = False
    ignore_noqa: bool = False
    # the Metaflow release the code is judged against; None: each file's own, from its distribution's metadata
    # (``core.target_version``)
    target_metaflow_version: Optional[str] = None
    # which files
    project_root: str = field(default_factory=os.getcwd)  # per-file-ignores and plain exclude patterns are relative to it
    config_path: Optional[str] = None
    exclude: Optional[List[PatternItem]] = None  # None: the default exclude list
    extend_exclude: List[PatternItem] = field(default_factory=list)
    force_exclude: bool = False
    respect_gitignore: bool = True
    # fixes
    fix: bool = False
    fix_only: bool = False
    diff: bool = False  # show what --fix would change, write nothing
    unsafe_fixes: Optional[bool] = None
    show_fixes: bool = False
    add_noqa: bool = False
    # the run
    output_format: str = "full"
    cache: bool = True
    cache_dir: Optional[str] = None
    jobs: Optional[int] = None  # None: the CPU count, at most 8

    @property
    def metaflow(self) -> "Optional[MetaflowRange]":
        """The explicit ``target-metaflow-version`` (validated when it was read), or None: each file's own."""
        if self.target_metaflow_version is None:
            return None
        from mfok_lint.core.metaflow_contract import MetaflowRange
        from mfok_lint.core.target_version import parse_target_version

        return MetaflowRange.of(parse_target_version(self.target_metaflow_version))

    @property
    def writes(self) -> bool:
        """Whether the run writes files (fixes or noqa comments): such runs read every file afresh."""
        return (self.fix and not self.diff) or self.add_noqa

    def fingerprint(self) -> Tuple:
        """What changes findings: part of every cache key."""
        return (
            tuple(self.select or ("<default>",)),
            tuple(self.extend_select),
            tuple(self.ignore),
            tuple(sorted((k, tuple(v)) for k, v in self.per_file_ignores.items())),
            self.preview,
            self.ignore_noqa,
            self.target_metaflow_version,
        )


def glob_matches(pattern: str, path: str, root: str) -> bool:
    """ruff's per-file-ignores matching: against the path relative to the project root, or the base name."""
    abspath = os.path.abspath(path)
    try:
        rel = os.path.relpath(abspath, root)
    except ValueError:
        rel = abspath
    rel = rel.replace(os.sep, "/")
    pat = pattern.replace(os.sep, "/")
    if pat.endswith("/"):
        pat += "**"
    candidates = (rel, abspath.replace(os.sep, "/"), os.path.basename(abspath))
    return any(fnmatch.fnmatchcase(c, pat) or _globstar(c, pat) for c in candidates)


def _globstar(path: str, pattern: str) -> bool:
    # fnmatch's "*" already crosses "/", so "**/" only needs its zero-directories case added.
    if "**/" in pattern:
        return fnmatch.fnmatchcase(path, pattern.replace("**/", ""))
    return False
