"""MFO901: a `# noqa: MFOxxx` that suppresses nothing. The engine's noqa pass produces it (mfok_lint.lint.noqa)."""

from mfok_lint.rules.base import Rule


class UnusedNoqa(Rule):
    pass
    """Reported by the engine, not by a check of its own."""
