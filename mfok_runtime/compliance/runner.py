"""`mfok-run compliance`: preflight, isolated environment, suite workers, live progress and the report.

Design decisions:
- The suites run in pytest subprocesses, never in this process: the runner stays importable without
  pytest or metaflow, each worker gets the isolated environment from its first import, and a hung
  scheduler cannot take the report down with it (a worker past its deadline is killed as a process group).
- The own suite: `--workers N` splits the selected capabilities over N such subprocesses (longest first,
  greedy). pytest-xdist is not used for it: see docs/compliance.md ("Workers"). Workers share one isolated
  root; every deployment has its own directory.
- Metaflow's own test/ux suite (`--metaflow-src`, see upstream.py) runs after the own suite, in a copy of
  the tree inside the same isolated root, through pytest-xdist when the interpreter has it.
- Workers append one JSON line per event to a file; the runner tails it for progress and builds the
  report from it. A capability or test without a result line is a failure that names the worker's exit.
- Isolation: HOME, TMPDIR, METAFLOW_HOME (a `{}` config_local.json, profile `local`),
  METAFLOW_DATASTORE_SYSROOT_LOCAL and METAFLOW_CLIENT_CACHE_PATH point into one fresh directory, removed at
  the end unless --keep-artifacts. Local metadata and datastore are forced unless `env.` deploy arguments
  say otherwise, so a user profile can never redirect runs elsewhere.
- Exit codes: 0 every selected capability and upstream test passed or was skipped for a stated reason,
  1 a failure (or, with --strict, a required capability not verified), 2 usage or environment error
  (caught before any flow is deployed). Errors are one line: `mfok-run: error: ...`.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from ..capabilities import Cap, parse_caps
from .deploy_args import DeployArgs, DeployArgsError, hosts_in, parse_deploy_args, redact
from .infra import missing_infrastructure
from .report import Report, Result, UpstreamResult, link_same_causes, render_table, write_json, write_junit

HOST_PROBE_SECONDS = 3.0
HOST_PROBE_BUDGET_SECONDS = 9.0
# Rough relative cost, used only to balance workers (TIMEOUT runs two flows that wait on timeouts).
COST = {Cap.TIMEOUT: 5, Cap.CONFIG_EXPR: 2, Cap.FROM_DEPLOYMENT: 2, Cap.RESUME: 2, Cap.RETRY: 2,
        Cap.LINEAR_DAG: 3, Cap.BRANCHING: 3, Cap.FOREACH: 2, Cap.CONDA: 2}
# An upstream test triggers up to three runs (test_from_deployment); each is bounded by --timeout.
UPSTREAM_RUNS_PER_TEST = 3
SUITES = ("own", "upstream", "both")


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
    metaflow_src: Optional[str] = None
    test_modules: Sequence[str] = ()
    suite: Optional[str] = None  # own / upstream / both; default: both with --metaflow-src, else own
    strict: bool = False


def _echo(message: str = "", err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(message + "\n")
    stream.flush()


def _error(message: str) -> None:
    _echo("mfok-run: error: %s" % " ".join(str(message).split()), err=True)


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
        "METAFLOW_HOME": os.path.join(root, "metaflow-home"),
        "METAFLOW_DATASTORE_SYSROOT_LOCAL": os.path.join(root, "sysroot"),
        "METAFLOW_CLIENT_CACHE_PATH": os.path.join(root, "client-cache"),
    }
    for path in dirs.values():
        os.makedirs(path, exist_ok=True)
    with open(os.path.join(dirs["METAFLOW_HOME"], "config_local.json"), "w") as handle:
        handle.write("{}\n")  # a profile with nothing in it: no service, no object store
    # Where a worker that ignores the sysroot would write instead (searched when a run never shows up).
    env["MFOK_OUTSIDE_HOME"] = os.environ.get("HOME", "")
    env.update(dirs)
    env["METAFLOW_PROFILE"] = "local"
    env["METAFLOW_DEFAULT_METADATA"] = "local"
    env["METAFLOW_DEFAULT_DATASTORE"] = "local"
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
    except OSError as exc:
        raise UsageProblem("--python %s cannot be run: %s" % (options.python, exc.strerror or exc))
    try:
        info = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageProblem("cannot inspect the installed extensions with %s: %s" % (options.python, tail))
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
    def __init__(self, label: str, proc: subprocess.Popen, log_path: str, deadline: float,
                 caps: Sequence[Cap] = ()) -> None:
        self.label = label
        self.caps = list(caps)
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

    def why_no_result(self) -> str:
        return "stopped after its time budget" if self.killed else "exited with code %s" % self.proc.returncode


def _start(command: List[str], env: Dict[str, str], log_path: str, cwd: Optional[str] = None) -> subprocess.Popen:
    log = open(log_path, "w")
    try:
        if cwd:
            os.makedirs(cwd, exist_ok=True)
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd or env["TMPDIR"],
                                start_new_session=True)
    finally:
        log.close()


class _Progress:
    """Tails the events file, prints progress, collects results of both suites."""

    def __init__(self, events_path: str, args: DeployArgs, total: int) -> None:
        self.events_path = events_path
        self.args = args
        self.total = total
        self.offset = 0
        self.results: Dict[Cap, Result] = {}
        self.upstream: Dict[str, UpstreamResult] = {}
        self.upstream_started: Dict[str, float] = {}
        self.running: Dict[str, float] = {}

    def read(self) -> None:
        try:
            with open(self.events_path, "rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.decode("utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            kind = event.get("event")
            if kind in ("upstream-start", "upstream-result"):
                self._upstream_event(kind, event)
            elif kind in ("start", "result"):
                self._own_event(kind, event)

    def _own_event(self, kind: str, event: dict) -> None:
        try:
            cap = Cap(event["capability"])
        except (ValueError, KeyError):
            return
        if kind == "start":
            self.running[cap.value] = time.time()
            _echo("  %-7s %-15s running" % ("", cap.value))
            return
        self.running.pop(cap.value, None)
        secrets = self.args.secrets
        result = Result(cap, event.get("status", "failed"), redact(event.get("reason", ""), secrets),
                        float(event.get("duration_s", 0.0)), redact(event.get("detail", ""), secrets),
                        cause=event.get("cause", "") or "")
        self.results[cap] = result
        _echo("  %-7s %-15s %s (%.1fs)%s" % (
            "[%d/%d]" % (len(self.results), self.total), cap.value, result.status, result.duration_s,
            ": " + _first_line(result.reason) if result.status != "passed" and result.reason else ""))

    def _upstream_event(self, kind: str, event: dict) -> None:
        from .upstream import capability_of, split_nodeid

        nodeid = event.get("nodeid", "")
        if kind == "upstream-start":
            self.upstream_started[nodeid] = time.time()
            self.running[nodeid] = time.time()
            return
        self.running.pop(nodeid, None)
        secrets = self.args.secrets
        module, name = split_nodeid(nodeid)
        item = UpstreamResult(nodeid, module, name, capability_of(nodeid), event.get("status", "failed"),
                              redact(event.get("reason", ""), secrets), float(event.get("duration_s", 0.0)),
                              redact(event.get("detail", ""), secrets))
        if item.status == "failed":
            missing = missing_infrastructure(item.reason + "\n" + item.detail)
            if missing:
                item.status = "skipped"
                item.reason = "needs %s, which this machine lacks: %s" % missing
        self.upstream[nodeid] = item
        _echo("  %-7s %-15s %s (%.1fs) %s%s" % (
            "[up %d]" % len(self.upstream), item.capability.value if item.capability else "-", item.status,
            item.duration_s, name, ": " + _first_line(item.reason) if item.status != "passed" and item.reason else ""))


def _first_line(text: str, limit: int = 160) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _follow(workers: List[_Worker], progress: _Progress) -> None:
    last_heartbeat = time.monotonic()
    while True:
        progress.read()
        alive = [w for w in workers if w.proc.poll() is None]
        now = time.monotonic()
        for worker in alive:
            if now > worker.deadline:
                _echo("  worker for %s exceeded its time budget; stopping it" % worker.label)
                worker.kill()
        if not alive:
            progress.read()
            return
        if now - last_heartbeat >= 30 and progress.running:
            last_heartbeat = now
            _echo("  ... still running: %s" % ", ".join(
                "%s (%.0fs)" % (name, time.time() - started) for name, started in sorted(progress.running.items())))
        time.sleep(0.5)


def _run_workers(workers: List[_Worker], progress: _Progress) -> None:
    try:
        _follow(workers, progress)
    finally:
        for worker in workers:
            worker.kill()


def run_own_suite(options: Options, caps: List[Cap], info: dict, env: Dict[str, str], root: str,
                  args: DeployArgs, progress: _Progress) -> None:
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
    try:
        for index, bucket in enumerate(plan_workers(caps, options.workers)):
            budget = options.timeout * 4 * max(1, len(bucket)) / 2 + 300
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
                "--mfok-events", progress.events_path,
            ]
            proc = _start(command, env, os.path.join(root, "worker-%d.log" % index))
            workers.append(_Worker(", ".join(c.value for c in bucket), proc, os.path.join(root, "worker-%d.log" % index),
                                   time.monotonic() + budget, caps=bucket))
        _run_workers(workers, progress)
    finally:
        try:
            os.remove(args_path)  # holds secrets in clear; never kept, even with --keep-artifacts
        except OSError:
            pass
    for worker in workers:
        for cap in worker.caps:
            if cap not in progress.results:
                progress.results[cap] = Result(cap, "failed", "no result: the suite worker %s" % worker.why_no_result(),
                                               detail=redact(worker.log_tail(), args.secrets))


def _count_tests(paths: Sequence[str]) -> int:
    total = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                total += len(re.findall(r"^def test_", handle.read(), re.M))
        except OSError:
            pass
    return max(1, total)


def run_upstream_suite(options: Options, modules: List[str], info: dict, env: Dict[str, str], root: str,
                       args: DeployArgs, progress: _Progress) -> List[str]:
    """Runs test/ux; returns notes for the report."""
    from .upstream import plan_modules, prepare_tree

    notes = []
    backend = options.scheduler_type
    ux = prepare_tree(options.metaflow_src, os.path.join(root, "metaflow-test-ux"), backend,
                      options.scheduler_type, args.create)
    if args.deployer or args.flow:
        notes.append("test/ux passes deploy arguments to create() only; deployer./flow. arguments were not used there")
    per_test = options.timeout * UPSTREAM_RUNS_PER_TEST
    base = [options.python, "-m", "pytest", "-p", "mfok_runtime.compliance.upstream_plugin",
            "--mfok-upstream-events", progress.events_path, "--rootdir", ux, "-c", os.path.join(ux, "pytest.ini"),
            "-p", "no:cacheprovider", "-q", "-rN", "--only-backend", backend]
    with open(os.path.join(ux, "conftest.py"), encoding="utf-8", errors="replace") as handle:
        if "--exec-mode" in handle.read():
            # Deployer mode only: runner-mode tests run Metaflow's local runtime and say nothing of the extension.
            base += ["--exec-mode", "deployer"]
    if info.get("pytest_timeout"):
        base += ["--timeout", "%d" % per_test]
    else:
        notes.append("pytest-timeout is not installed with %s: a hung test/ux test is stopped only by its "
                     "worker's time budget" % options.python)
    if not os.path.exists(os.path.join(ux, "pytest.ini")):
        base = [part for part in base if part not in ("-c", os.path.join(ux, "pytest.ini"))]
    paths = [os.path.join(ux, m) for m in modules]
    use_xdist = options.workers > 1 and info.get("xdist")
    if options.workers > 1 and not info.get("xdist"):
        notes.append("pytest-xdist is not installed with %s: test/ux modules were split over %d processes"
                     % (options.python, options.workers))
    groups = [paths] if use_xdist or options.workers == 1 else [
        [os.path.join(ux, m) for m in bucket] for bucket in plan_modules(modules, options.workers)]
    workers = []
    for index, group in enumerate(groups):
        command = base + (["-n", str(options.workers), "--dist", "loadfile"] if use_xdist else []) + group
        budget = per_test * _count_tests(group) + 300
        log_path = os.path.join(root, "upstream-%d.log" % index)
        # Its own working directory per process (see upstream_plugin for xdist workers).
        cwd = os.path.join(env["TMPDIR"], "upstream-p%d" % index)
        workers.append(_Worker("test/ux %s" % ", ".join(os.path.relpath(p, ux) for p in group),
                               _start(command, env, log_path, cwd), log_path, time.monotonic() + budget))
    _run_workers(workers, progress)
    started = set(progress.upstream_started)
    for nodeid in sorted(started - set(progress.upstream)):
        from .upstream import capability_of, split_nodeid

        module, name = split_nodeid(nodeid)
        worker = next((w for w in workers if module in w.label), workers[0])
        progress.upstream[nodeid] = UpstreamResult(
            nodeid, module, name, capability_of(nodeid), "failed",
            "no result: the test/ux worker %s" % worker.why_no_result(), 0.0,
            redact(worker.log_tail(), args.secrets))
    if not progress.upstream:
        tail = "\n".join(redact(w.log_tail(25), args.secrets) for w in workers)
        last = tail.strip().splitlines()[-1] if tail.strip() else "no output"
        progress.upstream["<collection>"] = UpstreamResult(
            "<collection>", "<collection>", "<collection>", None, "failed",
            "test/ux ran no test for backend %r: %s" % (backend, _first_line(last, 300)), 0.0, tail)
    return notes


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


def _validate(options: Options):
    if options.workers < 1:
        raise UsageProblem("--workers must be at least 1")
    if options.timeout <= 0:
        raise UsageProblem("--timeout must be positive")
    suite = options.suite or ("both" if options.metaflow_src else "own")
    if suite not in SUITES:
        raise UsageProblem("--suite must be one of %s" % ", ".join(SUITES))
    if suite != "own" and not options.metaflow_src:
        raise UsageProblem("--suite %s needs --metaflow-src PATH (a Metaflow checkout with test/ux)" % suite)
    if options.test_modules and not options.metaflow_src:
        raise UsageProblem("--test-modules needs --metaflow-src PATH")
    caps = select_caps(options.only) if suite != "upstream" else []
    modules: List[str] = []
    if suite != "own":
        from .upstream import UpstreamProblem, select_modules

        try:
            modules = select_modules(options.metaflow_src, options.test_modules)
        except UpstreamProblem as exc:
            raise UsageProblem(str(exc))
    try:
        args = parse_deploy_args(options.deploy_args)
    except DeployArgsError as exc:
        raise UsageProblem(str(exc))
    for path, flag in ((options.json_path, "--json"), (options.junit_xml, "--junit-xml")):
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise UsageProblem("%s: directory of %s does not exist" % (flag, path))
    probe_hosts(args)
    return suite, caps, modules, args


def _check_upstream_requirements(options: Options, info: dict) -> None:
    missing = [name for name, key in (("omegaconf", "omegaconf"), ("pyyaml", "yaml")) if not info.get(key)]
    if missing:
        raise UsageProblem("Metaflow's test/ux needs %s, not installed with %s (pip install %s)" % (
            " and ".join(missing), options.python, " ".join(missing)))


def run(options: Options) -> int:
    """The whole command; returns the exit code. Problems before any deployment exit 2."""
    started = time.monotonic()
    try:
        suite, caps, modules, args = _validate(options)
    except UsageProblem as exc:
        _error(exc)
        return 2

    root = tempfile.mkdtemp(prefix="mfok-compliance-")
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    try:
        env = isolated_environment(root, args)
        try:
            info = preflight_extension(options, env)
            if suite != "own":
                _check_upstream_requirements(options, info)
        except UsageProblem as exc:
            _error(redact(str(exc), args.secrets))
            return 2
        declared = info.get("declared")
        _echo("mfok compliance: %s via %s" % (options.scheduler_type, info.get("deployer_class")))
        _echo("  declared capabilities: %s" % (", ".join(declared) if declared is not None
                                                 else "none declared (required set assumed)"))
        if args.items:
            _echo("  deploy args: %s" % args.describe())
        plan = []
        if caps:
            plan.append("%d capabilities on %d worker(s)" % (len(caps), min(options.workers, len(caps))))
        if modules:
            plan.append("Metaflow's test/ux (%s) from %s" % (", ".join(modules), options.metaflow_src))
        _echo("  isolated in %s; %s; %.0f s per run" % (root, "; then ".join(plan), options.timeout))
        progress = _Progress(os.path.join(root, "events.jsonl"), args, len(caps))
        notes: List[str] = []
        try:
            if caps:
                run_own_suite(options, caps, info, env, root, args, progress)
            if modules:
                notes += run_upstream_suite(options, modules, info, env, root, args, progress)
        except KeyboardInterrupt:
            _echo("interrupted; scheduler processes stopped", err=True)
            return 130
        except UsageProblem as exc:
            _error(redact(str(exc), args.secrets))
            return 2
        results = [progress.results[cap] for cap in caps]
        link_same_causes(results)
        from .rule_links import attach_rules

        report = Report(options.scheduler_type, results,
                        upstream=sorted(progress.upstream.values(), key=lambda u: (u.module, u.name)),
                        upstream_source=options.metaflow_src if modules else None,
                        wall_time_s=time.monotonic() - started, notes=notes)
        report.lint_note = attach_rules(results, info.get("source_root"))
        report.wall_time_s = time.monotonic() - started
        _echo(redact(render_table(report), args.secrets))
        if options.json_path:
            write_json(options.json_path, report)
        if options.junit_xml:
            write_junit(options.junit_xml, report)
        if report.failed():
            return 1
        if options.strict and report.not_verified:
            _echo("--strict: %d required capabilit%s not verified" % (
                len(report.not_verified), "y" if len(report.not_verified) == 1 else "ies"), err=True)
            return 1
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        if options.keep_artifacts:
            _echo("artifacts kept in %s" % root)
        else:
            shutil.rmtree(root, ignore_errors=True)
