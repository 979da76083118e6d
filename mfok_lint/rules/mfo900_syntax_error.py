"""MFO900: the engine reports files it cannot parse instead of crashing; the rest of the run goes on."""

from mfok_lint.rules.base import Rule


class SyntaxErrorRule(Rule):
    pass
    """Reported by the engine, not by a check of its own."""
