"""The bug-history data file is well formed: scripts/bug_history.py can measure every record."""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# scripts/ is not a package.
sys.path.insert(0, str(ROOT / "scripts"))

import bug_history

BUGS = json.loads(bug_history.DATA.read_text())
REQUIRED = {"id", "package", "buggy", "fixed", "file", "line", "fixed_file", "fixed_line", "rule", "kind",
            "description", "evidence"}
OPTIONAL = {"message"}
CODES = {p.stem for p in (ROOT / "rules_catalog").glob("MFO*.md")}


def _version(v):
    return tuple(int(x) for x in v.split("."))


def test_records_have_the_measured_fields():
    for bug in BUGS:
        assert REQUIRED <= set(bug) <= REQUIRED | OPTIONAL, bug["id"]
        assert isinstance(bug["line"], int) and bug["line"] > 0, bug["id"]
        assert isinstance(bug["fixed_line"], int) and bug["fixed_line"] > 0, bug["id"]
        assert _version(bug["buggy"]) < _version(bug["fixed"]), bug["id"]
        assert bug["evidence"] and all(isinstance(e, str) for e in bug["evidence"]), bug["id"]


def test_ids_are_unique():
    ids = [b["id"] for b in BUGS]
    assert len(ids) == len(set(ids))


def test_rules_exist_and_uncovered_kinds_are_marked():
    for bug in BUGS:
        if bug["rule"] is None:
            assert re.fullmatch(r"uncovered:[a-z0-9-]+", bug["kind"]), bug["id"]
            assert "message" not in bug, bug["id"]
        else:
            assert bug["rule"] in CODES, bug["id"]
            assert not bug["kind"].startswith("uncovered:"), bug["id"]


def test_records_are_sorted_by_package_version_file():
    keys = [(b["package"], _version(b["buggy"]), b["file"], b["line"]) for b in BUGS]
    assert keys == sorted(keys)


def test_releases_are_known_to_the_ecosystem_corpus():
    for bug in BUGS:
        releases = bug_history.ecosystem.METAFLOW_RELEASES if bug["package"] == "metaflow" else (
            bug_history.ecosystem.RELEASES[bug["package"]]
        )
        assert bug["buggy"] in releases and bug["fixed"] in releases, bug["id"]


def test_table_counts_per_rule_and_total():
    results = [
        {"rule": "MFO001", "found_file": True, "found_line": False, "fixed_clean": True},
        {"rule": "MFO001", "found_file": True, "found_line": True, "fixed_clean": True},
        {"rule": None, "found_file": False, "found_line": False, "fixed_clean": True},
    ]
    text = bug_history.table(results)
    assert "| MFO001 | 2 | 2 (100%) | 1 (50%) | 2 (100%) |" in text
    assert "| uncovered | 1 | 0 (0%) | 0 (0%) | 1 (100%) |" in text
    assert "| **total** | 3 | 2 (66%) | 1 (33%) | 3 (100%) |" in text
