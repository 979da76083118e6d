"""pytest plugin for the compliance suite: options, markers, capability gating and result events.

Use: `pytest -p mfok_runtime.compliance.plugin --pyargs mfok_runtime.compliance.suite --scheduler-type X`
(`mfok-run compliance` does this for you, in an isolated environment).

Markers: `capability(NAME)` on every suite test, plus one marker per capability, `cap_<name>` in lower case
(`-m cap_retry`, `-m "not cap_timeout"`), added to the tests automatically. (Bare lower-case names would
collide with other plugins' markers: pytest-timeout reads `timeout` as its own and fails without an argument.)

Gating follows the declaration read from the extension (see preflight.py): a required capability the
extension does not declare fails (when it declares anything at all); an optional one it does not declare is
skipped with that reason; an optional one it declares runs and must pass.
"""

from __future__ import annotations

import json
import os
import tempfile
import time

import pytest

from ..capabilities import OPTIONAL, REQUIRED, Cap, parse_caps
from .deploy_args import DeployArgs, redact
from .harness import ComplianceFailure, Scheduler

def pytest_addoption(parser):
    group = parser.getgroup("mfok-compliance", "mfok compliance suite")
    group.addoption("--scheduler-type", dest="mfok_scheduler_type", default=None,
                    help="the TYPE the extension registers with Deployer")
    group.addoption("--mfok-deploy-args-file", dest="mfok_deploy_args_file", default=None,
                    help="JSON file with parsed --deploy-args (written by mfok-run)")
    group.addoption("--mfok-deploy-args", dest="mfok_deploy_args", action="append", default=[],
                    help="deploy arguments, same syntax as `mfok-run compliance --deploy-args`")
    group.addoption("--mfok-run-timeout", dest="mfok_run_timeout", type=float, default=600.0,
                    help="seconds one triggered run may take before it is terminated")
    group.addoption("--mfok-only", dest="mfok_only", default=None,
                    help="comma-separated capabilities to run")
    group.addoption("--mfok-declared", dest="mfok_declared", default=None,
                    help="declared capabilities as found by preflight ('-' for no declaration)")
    group.addoption("--mfok-events", dest="mfok_events", default=None,
                    help="append one JSON line per capability result to this file")


def pytest_configure(config):
    config.addinivalue_line("markers", "capability(name): the Cap this compliance test proves")
    for cap in Cap:
        config.addinivalue_line("markers", "%s: compliance test for %s" % (marker_name(cap), cap.value))


def marker_name(cap: Cap) -> str:
    return "cap_" + cap.value.lower()


def _deploy_args(config) -> DeployArgs:
    path = config.getoption("mfok_deploy_args_file")
    if path:
        with open(path) as handle:
            return DeployArgs.from_json(handle.read())
    from .deploy_args import parse_deploy_args

    return parse_deploy_args(config.getoption("mfok_deploy_args"))


def _declared(config, scheduler_type):
    raw = config.getoption("mfok_declared")
    if raw is None:
        from .preflight import inspect_extension

        info = inspect_extension(scheduler_type)
        if not info.get("ok"):
            raise pytest.UsageError(info.get("error", "preflight failed"))
        return None if info.get("declared") is None else parse_caps(info["declared"])
    if raw == "-":
        return None
    return parse_caps([c for c in raw.split(",") if c])


def _cap_of(item):
    marker = item.get_closest_marker("capability")
    return Cap(marker.args[0]) if marker else None


def pytest_collection_modifyitems(session, config, items):
    only = config.getoption("mfok_only")
    wanted = parse_caps(only.split(",")) if only else None
    kept, dropped = [], []
    for item in items:
        cap = _cap_of(item)
        if cap is None:
            kept.append(item)
            continue
        item.add_marker(getattr(pytest.mark, marker_name(cap)))
        (kept if wanted is None or cap in wanted else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def compliance_config(request):
    config = request.config
    scheduler_type = config.getoption("mfok_scheduler_type")
    if not scheduler_type:
        raise pytest.UsageError("the compliance suite needs --scheduler-type")
    return {
        "scheduler_type": scheduler_type,
        "declared": _declared(config, scheduler_type),
        "deploy_args": _deploy_args(config),
        "run_timeout": config.getoption("mfok_run_timeout"),
    }


@pytest.fixture(scope="session")
def scheduler(compliance_config):
    workdir = tempfile.mkdtemp(prefix="mfok-deploys-")
    sched = Scheduler(
        compliance_config["scheduler_type"],
        compliance_config["deploy_args"],
        compliance_config["run_timeout"],
        workdir,
    )
    try:
        yield sched
    finally:
        sched.close()


@pytest.fixture(autouse=True)
def _capability_gate(request, compliance_config):
    cap = _cap_of(request.node)
    if cap is None:
        return
    declared = compliance_config["declared"]
    if cap in OPTIONAL and (declared is None or cap not in declared):
        pytest.skip("optional capability, not declared in SUPPORTED_CAPABILITIES")
    if cap in REQUIRED and declared is not None and cap not in declared:
        pytest.fail("required capability missing from SUPPORTED_CAPABILITIES", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    excinfo = call.excinfo
    if excinfo is None:
        return
    if isinstance(excinfo.value, ComplianceFailure):
        report.mfok_reason = excinfo.value.reason
        report.mfok_detail = excinfo.value.detail
        report.mfok_cause = excinfo.value.cause
    elif excinfo.errisinstance(pytest.skip.Exception):
        report.mfok_reason = str(excinfo.value.msg if hasattr(excinfo.value, "msg") else excinfo.value)
    else:
        text = " ".join(str(excinfo.value).split()) or excinfo.typename
        report.mfok_reason = "%s: %s" % (excinfo.typename, text[:800])
        report.mfok_detail = ""


def pytest_runtest_logreport(report):
    cap_results = _results_holder.get("results")
    if cap_results is None:
        return
    entry = cap_results.setdefault(report.nodeid, {"status": "passed", "reason": "", "detail": "", "cause": "",
                                                    "duration_s": 0.0})
    entry["duration_s"] += report.duration
    reason = getattr(report, "mfok_reason", "")
    if report.skipped and entry["status"] == "passed":
        entry["status"] = "skipped"
        entry["reason"] = reason or _skip_reason(report)
    elif report.failed and entry["status"] != "failed":
        entry["status"] = "failed"
        entry["reason"] = reason or "%s failed" % report.when
        entry["detail"] = getattr(report, "mfok_detail", "")
        entry["cause"] = getattr(report, "mfok_cause", "")


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).replace("Skipped: ", "", 1)
    return str(longrepr)


_results_holder: dict = {}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logstart(nodeid, location):
    _results_holder.setdefault("results", {})
    _results_holder.setdefault("started", {})[nodeid] = time.time()
    _emit({"event": "start", "nodeid": nodeid, "capability": _cap_from_nodeid(nodeid)})


def pytest_runtest_logfinish(nodeid, location):
    entry = _results_holder.get("results", {}).get(nodeid)
    if entry is None:
        return
    started = _results_holder.get("started", {}).get(nodeid, time.time())
    _emit({
        "event": "result",
        "nodeid": nodeid,
        "capability": _cap_from_nodeid(nodeid),
        "status": entry["status"],
        "reason": entry["reason"],
        "detail": entry["detail"],
        "cause": entry["cause"],
        "duration_s": round(time.time() - started, 2),
    })


def _cap_from_nodeid(nodeid: str) -> str:
    name = nodeid.rsplit("::", 1)[-1].split("[", 1)[0]
    return name[len("test_"):].upper() if name.startswith("test_") else name


_events_path: list = []
_secrets: list = []


def pytest_sessionstart(session):
    path = session.config.getoption("mfok_events")
    if path:
        _events_path.append(path)
    try:
        _secrets.extend(_deploy_args(session.config).secrets)
    except Exception:
        pass


def _emit(event: dict) -> None:
    for key in ("reason", "detail"):
        if key in event:
            event[key] = redact(event[key], _secrets)
    if not _events_path:
        return
    line = json.dumps(event) + "\n"
    # One write per line with O_APPEND: concurrent workers never interleave within a line.
    fd = os.open(_events_path[0], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
