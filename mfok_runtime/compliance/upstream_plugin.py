"""pytest plugin loaded into Metaflow's own test/ux run: one JSON line per test start and result.

Loaded by `mfok-run compliance --metaflow-src` with `-p mfok_runtime.compliance.upstream_plugin
--mfok-upstream-events FILE`. Under pytest-xdist only the controller writes (workers' reports reach it
through xdist), so every test is reported once. Standard library and pytest only.
"""

from __future__ import annotations

import json
import os
import time

from .infra import deployer_command_cause

_state: dict = {"path": None, "results": {}, "started": {}}
DETAIL_LINES = 40


def pytest_addoption(parser):
    parser.addoption("--mfok-upstream-events", dest="mfok_upstream_events", default=None,
                     help="append one JSON line per upstream test start/result to this file")


def pytest_configure(config):
    if hasattr(config, "workerinput"):  # an xdist worker: the controller reports
        if config.getoption("mfok_upstream_events"):
            # Each worker deploys from its own working directory. test/ux deploys without a cwd, and some
            # extensions write their compiled files there by flow name: two workers deploying one flow with
            # different branches at once would overwrite each other's, which no serial run of the suite does.
            own = os.path.join(os.environ.get("TMPDIR") or "/tmp", "upstream-%s" % config.workerinput["workerid"])
            os.makedirs(own, exist_ok=True)
            os.chdir(own)
        return
    _state["path"] = config.getoption("mfok_upstream_events")


def _emit(event: dict) -> None:
    path = _state["path"]
    if not path:
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(event) + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def pytest_runtest_logstart(nodeid, location):
    if not _state["path"]:
        return
    _state["started"][nodeid] = time.time()
    _emit({"event": "upstream-start", "nodeid": nodeid})


def _crash_message(report) -> str:
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return str(crash.message)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    text = str(longrepr or "").strip().splitlines()
    return text[-1] if text else ""


def pytest_runtest_logreport(report):
    if not _state["path"]:
        return
    entry = _state["results"].setdefault(report.nodeid, {"status": "passed", "reason": "", "detail": "",
                                                          "duration_s": 0.0})
    entry["duration_s"] += report.duration
    if report.skipped and entry["status"] == "passed":
        entry["status"] = "skipped"
        reason = _crash_message(report)
        if hasattr(report, "wasxfail"):
            reason = "xfail: %s" % (report.wasxfail or reason)
        entry["reason"] = reason.replace("Skipped: ", "", 1)
    elif report.failed and entry["status"] != "failed":
        entry["status"] = "failed"
        raw = _crash_message(report)
        # A deployer command that failed: its own cause, not the command line Metaflow's message starts with.
        message = deployer_command_cause(raw) or " ".join(raw.split())
        entry["reason"] = ("%s: %s" % (report.when, message)) if report.when != "call" else message
        text = getattr(report, "longreprtext", "") or ""
        captured = "\n".join(content for name, content in getattr(report, "sections", [])
                             if "stdout" in name or "stderr" in name)
        detail = text.rstrip().splitlines()[-DETAIL_LINES:]
        if captured.strip():
            detail += ["--- captured output (last %d lines)" % DETAIL_LINES]
            detail += captured.rstrip().splitlines()[-DETAIL_LINES:]
        entry["detail"] = "\n".join(detail)
    elif report.passed and hasattr(report, "wasxfail") and report.when == "call":
        entry["reason"] = "xpass"


def pytest_runtest_logfinish(nodeid, location):
    if not _state["path"]:
        return
    entry = _state["results"].get(nodeid)
    if entry is None:
        return
    _emit(dict(entry, event="upstream-result", nodeid=nodeid,
               duration_s=round(time.time() - _state["started"].get(nodeid, time.time()), 2)))


def pytest_collectreport(report):
    """A module that cannot be collected (an import error, a conftest failure) is one failed entry."""
    if not _state["path"] or not report.failed:
        return
    text = str(report.longrepr or "").rstrip().splitlines()
    cause = next((line for line in reversed(text) if line.startswith("E ")), text[-1] if text else "")
    _emit({"event": "upstream-result", "nodeid": report.nodeid or "<collection>", "status": "failed",
           "reason": "collection error: %s" % cause.lstrip("E ").strip(), "detail": "\n".join(text[-DETAIL_LINES:]),
           "duration_s": 0.0})
