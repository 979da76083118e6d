"""MFO901: a `# noqa: MFOxxx` that suppresses nothing. The engine's noqa pass produces it (mfok_lint.lint.noqa)."""

from mfok_lint.rules.base import FixAvailability, Rule, RuleKind


class UnusedNoqa(Rule):
    code = "MFO901"
    name = "unused-noqa"
    message = "Unused `noqa` directive"
    fix_availability = FixAvailability.ALWAYS
    kind = RuleKind.META
