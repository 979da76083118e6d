"""``mfok_lint/rules/manifest.py`` (codes, names, preview status) agrees with the rule modules."""

import subprocess
import sys

import pytest

import mfok_lint.rules as registry
import mfok_lint.rules.selection as selection
from tests.conftest import REPO


def test_manifest_is_current():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "rule_manifest.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_a_stale_manifest_stops_the_registry(monkeypatch):
    stale = dict(registry.MANIFEST)
    name, preview = stale["MFO001"]
    stale["MFO001"] = (name, not preview)
    monkeypatch.setattr(registry, "MANIFEST", stale)
    monkeypatch.setattr(registry, "_REGISTRY", None)
    with pytest.raises(RuntimeError, match="scripts/rule_manifest.py"):
        registry.all_rules()


def test_selection_from_the_manifest_matches_the_rules():
    rules = registry.all_rules()
    for preview in (False, True):
        for select in (None, ["ALL"], ["MFO0"], ["MFO006", "MFO1"]):
            expected = [
                code for code, rule in rules.items()
                if (select is None and code.startswith("MFO") or select and any(
                    s == "ALL" or code.startswith(s) for s in select))
                and (preview or not rule.preview or (select and code in select))
            ]
            assert selection.resolve_codes(select, preview=preview) == expected, (select, preview)
