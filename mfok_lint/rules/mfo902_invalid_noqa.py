"""MFO902: a `# noqa` naming an MFO code that does not exist, or a bare prefix such as `# noqa: MFO`.

The bare prefix matters most: flake8 reads `# noqa: MFO` as a blanket noqa silencing every tool on the line,
while mfok-lint and ruff would read it as a code list, so the comment means different things to each tool.
"""

from mfok_lint.rules.base import Rule, RuleKind


class InvalidNoqa(Rule):
    code = "MFO902"
    name = "invalid-noqa"
    message = "Invalid `noqa` directive: unknown MFO code"
    kind = RuleKind.META
