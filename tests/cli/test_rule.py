"""`mfok-lint rule`, `rules` and `version`, compared with what ruff prints for its own rules."""

import json
import re
import subprocess
import sys
from pathlib import Path

from cli_support import assert_one_line_error

from mfok_lint import __version__
from mfok_lint.rules import all_rules
from tests.conftest import REPO

README = REPO / "README.md"

RUFF = str(Path(sys.executable).parent / "ruff")


def test_rule_by_code_and_by_name_prints_the_catalog_page(mfok):
    by_code = mfok("rule", "MFO901")
    assert by_code.code == 0, by_code
    lines = by_code.out.splitlines()
    assert lines[0] == "# unused-noqa (MFO901)"
    assert "Fix is always available." in lines
    assert "## What it does" in lines
    assert "## Why is this bad?" in lines  # the page body, not just the summary
    assert mfok("rule", "unused-noqa").out == by_code.out


def test_rule_without_fix_omits_the_fix_line_like_ruff(mfok):
    out = mfok("rule", "MFO902").out
    assert out.startswith("# invalid-noqa (MFO902)\n")
    assert "Fix is" not in out.split("## What it does")[0]


def test_rule_json_has_exactly_ruffs_keys(mfok):
    ruff_keys = list(
        json.loads(
            subprocess.run(
                [RUFF, "rule", "F401", "--output-format", "json"], capture_output=True, text=True, check=True
            ).stdout
        )
    )
    result = mfok("rule", "MFO901", "--output-format", "json")
    assert result.code == 0, result
    data = json.loads(result.out)
    assert list(data) == ruff_keys
    assert data["code"] == "MFO901" and data["name"] == "unused-noqa"
    assert data["fix"] == "Fix is always available." and data["fix_availability"] == "Always"
    assert data["preview"] is False and data["status"] == {"Stable": {"since": __version__}}
    assert data["explanation"].startswith("## What it does")
    assert data["source_location"]["file"] == "mfok_lint/rules/mfo901_unused_noqa.py"


def test_rule_all_text_and_json(mfok):
    text = mfok("rule", "--all").out
    titles = [line for line in text.splitlines() if line.startswith("# ") and "(MFO" in line]
    assert titles == [f"# {r.name} ({r.code})" for r in all_rules().values()]
    data = json.loads(mfok("rule", "--all", "--output-format", "json").out)
    assert [d["code"] for d in data] == list(all_rules())


def test_rule_usage_errors(mfok):
    assert_one_line_error(mfok("rule", "MFO9"), "unknown rule 'MFO9'", "did you mean")
    assert_one_line_error(mfok("rule"), "exactly one of RULE")
    assert_one_line_error(mfok("rule", "MFO901", "--all"), "exactly one of RULE")


def test_rules_lists_code_name_status_and_fix(mfok):
    result = mfok("rules")
    assert result.code == 0, result
    rows = [line.split(None, 3) for line in result.out.splitlines()]
    assert rows[0] == ["CODE", "NAME", "STATUS", "FIX"]
    assert ["MFO901", "unused-noqa", "stable", "safe (always)"] in rows
    assert ["MFO900", "syntax-error", "stable", "none"] in rows
    assert len(rows) == len(all_rules()) + 1
    # The fix column says what the README's table says: safe / unsafe / display-only, and how often.
    table = re.findall(r"^\| (MFO\d{3}) \| (\S+) \| (\w+) \| ([^|]+?) \|", README.read_text(), re.M)
    assert len(table) == len(all_rules())
    assert [list(row) for row in table] == rows[1:]
    assert {fix.split()[0] for *_, fix in table} == {"safe", "unsafe", "display-only", "none"}
    data = json.loads(mfok("rules", "--output-format", "json").out)
    entry = next(d for d in data if d["code"] == "MFO901")
    assert entry["status"] == "stable" and entry["fix_availability"] == "Always"
    # ruff's keys only: applicability is not one of them.
    assert set(entry) == {"code", "name", "linter", "summary", "status", "preview", "fix", "fix_availability"}


def test_version_subcommand_and_flags(mfok):
    for args in (["version"], ["--version"], ["-V"]):
        result = mfok(*args)
        assert result.code == 0 and result.out == f"mfok-lint {__version__}\n", result
    assert json.loads(mfok("version", "--output-format", "json").out) == {"version": __version__}
