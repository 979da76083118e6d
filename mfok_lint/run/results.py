"""What linting one file produced: the unit the runner, the cache and the reports pass around.

Kept apart from the runner so that a warm run, answered by the cache, builds results without importing the
engine (``lint``), noqa or the fixer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from mfok_lint.core.diagnostics import Diagnostic


@dataclass
class FileResult:
    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    source: Optional[str] = None  # the text the diagnostics refer to (after fixes)
    original: Optional[str] = None
    fixed: Counter = field(default_factory=Counter)
    errors: List[str] = field(default_factory=list)  # one-line, user-facing
    internal_errors: List[str] = field(default_factory=list)
    noqa_added: int = 0
    # stamps of the other files and directories the findings were computed from (mfok_lint.core.dependencies)
    dependencies: List[Tuple[str, str, int, int]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.original is not None and self.source is not None and self.source != self.original
