"""One live test per capability. Collected only with the plugin (`-p mfok_runtime.compliance.plugin`).

Each test deploys shipped flows (mfok_runtime/compliance/flows) through the extension's Deployer, triggers
them and checks what the tasks saw. The flows assert at task runtime too, so a wrong value fails the step
on the scheduler itself and the report can show that task's stderr.
"""

from __future__ import annotations

import os
import re

import pytest

from .harness import ComplianceFailure

PROJECT = "mfok_compliance"
# Mirrors of the constants in flows/timeout_flow.py, flows/timeout_catch_flow.py and flows/schedule_flow.py.
TIMEOUT_LIMIT_SECONDS = 4
TIMEOUT_SLEEP_SECONDS = 120
SCHEDULE_CRON = "17 3 * * *"


def _artifact(run, step, name):
    task = run[step].task
    if task is None or name not in task:
        raise ComplianceFailure("artifact %r of step %r is not visible to the Metaflow client (%s)"
                                % (name, step, getattr(task, "pathspec", run.pathspec + "/" + step)))
    return task[name].data


def _run_ok(scheduler, flow, top=None, params=None, **create_kwargs):
    deployment = scheduler.deploy(flow, top=top, **create_kwargs)
    outcome = deployment.trigger(**(params or {}))
    outcome.require_success()
    return outcome.run


def _check(condition, reason):
    if not condition:
        raise ComplianceFailure(reason)


@pytest.mark.capability("LINEAR_DAG")
def test_linear_dag(scheduler):
    run = _run_ok(scheduler, "linear_flow.py")
    _check(_artifact(run, "end", "trail") == ["start", "middle"], "artifacts did not travel start -> middle -> end")
    _check(_artifact(run, "end", "verdict") == "ok", "end step did not complete its checks")


@pytest.mark.capability("BRANCHING")
def test_branching(scheduler):
    run = _run_ok(scheduler, "branch_flow.py")
    _check(_artifact(run, "end", "total") == 31, "the join did not see both branches' artifacts")
    run = _run_ok(scheduler, "branch_after_foreach_flow.py")
    _check(_artifact(run, "combine", "parts") == [1, 9], "a split after a foreach join lost its inputs")


@pytest.mark.capability("FOREACH")
def test_foreach(scheduler):
    run = _run_ok(scheduler, "foreach_flow.py")
    _check(_artifact(run, "end", "results") == ["C", "A", "D", "B", "E"], "foreach results are not in item order")
    body_tasks = list(run["body"])
    _check(len(body_tasks) == 5, "expected 5 foreach tasks, found %d" % len(body_tasks))


@pytest.mark.capability("NESTED_FOREACH")
def test_nested_foreach(scheduler):
    run = _run_ok(scheduler, "nested_foreach_flow.py")
    grid = _artifact(run, "end", "grid")
    _check(grid == [["x1", "x2", "x3"], ["y1", "y2", "y3"]], "nested foreach grid is %r" % (grid,))


@pytest.mark.capability("RETRY")
def test_retry(scheduler):
    run = _run_ok(scheduler, "retry_flow.py")
    task = run["flaky"].task
    seen = task.data.attempt_seen
    _check(seen == 2, "the task saw retry_count=%r on its successful (third) attempt, expected 2" % (seen,))
    attempt = task.current_attempt
    _check(attempt == 2, "Metaflow recorded the successful attempt as %r, expected 2" % (attempt,))


@pytest.mark.capability("CATCH")
def test_catch(scheduler):
    run = _run_ok(scheduler, "catch_flow.py")
    late = str(_artifact(run, "end", "late_failure"))
    _check("attempt 1" in late, "@catch after @retry did not rerun user code on attempt 1: %s" % late)


@pytest.mark.capability("TIMEOUT")
def test_timeout(scheduler):
    caught = scheduler.deploy("timeout_catch_flow.py").trigger()
    caught.require_success()
    _check("slept_through" not in caught.run["slow"].task, "the @timeout step ran to the end of its sleep")
    _check(caught.run["patient"].task.data.patient_done, "@timeout(minutes=1) cut a 5 s step short")

    failing = scheduler.deploy("timeout_flow.py").trigger()
    _check(not failing.timed_out, "a step over @timeout(seconds=%d) kept the run going past the suite timeout"
           % TIMEOUT_LIMIT_SECONDS)
    _check(not failing.successful, "a step over its @timeout without @catch did not fail the run")
    if failing.run is not None and "slow" in failing.run:
        for task in failing.run["slow"]:
            _check(not ("slept_through" in task), "the @timeout step slept through its limit")
            if task.finished_at and task.created_at:
                took = (task.finished_at - task.created_at).total_seconds()
                _check(took < TIMEOUT_SLEEP_SECONDS / 2,
                       "the @timeout(seconds=%d) step was aborted only after %.0f s" % (TIMEOUT_LIMIT_SECONDS, took))
    else:
        _check(failing.duration_s < TIMEOUT_SLEEP_SECONDS,
               "the run failed only after %.0f s, the step's sleep, not its @timeout" % failing.duration_s)


@pytest.mark.capability("RESOURCES")
def test_resources(scheduler):
    run = _run_ok(scheduler, "resources_flow.py")
    _check(_artifact(run, "end", "doubled") == [2, 4], "foreach under @resources lost its results")


@pytest.mark.capability("PROJECT_BRANCH")
def test_project_branch(scheduler):
    branch = "mfokbranch"
    run = _run_ok(scheduler, "project_flow.py", top={"branch": branch})
    expected = "test.%s" % branch
    seen = _artifact(run, "end", "seen")
    wrong = {step: value for step, value in seen.items() if value != expected}
    _check(not wrong, "current.branch_name differs from %r in: %s" % (expected, wrong))
    expected_steps = {"start", "left", "right", "meet", "fan", "body[0]", "body[1]", "gather", "end"}
    _check(set(seen) == expected_steps, "steps seen: %s" % sorted(seen))
    _check(_artifact(run, "end", "project_seen") == PROJECT, "current.project_name is not %r" % PROJECT)


@pytest.mark.capability("CONFIG_EXPR")
def test_config_expr(scheduler):
    run = _run_ok(scheduler, "config_flow.py")
    seen = _artifact(run, "end", "seen")
    wrong = {s: v for s, v in seen.items() if v != "default-greeting"}
    _check(not wrong, "default @config value not seen in: %s" % wrong)

    override = {"greeting": "overridden, with = and 'quotes'", "fanout": 3}
    run = _run_ok(scheduler, "config_flow.py", top={"config_value": [("cfg", override)]})
    seen = _artifact(run, "end", "seen")
    wrong = {s: v for s, v in seen.items() if v != override["greeting"]}
    _check(not wrong, "deploy-time @config override not seen in: %s" % wrong)
    _check(_artifact(run, "join", "fanout_seen") == 3, "config value did not drive the foreach width")


RUN_PARAMS = {
    "text": "hello, world = 'quoted' \"twice\"",
    "count": 7,
    "ratio": 0.25,
    "flag": False,
    "payload": {"k": [1, 2], "s": "x,y"},
    "retry_count": 3,
}


@pytest.mark.capability("RUN_PARAMS")
def test_run_params(scheduler):
    run = _run_ok(scheduler, "params_flow.py", params=dict(RUN_PARAMS))
    seen = _artifact(run, "end", "seen")
    for step_name, snapshot in seen.items():
        wrong = {k: v for k, v in snapshot.items() if v != RUN_PARAMS[k] or type(v) is not type(RUN_PARAMS[k])}
        _check(not wrong, "step %s saw %s; expected %s" % (
            step_name, wrong, {k: RUN_PARAMS[k] for k in wrong}))


@pytest.mark.capability("FROM_DEPLOYMENT")
def test_from_deployment(scheduler):
    branch = "reattach"
    deployment = scheduler.deploy("from_deployment_flow.py", top={"branch": branch})
    identifier = deployment.identifier
    _check(bool(identifier), "create wrote no deployment name")
    try:
        recovered = scheduler.from_deployment(identifier)
    except ComplianceFailure:
        raise
    except Exception as exc:
        raise ComplianceFailure("from_deployment(%r) raised %s: %s" % (identifier, type(exc).__name__, exc))
    _check(recovered.flow_name == "MfokFromDeploymentFlow",
           "from_deployment gave flow_name %r" % (getattr(recovered, "flow_name", None),))
    outcome = scheduler.trigger(recovered, deployment.impl, marker="re-attached")
    outcome.require_success()
    _check(_artifact(outcome.run, "start", "marker_seen") == "re-attached",
           "the run triggered from the recovered deployment lost its parameter")
    _check(_artifact(outcome.run, "start", "branch_seen") == "test.%s" % branch,
           "the recovered deployment runs on branch %r" % _artifact(outcome.run, "start", "branch_seen"))


CONDA_FLAG = re.compile(r"--environment(=|\"?'?,?\s+\"?'?)conda")


@pytest.mark.capability("CONDA")
def test_conda(scheduler):
    try:
        deployment = scheduler.deploy("conda_flow.py", top={"environment": "conda"})
    except ComplianceFailure as failure:
        if re.search(r"micromamba|conda.*(not found|unavailable|channel)", failure.detail + failure.reason, re.I):
            pytest.skip("deploying with --environment conda needs micromamba/conda channels, unreachable here")
        raise
    text = deployment.artefact_text()
    if "conda_flow.py" not in text and " step " not in text:
        pytest.skip("the deployment keeps no local artefact to read step commands from; "
                    "the live run needs micromamba/conda channels, unreachable here")
    _check(CONDA_FLAG.search(text) is not None,
           "the compiled step commands do not carry --environment conda")
    pytest.skip("step commands carry --environment conda; the live run needs micromamba and conda "
                "channels, unreachable here")


@pytest.mark.capability("RESUME")
def test_resume(scheduler):
    marker = os.path.join(os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", scheduler.workdir), "mfok_resume_marker")
    os.environ["MFOK_RESUME_MARKER"] = marker
    deployment = scheduler.deploy("resume_flow.py")
    first = deployment.trigger()
    _check(not first.successful, "the first run should fail at `fragile` and did not")
    _check(first.run is not None, "the failed first run is not visible to the Metaflow client")
    resume = getattr(deployment.deployed, "resume", None)
    _check(callable(resume), "RESUME is declared but %s has no resume()" % type(deployment.deployed).__name__)
    with open(marker, "w") as handle:
        handle.write("ok")
    triggered_or_outcome = resume(run_id=first.run.id)
    run = getattr(triggered_or_outcome, "run", None)
    _check(run is not None and run.successful, "the resumed run did not succeed")
    origin = run["start"].task.metadata_dict.get("origin-run-id")
    _check(origin == first.run.id, "start was not cloned from the failed run (origin-run-id %r)" % origin)


@pytest.mark.capability("SCHEDULE")
def test_schedule(scheduler):
    deployment = scheduler.deploy("schedule_flow.py")
    text = deployment.artefact_text()
    schedule = getattr(deployment.deployed, "schedule", None)
    _check(SCHEDULE_CRON in text or SCHEDULE_CRON in str(schedule), "the deployment carries no trace of @schedule(cron=%r)" % SCHEDULE_CRON)
