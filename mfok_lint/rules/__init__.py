"""The rules: one module per row of ``registry.py`` (``mfoNNN_<rule_name>.py``), each holding one ``Rule`` subclass.

The modules are imported on the first call of ``all_rules()``, not with this package: selecting rules and keying
the cache read the registry alone, so a run answered by the cache imports no rule module and no libcst.
"""

from __future__ import annotations

import importlib
from typing import Dict, Optional

from mfok_lint.rules.base import Rule, RuleKind
from mfok_lint.rules.registry import RULES, RuleRow

__all__ = ["Rule", "RuleKind", "all_rules", "get_rule"]

_LOADED: Optional[Dict[str, Rule]] = None


def _load(row: RuleRow) -> Rule:
    """The one ``Rule`` subclass of the row's module, instantiated, with the row attached."""
    module = importlib.import_module(f"{__name__}.{row.module}")
    classes = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module.__name__
    ]
    if len(classes) != 1:
        raise RuntimeError(f"{module.__name__} must define exactly one Rule subclass, found {len(classes)}")
    rule_class = classes[0]
    rule_class.row = row
    return rule_class()


def all_rules() -> Dict[str, Rule]:
    """code -> rule instance, in the registry's order. Imported once per process (before any worker fork)."""
    global _LOADED
    if _LOADED is None:
        _LOADED = {row.code: _load(row) for row in RULES}
    return _LOADED


def get_rule(code_or_name: str) -> Optional[Rule]:
    key = code_or_name.strip()
    rules = all_rules()
    if key.upper() in rules:
        return rules[key.upper()]
    for rule in rules.values():
        if rule.name == key:
            return rule
    return None


