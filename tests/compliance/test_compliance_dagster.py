"""metaflow-dagster (pinned in requirements/dagster.txt) through the whole compliance suite, in-process Dagster.

The expected outcome per capability is the one recorded in docs/compliance-results.md, each failure with
its evidence there; a change in either direction fails this test, so the record cannot go stale.
"""

import json
import os

import pytest

EXPECTED = {
    "LINEAR_DAG": "passed",
    "BRANCHING": "failed",
    "FOREACH": "passed",
    "RETRY": "passed",
    "CATCH": "passed",
    "TIMEOUT": "passed",
    "RESOURCES": "passed",
    "PROJECT_BRANCH": "passed",
    "CONFIG_EXPR": "failed",
    "RUN_PARAMS": "failed",
    "FROM_DEPLOYMENT": "passed",
    "CONDA": "skipped",
    "NESTED_FOREACH": "skipped",
    "RESUME": "skipped",
    "SCHEDULE": "skipped",
}
REASON_FRAGMENTS = {
    "BRANCHING": "IndentationError",
    "CONFIG_EXPR": "InvalidDecoratorAttribute",
    "RUN_PARAMS": "DagsterInvalidConfigError",
    "CONDA": "micromamba",
    "NESTED_FOREACH": "not declared",
}


@pytest.fixture(scope="module")
def dagster_report(dagster_python, compliance_runner, tmp_path_factory):
    out = tmp_path_factory.mktemp("dagster-run")
    result = compliance_runner(dagster_python, "dagster", out, "--workers", "2", "--timeout", "300",
                            "--junit-xml", str(out / "junit.xml"))
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else None
    return result, report, out


@pytest.mark.slow
def test_dagster_capabilities_match_the_record(dagster_report):
    result, report, _out = dagster_report
    assert report is not None, result.stdout[-5000:] + result.stderr[-3000:]
    statuses = {r["capability"]: r["status"] for r in report["results"]}
    assert statuses == EXPECTED, result.stdout[-8000:]
    reasons = {r["capability"]: r["reason"] or "" for r in report["results"]}
    for cap, fragment in REASON_FRAGMENTS.items():
        assert fragment in reasons[cap], (cap, reasons[cap])
    assert result.returncode == 1


@pytest.mark.slow
def test_dagster_report_shows_failing_output_and_cleans_up(dagster_report):
    result, _report, out = dagster_report
    assert "IndentationError: unexpected indent" in result.stdout  # the failing trigger's stderr tail
    assert "related rules:" in result.stdout
    assert not [n for n in os.listdir(out) if n.startswith(("mfok-compliance-", "mfok-deploys-", "mf_dagster_home"))]
