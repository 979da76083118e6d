"""MFO900: the engine reports files it cannot parse instead of crashing; the rest of the run goes on."""

from mfok_lint.rules.base import Rule, RuleKind


class SyntaxErrorRule(Rule):
    code = "MFO900"
    name = "syntax-error"
    message = "File cannot be parsed"
    kind = RuleKind.META
