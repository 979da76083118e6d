"""Where a finding or an edit points: a node, part of a node, or absolute character offsets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Tuple, Union

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst


@dataclass(frozen=True)
class Span:
    """A piece of source: a node, optionally narrowed to [start, end) characters of that node's own code.

    Tokens found inside string literals (shell scripts, generated source) point into their literal this way.
    """

    node: "cst.CSTNode"
    start: Optional[int] = None
    end: Optional[int] = None


Target = Union["cst.CSTNode", Span, Tuple[int, int]]  # a node, a span, or absolute (start, end) offsets
