"""Resolved settings for one run: what the engine needs to know, whatever the source (pyproject, CLI, flake8).

Loading and validating ``[tool.mfok-lint]`` lives in ``mfok_lint.config.loading``; this module is the plain data and the
per-path rule selection (per-file-ignores with ruff's glob semantics, including ``!`` negation).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

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
    select: Optional[List[str]] = None  # None: the default selection (all stable rules)
    extend_select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    exclude: Optional[List[str]] = None  # None: the default exclude list
    extend_exclude: List[str] = field(default_factory=list)
    force_exclude: bool = False
    respect_gitignore: bool = True
    preview: bool = False
    unsafe_fixes: Optional[bool] = None
    output_format: str = "full"
    ignore_noqa: bool = False
    project_root: str = field(default_factory=os.getcwd)  # per-file-ignores globs are relative to it
    config_path: Optional[str] = None
    cache: bool = True
    cache_dir: Optional[str] = None

    def fingerprint(self) -> Tuple:
        """What changes findings: part of every cache key."""
        return (
            tuple(self.select or ("<default>",)),
            tuple(self.extend_select),
            tuple(self.ignore),
            tuple(sorted((k, tuple(v)) for k, v in self.per_file_ignores.items())),
            self.preview,
            self.ignore_noqa,
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
