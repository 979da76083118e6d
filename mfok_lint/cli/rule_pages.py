"""``mfok-lint rule CODE|NAME|--all`` and ``mfok-lint rules``: a rule's registry row and catalog page, in ruff's shapes.
"""

from __future__ import annotations

import difflib
import json
import os
from typing import Dict, Optional

import click

from mfok_lint import __version__
from mfok_lint.cli.app import UsageError, _global_options, cli
from mfok_lint.rules.registry import RULES, FixAvailability, RuleRow, by_code, by_name


def _catalog_body(code: str) -> Optional[str]:
    """The prose of the rule's catalog page, or None when the catalog has no page for it."""
    import rules_catalog

    page = rules_catalog.page_for(code)
    return page.body if page is not None else None


def _source_location(row: RuleRow) -> Dict[str, object]:
    import importlib
    import inspect

    from mfok_lint.rules import all_rules

    rule = all_rules()[row.code]
    module = importlib.import_module(type(rule).__module__)
    file = getattr(module, "__file__", "") or ""
    try:
        line = inspect.getsourcelines(type(rule))[1]
    except (OSError, TypeError):
        line = 1
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rel = os.path.relpath(file, root) if file else ""
    return {"file": rel.replace(os.sep, "/"), "line": line}


_FIX_AVAILABILITY = {"always": "Always", "sometimes": "Sometimes", "none": "None"}


def rule_json(row: RuleRow) -> Dict[str, object]:
    body = _catalog_body(row.code)
    explanation = body if body is not None else f"## What it does\n{row.summary}.\n"
    return {
        "name": row.name,
        "code": row.code,
        "linter": "mfok-lint",
        "summary": row.summary,
        "message_formats": [row.summary],
        "fix": row.fix.ruff_label,
        "fix_availability": _FIX_AVAILABILITY[row.fix.value],
        "explanation": explanation,
        "preview": row.preview,
        "status": {"Preview" if row.preview else "Stable": {"since": __version__}},
        "category": row.kind.value,
        "source_location": _source_location(row),
    }


def rule_markdown(row: RuleRow) -> str:
    info = rule_json(row)
    lines = [f"# {row.name} ({row.code})", ""]
    lines.append(f"Part of the **mfok-lint** rule set ({info['category']}).")
    lines.append("")
    if row.fix is not FixAvailability.NONE:
        lines.append(row.fix.ruff_label)
        lines.append("")
    if row.capabilities:
        named = ", ".join(f"`{cap}`" for cap in row.capabilities)
        lines.append(f"Protects the {named} {'capability' if len(row.capabilities) == 1 else 'capabilities'} of the compliance suite.")
        lines.append("")
    if row.metaflow != (None, None):
        lines.append(
            f"Checks the contract of Metaflow {row.metaflow_range}: it runs on code whose targeted releases "
            "(`target-metaflow-version`, or the file's own) reach into that range."
        )
        lines.append("")
    if row.preview:
        lines.append("This rule is in preview and is not stable. The `--preview` flag is required for use.")
        lines.append("")
    text = "\n".join(lines) + "\n" + str(info["explanation"]).lstrip("\n")
    return text if text.endswith("\n") else text + "\n"


def _find_row(code_or_name: str) -> Optional[RuleRow]:
    key = code_or_name.strip()
    return by_code().get(key.upper()) or by_name().get(key)


@cli.command("rule", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("rule_name", required=False, metavar="RULE")
@click.option("--all", "show_all", is_flag=True, help="Explain all rules.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_global_options
def rule_command(rule_name: Optional[str], show_all: bool, output_format: str, **_globals) -> int:
    """Explain a rule (or all rules): its catalog page."""
    if show_all == bool(rule_name):
        raise UsageError("give exactly one of RULE (a code such as MFO901, or a name) or --all")
    if show_all:
        selected = list(RULES)
    else:
        row = _find_row(rule_name)  # type: ignore[arg-type]
        if row is None:
            codes = [r.code for r in RULES] + [r.name for r in RULES]
            close = difflib.get_close_matches(rule_name, codes, n=1, cutoff=0.6)  # type: ignore[arg-type]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"unknown rule {rule_name!r}{hint}")
        selected = [row]
    if output_format == "json":
        payload = [rule_json(r) for r in selected]
        click.echo(json.dumps(payload if show_all else payload[0], indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(rule_markdown(r) for r in selected), nl=False)
    return 0


@cli.command("rules", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--preview/--no-preview", default=True, help="List preview rules too (default: yes).")
@_global_options
def rules_command(output_format: str, preview: bool, **_globals) -> int:
    """List every rule: code, name, status and fix (safe / unsafe / display-only, and how often)."""
    rows = [r for r in RULES if preview or not r.preview]
    if output_format == "json":
        listing = [
            {
                "code": r.code,
                "name": r.name,
                "linter": "mfok-lint",
                "summary": r.summary,
                "status": r.status.value,
                "preview": r.preview,
                "fix": r.fix.ruff_label,
                "fix_availability": _FIX_AVAILABILITY[r.fix.value],
            }
            for r in rows
        ]
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return 0
    # FIX as in the README's table: how far the fix may be trusted (safe / unsafe / display-only) and how often it
    # is offered. The JSON keeps ruff's keys only ("fix", "fix_availability"); ruff has none for applicability.
    header = ("CODE", "NAME", "STATUS", "FIX")
    table = [header] + [(r.code, r.name, r.status.value, r.fix_label) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for row in table:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    return 0
