"""Regenerate the rule table of README.md from the rule registry.

    .venv/bin/python scripts/readme_rules.py          # rewrite README.md
    .venv/bin/python scripts/readme_rules.py --check  # exit 1 when README.md is out of date (run by the tests)
"""

from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def table() -> str:
    from mfok_lint.rules.registry import RULES

    lines = ["| code | name | status | fix | capability |", "|---|---|---|---|---|"]
    for row in RULES:
        capabilities = ", ".join(row.capabilities) or "-"
        lines.append(f"| {row.code} | {row.name} | {row.status.value} | {row.fix_label} | {capabilities} |")
    return "\n".join(lines)


def render(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv) -> int:
    text = README.read_text()
    new = render(text)
    if "--check" in argv:
        if new != text:
            print("README.md rule table is out of date: run scripts/readme_rules.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
