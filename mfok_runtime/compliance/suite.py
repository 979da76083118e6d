"""One live test per capability. Collected only with the plugin (`-p mfok_runtime.compliance.plugin`).

Each test deploys shipped flows (mfok_runtime/compliance/flows) through the extension's Deployer, triggers
them and checks what the tasks saw. The flows assert at task runtime too, so a wrong value fails the step
on the scheduler itself and the report can show that task's stderr.
"""

from __future__ import annotations

import os
import re
import time

import pytest

from .harness import ComplianceFailure
from .infra import missing_infrastructure

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


FAILED_STATUS_WAIT_SECONDS = 60


def _status_name(triggered) -> str:
    status = getattr(triggered, "status", None)
    return str(getattr(status, "name", status) or "").upper()


def _check_failed_run_reads_failed(scheduler):
    """A run that fails at a step must say so through the TriggeredRun: status FAILED, run.successful False."""
    outcome = scheduler.deploy("fail_flow.py").trigger()
    if outcome.triggered is None:
        how = outcome.describe_failure() if (outcome.trigger_error or outcome.timed_out) else "returned nothing"
        raise ComplianceFailure("a flow that fails at step boom: trigger() did not return a TriggeredRun whose "
                                "status reports the failure (%s)" % how, outcome.stderr_tail(), cause=outcome.cause())
    _check(outcome.run is not None, "the failed run of fail_flow.py never became visible to the Metaflow client")
    _check(not outcome.run.successful, "run.successful is True for a run whose step boom raised")
    if not hasattr(outcome.triggered, "status"):
        raise ComplianceFailure("%s has no status: a failed run cannot be told from a running one"
                                % type(outcome.triggered).__name__)
    deadline = time.time() + FAILED_STATUS_WAIT_SECONDS
    name = ""
    while time.time() < deadline:
        try:
            name = _status_name(outcome.triggered)
        except Exception as exc:
            raise ComplianceFailure("TriggeredRun.status raised %s: %s for a failed run" % (type(exc).__name__, exc))
        if name == "FAILED":
            return
        time.sleep(2)
    raise ComplianceFailure("TriggeredRun.status is %r, not FAILED, %d s after run %s failed at step boom"
                            % (name or None, FAILED_STATUS_WAIT_SECONDS, outcome.run.pathspec))


@pytest.mark.capability("LINEAR_DAG")
def test_linear_dag(scheduler):
    run = _run_ok(scheduler, "linear_flow.py")
    _check(_artifact(run, "end", "trail") == ["start", "middle"], "artifacts did not travel start -> middle -> end")
    _check(_artifact(run, "end", "verdict") == "ok", "end step did not complete its checks")

    run = _run_ok(scheduler, "custom_steps_flow.py")
    steps = {step.id for step in run}
    _check(steps == {"begin", "process", "finish"}, "a flow with @step(start=True)/@step(end=True) ran steps %s"
           % sorted(steps))
    _check(_artifact(run, "finish", "trail") == ["begin", "process", "finish"],
           "artifacts did not travel begin -> process -> finish")
    _check(run.end_task is not None and run.end_task.pathspec.split("/")[-2] == "finish",
           "the client does not see `finish` as the run's end task")

    _check_failed_run_reads_failed(scheduler)


@pytest.mark.capability("BRANCHING")
def test_branching(scheduler):
    run = _run_ok(scheduler, "branch_flow.py")
    _check(_artifact(run, "end", "total") == 31, "the join did not see both branches' artifacts")
    run = _run_ok(scheduler, "branch_after_foreach_flow.py")
    _check(_artifact(run, "combine", "parts") == [1, 9], "a split after a foreach join lost its inputs")
    run = _run_ok(scheduler, "split_in_branch_flow.py")
    _check(_artifact(run, "outer_join", "labels") == ["a", "b"], "a split inside a branch lost the outer join")
    _check(_artifact(run, "end", "parts") == [11, 12, 20], "a split inside a branch lost its inner results")


@pytest.mark.capability("FOREACH")
def test_foreach(scheduler):
    run = _run_ok(scheduler, "foreach_flow.py")
    _check(_artifact(run, "end", "results") == ["C", "A", "D", "B", "E"], "foreach results are not in item order")
    body_tasks = list(run["body"])
    _check(len(body_tasks) == 5, "expected 5 foreach tasks, found %d" % len(body_tasks))
    run = _run_ok(scheduler, "multi_body_foreach_flow.py")
    _check(_artifact(run, "end", "results") == [33, 11, 22], "a foreach with a three-step body lost item order")
    for step_name in ("load", "transform", "finish_item"):
        count = len(list(run[step_name]))
        _check(count == 3, "expected 3 %s tasks in the foreach body, found %d" % (step_name, count))


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
    # As Metaflow's own test does: the fresh deployment runs first, then the re-attached one.
    first = deployment.trigger(marker="first")
    first.require_success()
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


REFUSED = re.compile(r"not (yet )?supported|NotSupported", re.I)
CONDA_FLAG = re.compile(r"--environment(=|\"?'?,?\s+\"?'?)conda")


def _skip_if_infrastructure(text: str, where: str) -> None:
    missing = missing_infrastructure(text)
    if missing:
        pytest.skip("%s reached the point where it needs %s: %s" % (where, missing[0], missing[1]))


@pytest.mark.capability("CONDA")
def test_conda(scheduler):
    """Deploy and trigger as far as this machine allows. Only a failure that shows it reached micromamba or a
    conda channel (unreachable here) is a skip; anything that fails before that point is a failure."""
    try:
        deployment = scheduler.deploy("conda_flow.py", top={"environment": "conda"})
    except ComplianceFailure as failure:
        _skip_if_infrastructure(failure.reason + "\n" + failure.detail, "create with --environment conda")
        refusal = REFUSED.search(failure.reason)
        if refusal:
            # Said at deploy time, as Metaflow's own suite expects of an unsupported feature: not a wrong run,
            # but not a verified capability either (the report counts it as a required one not verified).
            pytest.skip("the extension refuses @conda at create: %s" % failure.reason)
        raise
    text = deployment.artefact_text()
    if "conda_flow.py" in text or " step " in text:
        _check(CONDA_FLAG.search(text) is not None, "the compiled step commands do not carry --environment conda")
    outcome = deployment.trigger()
    if outcome.successful:
        _check(bool(_artifact(outcome.run, "start", "python")), "the @conda step recorded no interpreter")
        return
    failure_text = "\n".join([outcome.describe_failure(), outcome.stderr_tail(lines=80)])
    _skip_if_infrastructure(failure_text, "the triggered @conda run")
    outcome.require_success()


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
