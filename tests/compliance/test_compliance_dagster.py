"""metaflow-dagster (pinned in requirements/dagster.txt) through the whole compliance suite, in-process Dagster,
and, where the reference copy exists, through Metaflow's own test/ux suite in the same invocation.

The expected outcome per capability is the one recorded in docs/compliance-results.md, each failure with
its evidence there; a change in either direction fails this test, so the record cannot go stale. The
expected test/ux verdicts are those of running that suite by hand against the same environment
(deployer mode, modules compliance, basic, config, dag; recorded in docs/compliance-results.md).
"""

import json
import os
from pathlib import Path

import pytest

METAFLOW_TEST_UX = Path("/work/shared/metaflow-test-ux")
UPSTREAM = {
    "passed": {
        "test_branch", "test_branch_propagated_to_steps", "test_catch", "test_config_corner_cases",
        "test_config_from_deployment", "test_config_simple_config", "test_config_simple_config_value",
        "test_config_simple_default", "test_config_value_propagated", "test_foreach", "test_from_deployment",
        "test_hello_project", "test_hello_world", "test_mutable_flow_config_value", "test_mutable_flow_default",
        "test_nested_foreach", "test_nested_foreach_2x2", "test_nested_foreach_or_skip", "test_resources",
        "test_resources_cpu", "test_retry", "test_retry_count_from_scheduler", "test_retry_foreach",
        "test_run_params_multiple_values", "test_timeout",
    },
    "failed": {
        "test_custom_branch_flow", "test_custom_step_names", "test_fail_flow_reports_failed_status",
        "test_hello_conda", "test_multibody_foreach", "test_run_param_not_dropped", "test_single_step_flow",
        "test_split_in_branch_deployer",
    },
    "skipped": {
        "test_condition", "test_nested_foreach_3level", "test_resources_gpu", "test_timeout_enforcement",
        "test_timeout_minutes_enforced",
    },
}

EXPECTED = {
    "LINEAR_DAG": "failed",
    "BRANCHING": "failed",
    "FOREACH": "failed",
    "RETRY": "passed",
    "CATCH": "passed",
    "TIMEOUT": "passed",
    "RESOURCES": "passed",
    "PROJECT_BRANCH": "passed",
    "CONFIG_EXPR": "failed",
    "RUN_PARAMS": "failed",
    "FROM_DEPLOYMENT": "passed",
    "CONDA": "failed",
    "NESTED_FOREACH": "skipped",
    "RESUME": "skipped",
    "SCHEDULE": "skipped",
}
# Each failure with its real cause (under load too: the reason comes from the deployer's complete logs).
REASON_FRAGMENTS = {
    "LINEAR_DAG": "create failed for custom_steps_flow.py: KeyError: 'start'",
    "BRANCHING": "IndentationError",
    "FOREACH": "DagsterInvalidDefinitionError",
    "CONFIG_EXPR": "InvalidDecoratorAttribute",
    "RUN_PARAMS": "DagsterInvalidConfigError",
    "CONDA": "'CondaStepDecorator' object has no attribute 'disabled'",
    "NESTED_FOREACH": "not declared",
}
# Rules that protect a failed capability and fire on metaflow-dagster's source, listed first in the report.
FIRING_RULES = {
    "CONFIG_EXPR": "MFO027",
    "CONDA": "MFO027",
}

@pytest.fixture(scope="module")
def dagster_report(dagster_python, compliance_runner, tmp_path_factory):
    out = tmp_path_factory.mktemp("dagster-run")
    extra = ["--metaflow-src", str(METAFLOW_TEST_UX)] if (METAFLOW_TEST_UX / "test" / "ux").is_dir() else []
    result = compliance_runner(dagster_python, "dagster", out, "--workers", "2", "--timeout", "300",
                               "--junit-xml", str(out / "junit.xml"), *extra, timeout=3000)
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
    assert all("no output" not in reason for reason in reasons.values()), reasons
    rules = {r["capability"]: r["rules"] for r in report["results"]}
    for cap, code in FIRING_RULES.items():
        assert rules[cap][0]["code"] == code and rules[cap][0]["fires"] > 0, (cap, rules[cap])
    assert report["summary"]["required_not_verified"] == []
    assert result.returncode == 1


@pytest.mark.slow
def test_dagster_report_shows_failing_output_and_cleans_up(dagster_report):
    result, _report, out = dagster_report
    assert "IndentationError: unexpected indent" in result.stdout  # the failing trigger's stderr tail
    assert "rules that fire on the extension:" in result.stdout
    assert not [n for n in os.listdir(out) if n.startswith(("mfok-compliance-", "mfok-deploys-", "mf_dagster_home"))]


@pytest.mark.slow
@pytest.mark.skipif(not (METAFLOW_TEST_UX / "test" / "ux").is_dir(),
                    reason="Metaflow's test/ux reference copy (/work/shared/metaflow-test-ux) is not on this machine")
def test_dagster_upstream_verdicts_match_a_run_by_hand(dagster_report):
    result, report, _out = dagster_report
    assert report is not None and "upstream" in report, result.stdout[-5000:] + result.stderr[-3000:]
    statuses = {t["name"].split("[")[0]: t["status"] for t in report["upstream"]["tests"]}
    want = {name: status for status, names in UPSTREAM.items() for name in names}
    assert statuses == want, result.stdout[-8000:]
    reasons = {t["name"].split("[")[0]: t["reason"] or "" for t in report["upstream"]["tests"]}
    # A deployer command that failed reads as that command of that flow, not as Metaflow's command line.
    assert reasons["test_custom_step_names"].startswith("create of hello_custom_steps.py failed"), reasons
