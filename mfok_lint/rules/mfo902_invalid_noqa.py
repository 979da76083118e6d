"""MFO902: a `# noqa` naming an MFO code that does not exist, or a bare prefix such as `# noqa: MFO`.

The bare prefix matters most: flake8 reads `# noqa: MFO` as a blanket noqa silencing every tool on the line,
while mfok-lint and ruff would read it as a code list, so the comment means different things to each tool.
"""

from mfok_lint.rules.base import Rule


class InvalidNoqa(Rule):
    pass
    """Reported by the engine, not by a check of its own."""
