"""The cheapest test: does the file's raw text spell one of these byte strings (or match one of these regexes)?"""

from __future__ import annotations

import re
from typing import Tuple, Union

from mfok_lint.prefilter.base import Trigger

Needle = Union[bytes, "re.Pattern[bytes]"]


class Text(Trigger):
    """At least one needle occurs in the raw bytes (comments and prose included: a superset by construction)."""

    def __init__(self, *needles: Needle) -> None:
        self.needles: Tuple[Needle, ...] = needles

    def matches(self, path: str, raw: bytes) -> bool:
        for needle in self.needles:
            if needle.search(raw) if isinstance(needle, re.Pattern) else needle in raw:
                return True
        return False

    def __repr__(self) -> str:
        return f"Text{self.needles!r}"
