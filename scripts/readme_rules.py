"""Regenerate the rule table of README.md from the rule registry and the catalog.

    .venv/bin/python scripts/readme_rules.py          # rewrite README.md
    .venv/bin/python scripts/readme_rules.py --check  # exit 1 when README.md is out of date (run by the tests)
"""

from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def table() -> str:
    import rules_catalog
    from mfok_lint.rules import all_rules

    lines = ["| code | name | status | fix | capability |", "|---|---|---|---|---|"]
    for code, rule in all_rules().items():
        page = rules_catalog.page_for(code)
        applicability = page.meta.get("applicability", "none") if page else "none"
        fix = rule.fix_availability.value
        fix_text = "none" if fix == "none" else f"{applicability} ({fix})"
        status = "preview" if rule.preview else "stable"
        lines.append(f"| {code} | {rule.name} | {status} | {fix_text} | {rule.capability or '-'} |")
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
