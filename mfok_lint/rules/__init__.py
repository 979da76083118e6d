"""The rule registry.

Every module named ``mfoNNN_<rule_name>.py`` in this package holds exactly one ``Rule`` subclass; the registry
discovers them by file name, so adding a rule is adding a module. Selection follows ruff: prefixes of codes
(``MFO``, ``MFO0``, ``MFO00``, ``MFO001``) or ``ALL``; the most specific of select / ignore wins; preview rules
need ``preview`` or their exact code.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Dict, Optional

from mfok_lint.rules.base import FixAvailability, Rule, RuleKind
from mfok_lint.rules.manifest import RULES as MANIFEST

__all__ = ["Rule", "RuleKind", "FixAvailability", "all_rules", "get_rule"]

_MODULE_RE = re.compile(r"^mfo\d{3}_[a-z0-9_]+$")
_REGISTRY: Optional[Dict[str, Rule]] = None


def _import_rules() -> Dict[str, Rule]:
    """code -> rule instance, from the rule modules themselves."""
    found: Dict[str, Rule] = {}
    for info in pkgutil.iter_modules(__path__):
        if not _MODULE_RE.match(info.name):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        classes = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__
        ]
        if len(classes) != 1:
            raise RuntimeError(f"{module.__name__} must define exactly one Rule subclass, found {len(classes)}")
        rule = classes[0]()
        expected = info.name.split("_", 1)[0].upper()
        if rule.code != expected:
            raise RuntimeError(f"{module.__name__} defines {rule.code}, expected {expected}")
        found[rule.code] = rule
    return dict(sorted(found.items()))


def all_rules() -> Dict[str, Rule]:
    """code -> rule instance, sorted by code. Imported once per process (before any worker fork)."""
    global _REGISTRY
    if _REGISTRY is None:
        found = _import_rules()
        described = {code: (rule.name, bool(rule.preview)) for code, rule in found.items()}
        if described != MANIFEST:
            raise RuntimeError("mfok_lint/rules/manifest.py disagrees with the rule modules: run scripts/rule_manifest.py")
        _REGISTRY = found
    return _REGISTRY


def get_rule(code_or_name: str) -> Optional[Rule]:
    key = code_or_name.strip()
    rules = all_rules()
    if key.upper() in rules:
        return rules[key.upper()]
    for rule in rules.values():
        if rule.name == key:
            return rule
    return None


