"""The options of one check run: the flags as parsed, and the effective output options after configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import List, Optional, Tuple


@dataclass
class CheckArgs:
    paths: Tuple[str, ...]
    fix: Optional[bool]
    unsafe_fixes: Optional[bool]
    show_fixes: Optional[bool]
    diff: bool
    fix_only: Optional[bool]
    ignore_noqa: bool
    output_format: Optional[str]
    output_file: Optional[str]
    preview: Optional[bool]
    statistics: bool
    add_noqa: bool
    show_files: bool
    show_settings: bool
    select: Tuple[str, ...]
    ignore: Tuple[str, ...]
    extend_select: Tuple[str, ...]
    per_file_ignores: Tuple[str, ...]
    extend_per_file_ignores: Tuple[str, ...]
    exclude: Tuple[str, ...]
    extend_exclude: Tuple[str, ...]
    respect_gitignore: Optional[bool]
    force_exclude: Optional[bool]
    no_cache: bool
    cache_dir: Optional[str]
    stdin_filename: Optional[str]
    exit_zero: bool
    exit_non_zero_on_fix: bool
    config_args: Tuple[str, ...] = ()
    isolated: bool = False
    color: str = "auto"
    verbose: bool = False
    quiet: bool = False
    silent: bool = False
    jobs: Optional[int] = None


def _use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@dataclass
class _Run:
    """Effective options of one check run, after configuration and flags are merged."""

    fix: bool
    fix_only: bool
    diff: bool
    unsafe_fixes: bool
    show_fixes: bool
    output_format: str
    stdin: bool
    quiet: bool
    silent: bool
    errors: List[str] = field(default_factory=list)
