"""Which rules run: ruff's selection over the rule codes, and per-file-ignores.

Selection follows ruff: prefixes of codes (``MFO``, ``MFO0``, ``MFO00``, ``MFO001``) or ``ALL``; the most specific of
select / ignore wins; preview rules need ``preview`` or their exact code. Codes are read from the registry, so
selecting rules imports no rule module.
"""

from __future__ import annotations

from typing import FrozenSet, Iterable, List, Optional, Sequence

from mfok_lint.core.settings import Settings, glob_matches
from mfok_lint.rules import Rule, all_rules
from mfok_lint.rules.registry import RULES


class SelectionError(ValueError):
    """A selector that names no rule (unknown code or prefix)."""


def validate_selector(selector: str) -> str:
    sel = selector.strip()
    if sel == "ALL":
        return sel
    if not sel or not any(row.code.startswith(sel) for row in RULES):
        raise SelectionError(f"unknown rule selector {selector!r} (expected ALL, MFO, or a prefix of an MFO code)")
    return sel


def selector_specificity(selector: str, code: str) -> int:
    """How specifically ``selector`` names ``code``: its length for a matching prefix, 0 for ``ALL``, -1 if it
    does not match (the most specific of select and ignore wins, as in ruff)."""
    if selector == "ALL":
        return 0
    return len(selector) if code.startswith(selector) else -1


def resolve_codes(
    select: Optional[Sequence[str]] = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    preview: bool = False,
) -> List[str]:
    """The codes enabled by these selectors, in order. ``select=None`` means the default (all stable rules)."""
    selectors = list(select) if select is not None else ["MFO"]
    selectors += list(extend_select)
    ignores = list(ignore)
    for sel in selectors + ignores:
        validate_selector(sel)
    enabled = []
    for row in RULES:
        code, is_preview = row.code, row.preview
        best_select = max((selector_specificity(s, code) for s in selectors), default=-1)
        best_ignore = max((selector_specificity(s, code) for s in ignores), default=-1)
        if best_select < 0 or best_ignore >= best_select:
            continue
        if is_preview and not preview and code not in selectors:
            continue
        enabled.append(code)
    return enabled


def resolve_selection(
    select: Optional[Sequence[str]] = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    preview: bool = False,
) -> List[Rule]:
    """The rules enabled by these selectors, in code order. ``select=None`` means the default (all stable rules)."""
    codes = resolve_codes(select, extend_select, ignore, preview)
    rules = all_rules()
    return [rules[code] for code in codes]


def ignored_codes_for(path: str, settings: Settings, rules: Sequence[Rule]) -> FrozenSet[str]:
    if not settings.per_file_ignores:
        return frozenset()
    ignored = set()
    codes = [r.code for r in rules]
    for pattern, selectors in settings.per_file_ignores.items():
        negated = pattern.startswith("!")
        matched = glob_matches(pattern[1:] if negated else pattern, path, settings.project_root)
        if matched != negated:
            for sel in selectors:
                ignored.update(c for c in codes if sel == "ALL" or c.startswith(sel))
    return frozenset(ignored)


def enabled_rules(settings: Settings) -> List[Rule]:
    return resolve_selection(settings.select, settings.extend_select, settings.ignore, settings.preview)


def enabled_codes(settings: Settings) -> List[str]:
    """The codes of ``enabled_rules(settings)``, read from the registry without importing a rule."""
    return resolve_codes(settings.select, settings.extend_select, settings.ignore, settings.preview)
