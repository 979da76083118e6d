"""`mfok-run` as users call it: exit codes, preflight, isolation, reports (no scheduler install needed).

The project's own virtualenv has metaflow with its built-in deployers but no third-party extension, which
is exactly the "extension missing" environment. argo-workflows is registered there but has no cluster, so
a run against it exercises the whole runner and yields a real failed capability quickly.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import tool

PYTHON = sys.executable


def mfok_run(*args, env=None, timeout=300, cwd=None):
    merged = dict(os.environ)
    merged.update(env or {})
    return subprocess.run([tool("mfok-run"), *args], capture_output=True, text=True, env=merged,
                          timeout=timeout, cwd=cwd)


def test_help_lists_both_subcommands():
    result = mfok_run("--help")
    assert result.returncode == 0
    assert "compliance" in result.stdout and "scaffold" in result.stdout


def test_unknown_scheduler_type_exits_2_naming_what_is_missing(tmp_path):
    result = mfok_run("compliance", "--scheduler-type", "no-such-scheduler", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mfok-run: error: ")
    assert "no-such-scheduler" in lines[0] and "argo-workflows" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--only", "NOT_A_CAP"], "unknown capability"),
        (["--workers", "0"], "--workers"),
        (["--timeout", "-1"], "--timeout"),
        (["--deploy-args", 'x="open'], "No closing quotation"),
        (["--deploy-args", "justakey"], "not key=value"),
        (["--suite", "upstream"], "needs --metaflow-src"),
        (["--test-modules", "basic"], "needs --metaflow-src"),
        (["--python", "/nonexistent/python"], "cannot be run"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, args, fragment):
    result = mfok_run("compliance", "--scheduler-type", "argo-workflows", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("mfok-run: error: ")


def test_missing_option_is_a_usage_error():
    result = mfok_run("compliance")
    assert result.returncode == 2
    assert "--scheduler-type" in result.stderr


def test_refused_host_exits_2_immediately(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    result = mfok_run("compliance", "--scheduler-type", "argo-workflows",
                      "--deploy-args", "url=http://127.0.0.1:%d/api" % port, cwd=tmp_path)
    assert result.returncode == 2
    assert "127.0.0.1:%d" % port in result.stderr and "does not answer" in result.stderr


def test_silent_host_exits_2_within_10_seconds(tmp_path):
    """A server that accepts connections and never replies: the probe must give up in time."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    held = []
    stop = threading.Event()

    def accept_and_hold():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_hold, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        result = mfok_run("compliance", "--scheduler-type", "argo-workflows",
                          "--deploy-args", "api_url=http://127.0.0.1:%d/api,token=abc123secret" % port, cwd=tmp_path)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()
    assert result.returncode == 2
    assert elapsed < 10, elapsed
    assert "does not answer" in result.stderr
    assert "abc123secret" not in result.stdout + result.stderr


def test_runner_imports_neither_pytest_nor_metaflow():
    code = (
        "import sys, mfok_runtime.cli, mfok_runtime.compliance.cli, mfok_runtime.compliance.runner,"
        " mfok_runtime.compliance.deploy_args, mfok_runtime.compliance.report, mfok_runtime.compliance.rule_links,"
        " mfok_runtime.compliance.upstream, mfok_runtime.compliance.infra;"
        "from mfok_runtime.compliance.rule_links import rules_by_capability; assert rules_by_capability();"
        "bad = [m for m in ('pytest', 'metaflow') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_a_broken_subcommand_fails_with_one_line_and_others_keep_working(monkeypatch, capsys):
    from mfok_runtime import cli

    monkeypatch.setitem(cli.LAZY_COMMANDS, "scaffold", ("mfok_runtime.no_such_module", "scaffold_command"))
    assert cli.main(["scaffold", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not available" in err and "no_such_module" in err
    assert cli.main(["--help"]) == 0


@pytest.fixture(scope="module")
def argo_run(tmp_path_factory):
    """One real runner invocation against argo-workflows with no cluster: every capability fails at create."""
    out = tmp_path_factory.mktemp("argo")
    json_path, junit_path = out / "report.json", out / "report.xml"
    before = set(os.listdir(out))
    env = {"TMPDIR": str(out)}
    result = mfok_run(
        "compliance", "--scheduler-type", "argo-workflows", "--only", "LINEAR_DAG,NESTED_FOREACH",
        "--timeout", "60", "--json", str(json_path), "--junit-xml", str(junit_path),
        "--deploy-args", "env.MFOK_PROBE_TOKEN=tok-zz-99", env=env, cwd=out, timeout=600,
    )
    return result, json_path, junit_path, out, before


def test_failed_capability_exits_1_with_the_json_schema(argo_run):
    result, json_path, _junit, _out, _before = argo_run
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(json_path.read_text())
    assert set(report) == {"scheduler_type", "results", "summary"}
    assert report["scheduler_type"] == "argo-workflows"
    by_cap = {r["capability"]: r for r in report["results"]}
    assert list(by_cap) == ["LINEAR_DAG", "NESTED_FOREACH"]
    for entry in report["results"]:
        assert set(entry) == {"capability", "status", "required", "reason", "same_cause_as", "duration_s", "rules"}
        assert isinstance(entry["duration_s"], float)
    assert report["summary"]["failed"] == 1 and report["summary"]["skipped"] == 1
    assert report["summary"]["required_not_verified"] == []
    assert report["summary"]["wall_time_s"] > 0
    # The failed capability links the registry's rules for LINEAR_DAG, with how often each fires.
    assert {r["code"] for r in by_cap["LINEAR_DAG"]["rules"]} >= {"MFO008", "MFO020", "MFO021"}
    assert all(r["fires"] == 0 for r in by_cap["LINEAR_DAG"]["rules"])
    assert by_cap["LINEAR_DAG"]["status"] == "failed"
    assert by_cap["LINEAR_DAG"]["reason"].startswith("create failed for linear_flow.py")
    assert by_cap["NESTED_FOREACH"]["status"] == "skipped"
    assert "not declared" in by_cap["NESTED_FOREACH"]["reason"]


def test_table_shows_status_reason_and_related_rules(argo_run):
    result = argo_run[0]
    table = result.stdout[result.stdout.index("capability "):]
    assert "LINEAR_DAG" in table and "failed" in table and "NESTED_FOREACH" in table and "skipped" in table
    # The cause the create command printed, not only Metaflow's wrapper message.
    flat = " ".join(line.strip() for line in table.splitlines())  # reasons wrap, never cut
    assert "Kubernetes client error: Could not import module 'kubernetes'" in flat
    assert "no related rule fires on the extension" in table
    assert "related rules that do not fire: MFO008 input-paths-missing" in table
    assert table.rstrip().splitlines()[-1].startswith("0 passed, 1 failed, 1 skipped in ")
    assert "running" in result.stdout  # progress before the table
    assert "tok-zz-99" not in result.stdout + result.stderr
    assert "MFOK_PROBE_TOKEN=***" in result.stdout


def test_junit_has_one_case_per_capability(argo_run):
    root = ET.parse(str(argo_run[2])).getroot()
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"LINEAR_DAG", "NESTED_FOREACH"}
    assert cases["LINEAR_DAG"].find("failure") is not None
    assert cases["NESTED_FOREACH"].find("skipped") is not None


def test_isolated_directory_is_removed(argo_run):
    _result, _json, _junit, out, before = argo_run
    leftovers = [name for name in set(os.listdir(out)) - before if name.startswith("mfok-compliance-")]
    assert leftovers == []


def test_keep_artifacts_keeps_the_isolated_directory_without_secrets(tmp_path):
    result = mfok_run(
        "compliance", "--scheduler-type", "argo-workflows", "--only", "RESUME", "--keep-artifacts",
        "--deploy-args", "env.SOME_PASSWORD=pw-77-zz", env={"TMPDIR": str(tmp_path)}, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr  # RESUME: optional, undeclared -> skipped
    kept = [name for name in os.listdir(tmp_path) if name.startswith("mfok-compliance-")]
    assert len(kept) == 1
    root = tmp_path / kept[0]
    assert "artifacts kept in %s" % root in result.stdout
    assert {"home", "tmp", "sysroot", "client-cache"} <= set(os.listdir(root))
    assert not (root / "deploy-args.json").exists()


# A required capability that cannot be verified here: CONDA against a minimal extension whose create packages
# the flow as Metaflow's own deployers do, which stops where micromamba and a conda channel are needed.
PACKAGING_EXTENSION = os.path.join(os.path.dirname(__file__), "fixtures", "packaging_extension")


@pytest.fixture(scope="module")
def unverified_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("unverified")
    env = {"TMPDIR": str(out), "PYTHONPATH": PACKAGING_EXTENSION}
    plain = mfok_run("compliance", "--scheduler-type", "mfokpkg", "--only", "CONDA", "--timeout", "120",
                     "--json", str(out / "plain.json"), env=env, cwd=out)
    strict = mfok_run("compliance", "--scheduler-type", "mfokpkg", "--only", "CONDA", "--timeout", "120", "--strict",
                      env=env, cwd=out)
    return plain, strict, json.loads((out / "plain.json").read_text())


def test_unverified_required_capability_is_said_not_passed(unverified_runs):
    plain, _strict, report = unverified_runs
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert report["results"][0]["status"] == "skipped"
    assert "needs a conda channel" in report["results"][0]["reason"]
    assert report["summary"]["required_not_verified"] == ["CONDA"]
    last = plain.stdout.rstrip().splitlines()[-1]
    assert last.startswith("0 passed, 0 failed, 1 skipped; 1 required capability not verified (CONDA)"), last


def test_strict_turns_unverified_into_exit_1(unverified_runs):
    _plain, strict, _report = unverified_runs
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "--strict: 1 required capability not verified" in strict.stderr


def test_conda_refused_at_create_is_not_verified_rather_than_failed(tmp_path):
    result = mfok_run("compliance", "--scheduler-type", "mfokpkg", "--only", "CONDA", "--timeout", "120",
                      "--json", str(tmp_path / "r.json"), "--deploy-args", "env.MFOKPKG_REFUSE_CONDA=1",
                      env={"TMPDIR": str(tmp_path), "PYTHONPATH": PACKAGING_EXTENSION}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    entry = report["results"][0]
    assert entry["status"] == "skipped"
    assert entry["reason"].startswith("the extension refuses @conda at create: ")
    assert "is not supported by mfokpkg" in entry["reason"]
    assert report["summary"]["required_not_verified"] == ["CONDA"]
