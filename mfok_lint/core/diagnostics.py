"""The data every layer exchanges: diagnostics, fixes and edits.

Offsets are character offsets into the file's text (str indices), which makes edits trivial to apply;
rows and columns are 1-based like ruff's JSON (column counts characters, not bytes).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple


class Applicability(str, enum.Enum):
    """How far a fix may be trusted (ruff's three levels)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True)
class Location:
    row: int  # 1-based
    column: int  # 1-based, in characters


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with content."""

    start: int
    end: int
    content: str
    location: Location = Location(0, 0)
    end_location: Location = Location(0, 0)


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str
    edits: Tuple[Edit, ...]

    @property
    def span(self) -> Tuple[int, int]:
        return (min(e.start for e in self.edits), max(e.end for e in self.edits))


@dataclass
class Diagnostic:
    code: str
    message: str
    path: str  # as given / discovered (relative or absolute); formatters decide how to print it
    location: Location
    end_location: Location
    noqa_row: Optional[int] = None  # the row whose `# noqa` suppresses this finding
    fix: Optional[Fix] = None
    # Filled in by the engine from the rule registry.
    name: str = ""
    url: str = ""
    preview: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def sort_key(self):
        return (self.path, self.location.row, self.location.column, self.code)


def diagnostic_for(
    rule, path: str, locator: "Locator", start: int, end: int, message: Optional[str] = None, fix: Optional[Fix] = None, **extra
) -> Diagnostic:
    """A rule's finding at text offsets ``[start, end)``; the one place a Diagnostic is built from a rule."""
    return Diagnostic(
        code=rule.code,
        message=message or rule.message,
        path=path,
        location=locator.location(start),
        end_location=locator.location(end),
        fix=fix,
        name=rule.name,
        url=rule.url,
        preview=rule.preview,
        extra=extra,
    )


class Locator:
    """Maps between character offsets and (row, column) in one text."""

    __slots__ = ("text", "_line_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._line_starts = starts

    def offset(self, row: int, column: int) -> int:
        """row 1-based, column 1-based -> offset."""
        row = max(1, min(row, len(self._line_starts)))
        return self._line_starts[row - 1] + column - 1

    def location(self, offset: int) -> Location:
        import bisect

        idx = bisect.bisect_right(self._line_starts, offset) - 1
        return Location(idx + 1, offset - self._line_starts[idx] + 1)

    def line(self, row: int) -> str:
        start = self._line_starts[row - 1]
        end = self._line_starts[row] if row < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    @property
    def line_count(self) -> int:
        return len(self._line_starts)
