"""Triggers and how they compose."""

from __future__ import annotations

from typing import Tuple


class Trigger:
    """A test on a file's path and raw bytes: False means no finding of the rule can be in the file."""

    def matches(self, path: str, raw: bytes) -> bool:
        raise NotImplementedError

    def __and__(self, other: "Trigger") -> "Trigger":
        return AllOf(self, other)

    def __or__(self, other: "Trigger") -> "Trigger":
        return AnyOf(self, other)


class _Always(Trigger):
    def matches(self, path: str, raw: bytes) -> bool:
        return True

    def __repr__(self) -> str:
        return "ALWAYS"


ALWAYS: Trigger = _Always()


class AllOf(Trigger):
    """Every part holds; parts are tried in order, so the cheap ones go first."""

    def __init__(self, *parts: Trigger) -> None:
        flat = []
        for part in parts:
            flat.extend(part.parts if isinstance(part, AllOf) else (part,))
        self.parts: Tuple[Trigger, ...] = tuple(flat)

    def matches(self, path: str, raw: bytes) -> bool:
        return all(part.matches(path, raw) for part in self.parts)

    def __repr__(self) -> str:
        return " & ".join(map(repr, self.parts))


class AnyOf(Trigger):
    def __init__(self, *parts: Trigger) -> None:
        flat = []
        for part in parts:
            flat.extend(part.parts if isinstance(part, AnyOf) else (part,))
        self.parts: Tuple[Trigger, ...] = tuple(flat)

    def matches(self, path: str, raw: bytes) -> bool:
        return any(part.matches(path, raw) for part in self.parts)

    def __repr__(self) -> str:
        return "(" + " | ".join(map(repr, self.parts)) + ")"
