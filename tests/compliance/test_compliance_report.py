"""The report writers: reasons kept whole, no empty blocks, one cause told once, wall time, unverified
required capabilities (table, JSON, JUnit read the same Report)."""

import json
import xml.etree.ElementTree as ET

from mfok_runtime.capabilities import Cap
from mfok_runtime.compliance.harness import cause_key
from mfok_runtime.compliance.report import (
    Report, Result, RuleLink, UpstreamResult, link_same_causes, render_table, to_json, write_junit,
)

LONG_REASON = ("run MfokRetryFlow/prefect-1 failed at step flaky: 4 tasks (MfokRetryFlow/prefect-1/flaky/a1, "
               "MfokRetryFlow/prefect-1/flaky/a2, MfokRetryFlow/prefect-1/flaky/a3, "
               "MfokRetryFlow/prefect-1/flaky/a4), all at attempt 0")


def _report():
    results = [
        Result(Cap.RETRY, "failed", LONG_REASON, 120.0, detail="", cause="retries run as new tasks at attempt 0",
               rules=[RuleLink("MFO015", "max-user-code-retries-missing"),
                      RuleLink("MFO004", "retry-count-hardcoded", findings=[
                          {"code": "MFO004", "path": "pkg/codegen.py", "row": 341, "message": "constant"}])]),
        Result(Cap.CATCH, "failed", "run MfokCatchFlow/prefect-2 failed at step caught_after_retry: 2 tasks, "
               "all at attempt 0", 100.0, detail="   \n", cause="retries run as new tasks at attempt 0"),
        Result(Cap.CONDA, "skipped", "the triggered @conda run reached the point where it needs a conda channel",
               30.0),
        Result(Cap.LINEAR_DAG, "passed", "", 20.0),
    ]
    link_same_causes(results)
    upstream = [UpstreamResult("core/test_basic.py::test_retry[x-deployer]", "core/test_basic.py",
                               "test_retry[x-deployer]", Cap.RETRY, "failed", "RuntimeError: Run 1 failed", 40.0)]
    return Report("prefect", results, upstream=upstream, upstream_source="/src/metaflow", wall_time_s=326.0)


def test_reason_is_never_cut_and_attempts_are_said():
    table = render_table(_report())
    flat = " ".join(line.strip() for line in table.splitlines())
    assert "all at attempt 0" in flat
    assert "MfokRetryFlow/prefect-1/flaky/a4" in flat


def test_a_second_failure_with_the_same_cause_says_so():
    report = _report()
    catch = report.results[1]
    assert catch.same_cause_as == "RETRY"
    table = render_table(report)
    assert "same cause as RETRY: run MfokCatchFlow" in table
    assert to_json(report)["results"][1]["same_cause_as"] == "RETRY"
    assert to_json(report)["results"][0]["same_cause_as"] is None


def test_cause_keys_match_one_cause_across_flows():
    project = cause_key("trigger failed: ValueError: No deployment named 'mfok' found for flow 'MfokProjectFlow'")
    reattach = cause_key("trigger failed: ValueError: No deployment named 'mfok' found for flow "
                         "'MfokFromDeploymentFlow'")
    other = cause_key("trigger failed: TypeError: Invalid type for 'run_params'")
    assert project == reattach != other


def test_empty_output_blocks_are_not_printed():
    table = render_table(_report())
    assert "      | " not in table.split("CATCH", 1)[1].split("CONDA", 1)[0]


def test_rules_that_fire_come_first_and_quiet_ones_are_named():
    table = render_table(_report())
    retry_block = table.split("RETRY", 1)[1].split("CATCH", 1)[0]
    assert retry_block.index("rules that fire on the extension") < retry_block.index("related rules that do not fire")
    assert "MFO004 retry-count-hardcoded (1 finding)" in retry_block
    assert "pkg/codegen.py:341" in retry_block
    assert "do not fire: MFO015" in retry_block


def test_unverified_required_capability_in_summary_and_json():
    report = _report()
    assert render_table(report).rstrip().splitlines()[-1] == (
        "1 passed, 3 failed, 1 skipped; 1 required capability not verified (CONDA) in 326 s")
    payload = to_json(report)
    assert payload["summary"]["required_not_verified"] == ["CONDA"]
    assert payload["summary"]["wall_time_s"] == 326.0
    assert payload["upstream"]["tests"][0]["capability"] == "RETRY"
    assert "NOT VERIFIED (required)" in render_table(report)


def test_junit_time_is_wall_time_not_the_sum(tmp_path):
    path = tmp_path / "junit.xml"
    write_junit(str(path), _report())
    root = ET.parse(str(path)).getroot()
    assert root.tag == "testsuites" and root.get("time") == "326.00"
    suites = root.findall("testsuite")
    assert suites[0].get("time") == "326.00"  # not 270 (the sum of capability durations)
    assert [s.get("tests") for s in suites] == ["4", "1"]
    catch = [c for c in suites[0].iter("testcase") if c.get("name") == "CATCH"][0]
    assert catch.find("failure").get("message").startswith("same cause as RETRY: ")
    json.dumps(to_json(_report()))  # serialisable


def test_timeouts_and_checks_carry_no_cause_so_they_are_never_merged():
    from mfok_runtime.compliance.harness import ComplianceFailure, Outcome

    first = Outcome(timed_out=True, duration_s=150.0, notes=["at the deadline the extension's status was RUNNING "
                                                             "and F/1 showed start 1/1 finished"])
    second = Outcome(timed_out=True, duration_s=151.0)
    assert first.cause() == second.cause() == ""
    assert first.describe_failure() == ("the run did not finish within the 150 s timeout: at the deadline the "
                                        "extension's status was RUNNING and F/1 showed start 1/1 finished")
    assert ComplianceFailure("artifact 'x' of step 'end' is not visible").cause == ""
    results = [Result(Cap.FOREACH, "failed", first.describe_failure(), cause=first.cause()),
               Result(Cap.TIMEOUT, "failed", second.describe_failure(), cause=second.cause())]
    link_same_causes(results)
    assert results[1].same_cause_as is None
