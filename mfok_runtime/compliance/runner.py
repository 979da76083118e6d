"""`mfok-run compliance`: preflight, isolated environment, suite workers, live progress and the report.

Design decisions:
- The suite runs in pytest subprocesses, never in this process: the runner stays importable without
  pytest or metaflow, each worker gets the isolated environment from its first import, and a hung
  scheduler cannot take the report down with it (a worker past its deadline is killed as a process group).
- `--workers N` splits the selected capabilities over N such subprocesses (longest first, greedy), so no
  pytest-xdist is needed. Workers share one isolated root; every deployment has its own directory.
- Workers append one JSON line per event to a file; the runner tails it for progress and builds the
  report from it. A capability without a result line is a failure that names the worker's exit.
- Isolation: HOME, TMPDIR, METAFLOW_DATASTORE_SYSROOT_LOCAL and METAFLOW_CLIENT_CACHE_PATH point into one
  fresh directory, removed at the end unless --keep-artifacts. Local metadata and datastore are forced
  unless `env.` deploy arguments say otherwise, so a user profile can never redirect runs elsewhere.
- Exit codes: 0 every selected capability passed or was skipped for a stated reason, 1 a failure,
  2 usage or environment error (caught before any flow is deployed).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence
from xml.etree import ElementTree

from ..capabilities import REQUIRED, Cap, parse_caps
from .deploy_args import DeployArgs, DeployArgsError, hosts_in, parse_deploy_args, redact

HOST_PROBE_SECONDS = 3.0
HOST_PROBE_BUDGET_SECONDS = 9.0
# Rough relative cost, used only to balance workers (TIMEOUT runs two flows that wait on timeouts).
COST = {Cap.TIMEOUT: 5, Cap.CONFIG_EXPR: 2, Cap.FROM_DEPLOYMENT: 2, Cap.RESUME: 2, Cap.RETRY: 2}
STDERR_TAIL_LINES = 25


class UsageProblem(Exception):
    """Exit 2 with this one-line message."""


@dataclass
class Options:
    scheduler_type: str
    deploy_args: Sequence[str] = ()
    only: Sequence[str] = ()
    workers: int = 1
    timeout: float = 600.0
    junit_xml: Optional[str] = None
    json_path: Optional[str] = None
    keep_artifacts: bool = False
    python: str = sys.executable


@dataclass
class Result:
    capability: Cap
    status: str = "failed"
    reason: str = ""
    duration_s: float = 0.0
    detail: str = ""
    related_rules: List[tuple] = field(default_factory=list)
    findings: List[dict] = field(default_factory=list)


def _echo(message: str = "", err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(message + "\n")
    stream.flush()


def probe_hosts(args: DeployArgs) -> None:
    """Every endpoint named in --deploy-args must answer, all within HOST_PROBE_BUDGET_SECONDS.

    An HTTP(S) endpoint must return an HTTP status line (any status): an accepted TCP connection alone
    proves little behind proxies and NAT that accept everything."""
    deadline = time.monotonic() + HOST_PROBE_BUDGET_SECONDS
    for key, scheme, host, port in hosts_in(args):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise UsageProblem("host probes took too long; %s:%d (from %s) not checked" % (host, port, key))
        try:
            _probe(scheme, host, port, min(HOST_PROBE_SECONDS, remaining))
        except (OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise UsageProblem("%s:%d (from --deploy-args %s) does not answer: %s" % (host, port, key, reason))


def _probe(scheme: str, host: str, port: int, timeout: float) -> None:
    if scheme in ("http", "https"):
        if scheme == "https":
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # liveness only; the extension does its own TLS checks
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.request("HEAD", "/")
            connection.getresponse()
        finally:
            connection.close()
        return
    with socket.create_connection((host, port), timeout=timeout):
        pass


def isolated_environment(root: str, args: DeployArgs) -> Dict[str, str]:
    env = dict(os.environ)
    dirs = {
        "HOME": os.path.join(root, "home"),
        "TMPDIR": os.path.join(root, "tmp"),
        "METAFLOW_DATASTORE_SYSROOT_LOCAL": os.path.join(root, "sysroot"),
        "METAFLOW_CLIENT_CACHE_PATH": os.path.join(root, "client-cache"),
    }
    for path in dirs.values():
        os.makedirs(path, exist_ok=True)
    env.update(dirs)
    env["METAFLOW_DEFAULT_METADATA"] = "local"
    env["METAFLOW_DEFAULT_DATASTORE"] = "local"
    env.pop("METAFLOW_PROFILE", None)
    env.pop("METAFLOW_HOME", None)
    # Metaflow refuses to run without a user name; containers often have none.
    if not (env.get("METAFLOW_USER") or env.get("USER") or env.get("USERNAME")):
        env["USER"] = "mfok-compliance"
    env.update(args.env)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def preflight_extension(options: Options, env: Dict[str, str]) -> dict:
    try:
        proc = subprocess.run(
            [options.python, "-m", "mfok_runtime.compliance.preflight", options.scheduler_type],
            capture_output=True, text=True, env=env, timeout=120, cwd=env["TMPDIR"],
        )
    except subprocess.TimeoutExpired:
        raise UsageProblem("importing the extension for %r took over 120 s" % options.scheduler_type)
    try:
        info = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageProblem("cannot inspect the installed extensions: %s" % tail)
    if not info.get("ok"):
        raise UsageProblem(info.get("error", "preflight failed"))
    return info


def plan_workers(caps: Sequence[Cap], workers: int) -> List[List[Cap]]:
    buckets: List[List[Cap]] = [[] for _ in range(max(1, min(workers, len(caps))))]
    loads = [0] * len(buckets)
    for cap in sorted(caps, key=lambda c: -COST.get(c, 1)):
        index = loads.index(min(loads))
        buckets[index].append(cap)
        loads[index] += COST.get(cap, 1)
    return [b for b in buckets if b]


class _Worker:
    def __init__(self, caps: List[Cap], proc: subprocess.Popen, log_path: str, deadline: float) -> None:
        self.caps = caps
        self.proc = proc
        self.log_path = log_path
        self.deadline = deadline
        self.killed = False

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.killed = True
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()

    def log_tail(self, lines: int = 15) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                return "\n".join(handle.read().rstrip().splitlines()[-lines:])
        except OSError:
            return ""


def run_suite(options: Options, caps: List[Cap], info: dict, env: Dict[str, str], root: str,
              args: DeployArgs) -> Dict[Cap, Result]:
    events_path = os.path.join(root, "events.jsonl")
    args_path = os.path.join(root, "deploy-args.json")
    fd = os.open(args_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(args.to_json())
    ini_path = os.path.join(root, "pytest.ini")
    with open(ini_path, "w") as handle:
        handle.write("[pytest]\n")
    declared = "-" if info.get("declared") is None else ",".join(info["declared"])
    workers = []
    # Each test may trigger a few runs, each bounded by the timeout; this bounds the worker as a whole.
    worker_budget = options.timeout * 4 + 300
    try:
        for index, bucket in enumerate(plan_workers(caps, options.workers)):
            log_path = os.path.join(root, "worker-%d.log" % index)
            command = [
                # --pyargs: the suite is found in the interpreter that runs it, which may be another venv.
                options.python, "-m", "pytest", "-p", "mfok_runtime.compliance.plugin",
                "--pyargs", "mfok_runtime.compliance.suite",
                "-c", ini_path, "--rootdir", root, "-p", "no:cacheprovider", "-q", "-rN",
                "--scheduler-type", options.scheduler_type,
                "--mfok-deploy-args-file", args_path,
                "--mfok-run-timeout", str(options.timeout),
                "--mfok-only", ",".join(c.value for c in bucket),
                "--mfok-declared", declared,
                "--mfok-events", events_path,
            ]
            log = open(log_path, "w")
            proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=env["TMPDIR"],
                                    start_new_session=True)
            log.close()
            workers.append(_Worker(bucket, proc, log_path, time.monotonic() + worker_budget))
        return _follow(workers, events_path, args, options)
    finally:
        for worker in workers:
            worker.kill()
        try:
            os.remove(args_path)  # holds secrets in clear; never kept, even with --keep-artifacts
        except OSError:
            pass


def _follow(workers: List[_Worker], events_path: str, args: DeployArgs, options: Options) -> Dict[Cap, Result]:
    results: Dict[Cap, Result] = {}
    running: Dict[str, float] = {}
    offset = 0
    last_heartbeat = time.monotonic()
    total = sum(len(w.caps) for w in workers)
    while True:
        offset = _read_events(events_path, offset, results, running, args, total)
        alive = [w for w in workers if w.proc.poll() is None]
        now = time.monotonic()
        for worker in alive:
            if now > worker.deadline:
                _echo("  worker for %s exceeded its time budget; stopping it"
                      % ", ".join(c.value for c in worker.caps if c not in results))
                worker.kill()
        if not alive:
            _read_events(events_path, offset, results, running, args, total)
            break
        if now - last_heartbeat >= 30 and running:
            last_heartbeat = now
            _echo("  ... still running: %s" % ", ".join(
                "%s (%.0fs)" % (cap, time.time() - started) for cap, started in sorted(running.items())))
        time.sleep(0.5)
    for worker in workers:
        for cap in worker.caps:
            if cap not in results:
                why = "stopped after its time budget" if worker.killed else "exited with code %s" % worker.proc.returncode
                results[cap] = Result(cap, "failed", "no result: the suite worker %s" % why,
                                      detail=redact(worker.log_tail(), args.secrets))
    return results


def _read_events(path: str, offset: int, results: Dict[Cap, Result], running: Dict[str, float],
                 args: DeployArgs, total: int) -> int:
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            chunk = handle.read()
    except FileNotFoundError:
        return offset
    complete = chunk[: chunk.rfind(b"\n") + 1]
    for line in complete.decode("utf-8", errors="replace").splitlines():
        try:
            event = json.loads(line)
            cap = Cap(event["capability"])
        except (ValueError, KeyError):
            continue
        if event.get("event") == "start":
            running[cap.value] = time.time()
            _echo("  %-7s %-15s running" % ("", cap.value))
        elif event.get("event") == "result":
            running.pop(cap.value, None)
            result = Result(cap, event.get("status", "failed"), redact(event.get("reason", ""), args.secrets),
                            float(event.get("duration_s", 0.0)), redact(event.get("detail", ""), args.secrets))
            results[cap] = result
            _echo("  %-7s %-15s %s (%.1fs)%s" % (
                "[%d/%d]" % (len(results), total), cap.value, result.status, result.duration_s,
                ": " + result.reason if result.status != "passed" and result.reason else ""))
    return offset + len(complete)


def attach_lint(results: Dict[Cap, Result], info: dict) -> str:
    from .catalog import lint_findings, rules_by_capability

    failed = [r for r in results.values() if r.status == "failed"]
    if not failed:
        return ""
    by_cap = rules_by_capability()
    findings, note = lint_findings(info.get("source_root"))
    for result in failed:
        result.related_rules = by_cap.get(result.capability.value, [])
        codes = {code for code, _name in result.related_rules}
        result.findings = [f for f in findings if f["code"] in codes]
    return note


def render_table(scheduler_type: str, results: List[Result], lint_note: str) -> str:
    lines = ["", "mfok compliance: %s" % scheduler_type, ""]
    lines.append("%-16s %-8s %9s  %s" % ("capability", "status", "duration", "reason"))
    lines.append("-" * 78)
    for result in results:
        kind = "required" if result.capability in REQUIRED else "optional"
        reason = result.reason if result.status != "passed" else ""
        lines.append("%-16s %-8s %8.1fs  %s" % (result.capability.value, result.status, result.duration_s,
                                                (reason or "")[:300] + ("" if reason else "(%s)" % kind)))
        if result.status != "failed":
            continue
        if result.detail:
            for detail_line in result.detail.splitlines()[-STDERR_TAIL_LINES:]:
                lines.append("      | " + detail_line)
        if result.related_rules:
            lines.append("      related rules: " + ", ".join(
                "%s %s" % (code, name) if name else code for code, name in result.related_rules))
        for finding in result.findings:
            lines.append("      finding: %s:%s %s %s" % (finding["path"], finding["row"], finding["code"],
                                                        finding["message"]))
    if lint_note:
        lines.append("")
        lines.append("note: " + lint_note)
    counts = {s: sum(1 for r in results if r.status == s) for s in ("passed", "failed", "skipped")}
    lines.append("")
    lines.append("%d passed, %d failed, %d skipped" % (counts["passed"], counts["failed"], counts["skipped"]))
    return "\n".join(lines)


def write_json(path: str, scheduler_type: str, results: List[Result]) -> None:
    payload = {
        "scheduler_type": scheduler_type,
        "results": [
            {"capability": r.capability.value, "status": r.status, "reason": r.reason or None,
             "duration_s": round(r.duration_s, 2)}
            for r in results
        ],
    }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2)
        handle.write("\n")


def write_junit(path: str, scheduler_type: str, results: List[Result]) -> None:
    suite = ElementTree.Element("testsuite", {
        "name": "mfok-compliance-%s" % scheduler_type,
        "tests": str(len(results)),
        "failures": str(sum(r.status == "failed" for r in results)),
        "skipped": str(sum(r.status == "skipped" for r in results)),
        "time": "%.2f" % sum(r.duration_s for r in results),
    })
    for result in results:
        case = ElementTree.SubElement(suite, "testcase", {
            "classname": "mfok.compliance.%s" % scheduler_type,
            "name": result.capability.value,
            "time": "%.2f" % result.duration_s,
        })
        if result.status == "failed":
            failure = ElementTree.SubElement(case, "failure", {"message": result.reason})
            extra = [result.detail] if result.detail else []
            if result.related_rules:
                extra.append("related rules: " + ", ".join(code for code, _ in result.related_rules))
            extra += ["%s:%s %s %s" % (f["path"], f["row"], f["code"], f["message"]) for f in result.findings]
            failure.text = "\n".join(extra)
        elif result.status == "skipped":
            ElementTree.SubElement(case, "skipped", {"message": result.reason})
    ElementTree.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def select_caps(only: Sequence[str]) -> List[Cap]:
    if not only:
        return list(Cap)
    names = []
    for value in only:
        names.extend(part for part in value.split(",") if part.strip())
    try:
        chosen = parse_caps(names)
    except ValueError as exc:
        raise UsageProblem("--only: %s" % exc)
    return [cap for cap in Cap if cap in chosen]


def _interrupt(signum, frame):
    # SIGTERM takes the same path as Ctrl-C, so workers are stopped and the isolated directory removed.
    raise KeyboardInterrupt


def run(options: Options) -> int:
    """The whole command; returns the exit code. Problems before any deployment exit 2."""
    try:
        if options.workers < 1:
            raise UsageProblem("--workers must be at least 1")
        if options.timeout <= 0:
            raise UsageProblem("--timeout must be positive")
        caps = select_caps(options.only)
        try:
            args = parse_deploy_args(options.deploy_args)
        except DeployArgsError as exc:
            raise UsageProblem(str(exc))
        for path, flag in ((options.json_path, "--json"), (options.junit_xml, "--junit-xml")):
            if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
                raise UsageProblem("%s: directory of %s does not exist" % (flag, path))
        probe_hosts(args)
    except UsageProblem as exc:
        _echo("error: %s" % exc, err=True)
        return 2

    root = tempfile.mkdtemp(prefix="mfok-compliance-")
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    try:
        env = isolated_environment(root, args)
        try:
            info = preflight_extension(options, env)
        except UsageProblem as exc:
            _echo("error: %s" % redact(str(exc), args.secrets), err=True)
            return 2
        declared = info.get("declared")
        _echo("mfok compliance: %s via %s" % (options.scheduler_type, info.get("deployer_class")))
        _echo("  declared capabilities: %s" % (", ".join(declared) if declared is not None
                                                 else "none declared (required set assumed)"))
        if args.items:
            _echo("  deploy args: %s" % args.describe())
        _echo("  isolated in %s; %d capabilities on %d worker(s), %.0f s per run"
              % (root, len(caps), min(options.workers, len(caps)), options.timeout))
        try:
            by_cap = run_suite(options, caps, info, env, root, args)
        except KeyboardInterrupt:
            _echo("interrupted; scheduler processes stopped", err=True)
            return 130
        results = [by_cap[cap] for cap in caps]
        lint_note = attach_lint(by_cap, info)
        _echo(redact(render_table(options.scheduler_type, results, lint_note), args.secrets))
        if options.json_path:
            write_json(options.json_path, options.scheduler_type, results)
        if options.junit_xml:
            write_junit(options.junit_xml, options.scheduler_type, results)
        return 1 if any(r.status == "failed" for r in results) else 0
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        if options.keep_artifacts:
            _echo("artifacts kept in %s" % root)
        else:
            shutil.rmtree(root, ignore_errors=True)
