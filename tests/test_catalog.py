"""The rule catalog agrees with the rule registry, and every page's examples behave as the page claims."""

from __future__ import annotations

import pytest

import rules_catalog
from mfok_lint.lint.check import lint_text
from mfok_lint.rules import all_rules
from mfok_lint.rules.base import FixAvailability
from mfok_runtime.capabilities import Cap

PAGE_CODES = rules_catalog.codes()
RULE_CODES = list(all_rules())


def test_catalog_is_not_empty():
    assert "MFO001" in PAGE_CODES and "MFO002" in PAGE_CODES


@pytest.mark.parametrize("code", RULE_CODES)
def test_every_registered_rule_has_a_page(code):
    assert code in PAGE_CODES, f"rules_catalog/{code}.md is missing"


@pytest.mark.parametrize("code", PAGE_CODES)
def test_front_matter_matches_the_registered_rule(code):
    page = rules_catalog.load_page(code)
    rule = all_rules().get(code)
    assert rule is not None, f"{code}.md documents a rule that is not registered"
    meta = page.meta
    assert meta["code"] == rule.code
    assert meta["name"] == rule.name
    assert meta["summary"] == rule.message
    assert meta["fix"] == rule.fix_availability.value
    assert meta["status"] == ("preview" if rule.preview else "stable")
    expected_capability = rule.capability or "none"
    assert meta["capability"] == expected_capability
    if expected_capability != "none":
        assert Cap(expected_capability)  # a real capability name
    if rule.fix_availability is FixAvailability.NONE:
        assert meta["applicability"] == "none"
    else:
        assert meta["applicability"] in ("safe", "unsafe", "display-only")


@pytest.mark.parametrize("code", PAGE_CODES)
def test_sections_present_in_order(code):
    page = rules_catalog.load_page(code)
    titles = list(page.sections)
    assert titles == list(rules_catalog.SECTIONS), f"{code}.md sections: {titles}"
    for title in rules_catalog.SECTIONS:
        assert page.sections[title].strip(), f"{code}.md: section {title!r} is empty"
    assert set(page.examples) == {"Example", "Use instead"}, f"{code}.md needs one python block per example section"
    assert page.sections["References"].lstrip().startswith("- ")


@pytest.mark.parametrize("code", PAGE_CODES)
def test_example_triggers_the_rule_and_use_instead_does_not(code):
    page = rules_catalog.load_page(code)
    bad = lint_text(page.examples["Example"], path=page.example_path, select=[code])
    assert bad, f"{code}.md: the Example does not trigger {code}"
    assert {d.code for d in bad} == {code}
    # Layout rules judge the path itself, so their Use-instead may live at a path of its own.
    good_path = page.meta.get("use_instead_path") or page.example_path
    good = lint_text(page.examples["Use instead"], path=good_path, select=[code])
    assert good == [], f"{code}.md: the Use-instead example triggers {[(d.code, d.message) for d in good]}"


def test_lookup_by_code_and_by_name():
    assert rules_catalog.load_page("MFO001").name == "run-params-tuple"
    assert rules_catalog.load_page("run-params-tuple").code == "MFO001"
    assert rules_catalog.load_page("mfo002").code == "MFO002"
    assert rules_catalog.page_for("no-such-rule") is None
    with pytest.raises(KeyError):
        rules_catalog.load_page("MFO999")


def test_pages_are_package_data():
    for code in PAGE_CODES:
        assert (rules_catalog.CATALOG_DIR / f"{code}.md").is_file()


PAGE = """---
code: MFO123
name: some-rule  # trailing comments are allowed
summary: "Quoted: with a colon"
fix: none
applicability: none
status: preview
capability: none
---
## What it does
x
"""


def test_front_matter_parser_reads_flat_pairs():
    page = rules_catalog.parse_page(PAGE, "MFO123.md")
    assert page.meta["name"] == "some-rule"
    assert page.meta["summary"] == "Quoted: with a colon"
    assert page.example_path == "example.py"
    assert list(page.sections) == ["What it does"]


@pytest.mark.parametrize(
    "text, problem",
    [
        ("code: MFO123\n", "must start"),
        ("---\ncode: MFO123\n", "not closed"),
        (PAGE.replace("fix: none", "fix: maybe"), "fix must be one of"),
        (PAGE.replace("code: MFO123", "code: MFO12"), r"not MFO \+ three digits"),
        (PAGE.replace("status: preview\n", ""), "lacks status"),
        (PAGE.replace("status: preview", "status preview"), "expected 'key: value'"),
    ],
)
def test_malformed_pages_are_rejected_with_the_reason(text, problem):
    with pytest.raises(rules_catalog.CatalogError, match=problem):
        rules_catalog.parse_page(text, "MFO123.md")
