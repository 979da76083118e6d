"""The options of one check run: the flags as parsed, and the effective output options after configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from mfok_lint.core.settings import Settings


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
    target_metaflow_version: Optional[str]
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
    """How one check run reports: its settings (the one object configuration and flags were folded into) and
    what only the terminal cares about."""

    settings: Settings
    stdin: bool
    quiet: bool
    silent: bool
    errors: List[str] = field(default_factory=list)

    # What the report needs to know of the settings.
    @property
    def fix(self) -> bool:
        return self.settings.fix

    @property
    def fix_only(self) -> bool:
        return self.settings.fix_only

    @property
    def diff(self) -> bool:
        return self.settings.diff

    @property
    def unsafe_fixes(self) -> bool:
        return bool(self.settings.unsafe_fixes)

    @property
    def show_fixes(self) -> bool:
        return self.settings.show_fixes

    @property
    def output_format(self) -> str:
        return self.settings.output_format
