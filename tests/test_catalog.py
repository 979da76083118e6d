"""The rule catalog agrees with the rule registry, and every page's examples behave as the page claims."""

from __future__ import annotations

import pytest

import rules_catalog
from mfok_lint.lint.check import lint_text
from mfok_lint.rules import all_rules
from mfok_lint.rules.registry import RULES, FixAvailability, by_code
from mfok_runtime.capabilities import Cap

PAGE_CODES = rules_catalog.codes()
RULE_CODES = list(all_rules())


def test_catalog_is_not_empty():
    assert "MFO001" in PAGE_CODES and "MFO002" in PAGE_CODES


@pytest.mark.parametrize("code", RULE_CODES)
def test_every_registered_rule_has_a_page(code):
    assert code in PAGE_CODES, f"rules_catalog/{code}.md is missing"


def test_every_page_documents_a_registered_rule():
    assert set(PAGE_CODES) == set(by_code()), "every registry row has a page and every page a row"


@pytest.mark.parametrize("row", RULES, ids=lambda row: row.code)
def test_registry_rows_are_coherent(row):
    assert row.fix in FixAvailability
    assert (row.applicability is None) == (row.fix is FixAvailability.NONE), f"{row.code}: applicability goes with a fix"
    for capability in row.capabilities:
        assert Cap(capability)  # a real capability name
    assert row.summary and not row.summary.endswith(".")


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
    good = lint_text(page.examples["Use instead"], path=page.use_instead_path, select=[code])
    assert good == [], f"{code}.md: the Use-instead example triggers {[(d.code, d.message) for d in good]}"


def test_lookup_by_code_and_by_name():
    assert rules_catalog.load_page("run-params-tuple").code == "MFO001"
    assert rules_catalog.load_page("mfo002").code == "MFO002"
    assert rules_catalog.page_for("no-such-rule") is None
    with pytest.raises(KeyError):
        rules_catalog.load_page("MFO999")


def test_pages_are_package_data():
    for code in PAGE_CODES:
        assert (rules_catalog.CATALOG_DIR / f"{code}.md").is_file()


PAGE = """## What it does
x

## Example
```python title="metaflow_extensions/acme/plugins/acme/x.py"
cmd = ["step"]
```
"""


def test_page_parser_reads_sections_and_example_paths():
    page = rules_catalog.parse_page(PAGE, "MFO123")
    assert list(page.sections) == ["What it does", "Example"]
    assert page.examples["Example"] == 'cmd = ["step"]\n'
    assert page.example_path == "metaflow_extensions/acme/plugins/acme/x.py"
    assert page.use_instead_path == page.example_path


@pytest.mark.parametrize(
    "text, code, problem",
    [
        ("---\ncode: MFO123\n---\n" + PAGE, "MFO123", "prose only"),
        (PAGE, "MFO12", r"not MFO \+ three digits"),
    ],
)
def test_malformed_pages_are_rejected_with_the_reason(text, code, problem):
    with pytest.raises(rules_catalog.CatalogError, match=problem):
        rules_catalog.parse_page(text, code)
