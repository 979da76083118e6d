"""Deploy, trigger and watch one shipped flow through the Metaflow Deployer API of the extension under test.

Design decisions:
- Only the public Deployer contract is used (`Deployer(flow, **top).<type>(**group).create(**kw)`,
  `DeployedFlow.trigger(**params)`, `TriggeredRun.run`, `DeployedFlow.from_<type>`), so the suite tests
  what users call, and any extension gets the same treatment.
- Each deployment copies its flow into a fresh directory and deploys from there: files a compiler writes
  next to the flow stay apart, and the CONDA and SCHEDULE checks can read them.
- A run is complete when Metaflow says so (`Run.finished`), when the extension's own `status` is terminal,
  or when the trigger itself raised (a synchronous scheduler reports a failed run that way). Failed runs
  never finish in Metaflow's sense (there is no end task), so a run whose tasks are all done, one of them
  failed, and nothing moved for a while, is failed too.
- Metaflow's client fixes its local datastore root when it is imported, so a run whose metadata the
  scheduler writes elsewhere never appears and cannot be told from a slow one: at the deadline the
  failure names the run the trigger announced and the root the client searched.
- The deadline covers trigger and run. Past it, the run is terminated through `TriggeredRun.terminate()`
  where the extension offers it, and the deployer's own subprocesses are killed in every case.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .deploy_args import DeployArgs
from .infra import cause_line

FLOWS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flows")
TERMINAL_STATUSES = {
    "SUCCEEDED", "SUCCESS", "COMPLETED", "FAILED", "FAILURE", "ERROR", "ERRORED", "CRASHED",
    "CANCELLED", "CANCELED", "TERMINATED", "ABORTED", "TIMEDOUT", "TIMED_OUT",
}
# No shipped flow has a step that legitimately runs longer than ~10 s (the @timeout steps are cut at 4 s),
# so a run where nothing started, finished or retried for this long while a task is unsuccessful is dead.
QUIET_SECONDS_BEFORE_FAILED = 60
POLL_SECONDS = 1.0
ELSEWHERE_SEARCH_AFTER_SECONDS = 20
ELSEWHERE_SEARCH_EVERY_SECONDS = 15
# How long to wait for the deployer's log readers to drain a dead child's output before reading the logs.
LOG_DRAIN_SECONDS = 15


def flow_path(name: str) -> str:
    return os.path.join(FLOWS_DIR, name)


class ComplianceFailure(AssertionError):
    """A capability check failed; `detail` carries the failing task's stderr tail."""

    def __init__(self, reason: str, detail: str = "", cause: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.cause = cause  # set where the cause is known (a command's error), never for timeouts


@dataclass
class Outcome:
    run: Any = None  # metaflow.Run or None
    pathspec: Optional[str] = None
    trigger_error: Optional[str] = None
    timed_out: bool = False
    terminated_by: Optional[str] = None
    duration_s: float = 0.0
    notes: List[str] = field(default_factory=list)
    triggered: Any = None  # the extension's TriggeredRun, when trigger() returned one
    written_elsewhere: Optional[str] = None  # where the announced run was found instead of the client's root

    @property
    def successful(self) -> bool:
        return self.run is not None and bool(getattr(self.run, "successful", False)) and not self.trigger_error

    def describe_failure(self) -> str:
        if self.written_elsewhere:
            return ("run %s was written under %s, not under the client's local datastore root %s: a scheduler "
                    "worker writes to another root (start it with HOME and METAFLOW_DATASTORE_SYSROOT_LOCAL set to "
                    "the client's root)" % (self.pathspec, self.written_elsewhere, _client_local_root()))
        if self.timed_out:
            how = "; terminated with %s" % self.terminated_by if self.terminated_by else ""
            if self.run is None and self.pathspec:
                # The scheduler may well have finished it: a run that never shows up usually means the
                # scheduler's workers write metadata under another local root than the client reads.
                return ("no Metaflow run %s became visible to the client (local datastore root %s) within the "
                        "%.0f s timeout%s" % (self.pathspec, _client_local_root(), self.duration_s, how))
            # What the run looked like then is the only cause there is: say it in the reason.
            state = next((n for n in self.notes if n.startswith("at the deadline ")), "")
            return "the run did not finish within the %.0f s timeout%s%s" % (
                self.duration_s, how, ": " + state if state else "")
        if self.trigger_error:
            if self.trigger_error.startswith("trigger"):
                return self.trigger_error
            return "trigger raised: %s" % self.trigger_error
        if self.run is None:
            return "no Metaflow run appeared for %s" % (self.pathspec or "the trigger")
        failed = failed_tasks(self.run)
        if failed:
            raised = _task_cause(failed[-1])
            return "run %s failed at %s%s" % (self.run.pathspec, describe_tasks(failed),
                                              "; its stderr ends: %s" % raised if raised else "")
        unfinished = unfinished_tasks(self.run)
        if unfinished:
            return "run %s did not succeed; unfinished: %s" % (self.run.pathspec, describe_tasks(unfinished))
        steps = _safe(lambda: [step.id for step in self.run]) or []
        status = next((n[len("scheduler status: "):] for n in self.notes if n.startswith("scheduler status: ")), None)
        said = " (the extension's status: %s)" % status if status else ""
        if not steps:
            return "run %s failed before any task ran: no step of the flow started%s" % (self.run.pathspec, said)
        return "run %s did not succeed after steps %s%s" % (self.run.pathspec, ", ".join(sorted(steps)), said)

    def cause(self) -> str:
        """A key of the root cause, equal for two failures that share one (see cause_key)."""
        if self.run is not None and not self.trigger_error and not self.timed_out:
            for _step, tasks in _by_step(failed_tasks(self.run)).items():
                # Several tasks for one item of a step (outside a foreach, or for the same foreach index),
                # all at attempt 0: the scheduler retried by starting new tasks instead of new attempts.
                items = {_safe(lambda t=t: t.index) for t in tasks}
                if len(tasks) > 1 and len(items) < len(tasks) and all(_attempt(t) == 0 for t in tasks):
                    return "retries run as new tasks at attempt 0"
        if self.trigger_error:
            return cause_key(self.trigger_error)
        return ""

    def stderr_tail(self, lines: int = 25) -> str:
        chunks = [note for note in self.notes if note and note.strip()]
        if self.run is None:
            return "\n".join(chunks)
        for task in (failed_tasks(self.run) or unfinished_tasks(self.run))[:2]:
            try:
                text = task.stderr or ""
            except Exception as exc:  # logs can be missing when the task never started
                text = "(stderr unavailable: %s)" % exc
            if not text.strip():
                continue
            tail = "\n".join(text.rstrip().splitlines()[-lines:])
            chunks.append("--- %s (stderr, last %d lines)\n%s" % (task.pathspec, lines, tail))
        return "\n".join(chunks)

    def require_success(self) -> None:
        if not self.successful:
            raise ComplianceFailure(self.describe_failure(), self.stderr_tail(), cause=self.cause())


def _task_cause(task) -> str:
    """The exception a failed task's stderr ends with ("" when its log is empty or unreadable)."""
    try:
        return cause_line(task.stderr or "")[:500]
    except Exception:
        return ""


def _attempt(task) -> Optional[int]:
    try:
        return int(task.current_attempt)
    except Exception:
        return None


def _by_step(tasks) -> Dict[str, list]:
    grouped: Dict[str, list] = {}
    for task in tasks:
        grouped.setdefault(task.pathspec.split("/")[-2], []).append(task)
    return grouped


def describe_tasks(tasks) -> str:
    """"step flaky: 4 tasks (F/r/flaky/1, ...), all at attempt 0; step other: F/r/other/7 (attempt 2)"."""
    parts = []
    for step, group in _by_step(tasks).items():
        attempts = [_attempt(t) for t in group]
        paths = ", ".join(t.pathspec for t in group)
        if len(group) == 1:
            parts.append("step %s: %s (attempt %s)" % (step, paths, attempts[0]))
        elif len(set(attempts)) == 1:
            parts.append("step %s: %d tasks (%s), all at attempt %s" % (step, len(group), paths, attempts[0]))
        else:
            parts.append("step %s: %d tasks (%s) at attempts %s" % (step, len(group), paths,
                                                                  ", ".join(str(a) for a in attempts)))
    return "; ".join(parts)


def task_state(task) -> str:
    """"ok", "caught" (handled by @catch: finished, yet Metaflow marks it unsuccessful), "failed" (its last
    attempt ended not ok) or "running" (no outcome recorded yet)."""
    try:
        task_ok = task["_task_ok"].data
    except Exception:  # KeyError: not finished; anything else: a half-written task
        return "running"
    if not task_ok:
        return "failed"
    return "ok" if task.successful else "caught"


def _tasks_in(run, state: str) -> list:
    found = []
    try:
        for step in run:
            for task in step:
                if task_state(task) == state:
                    found.append(task)
    except Exception:  # a half-registered run: report what we have
        pass
    return found


def failed_tasks(run) -> list:
    """Tasks whose last attempt failed. A task handled by @catch is not one of them."""
    return _tasks_in(run, "failed")


def unfinished_tasks(run) -> list:
    return _tasks_in(run, "running")


def _has_unsettled_task(run) -> bool:
    """A task failed, or has not finished (a task killed from outside never records an outcome). Tasks
    handled by @catch are settled: Metaflow marks them unsuccessful, yet the run goes on."""
    try:
        return any(task_state(task) in ("failed", "running") for step in run for task in step)
    except Exception:
        return False


def _run_signature(run) -> tuple:
    try:
        return tuple(sorted((task.pathspec, bool(task.finished), task.current_attempt) for step in run for task in step))
    except Exception:
        return ()


class Deployment:
    def __init__(self, scheduler: "Scheduler", impl, deployed, workdir: str, flow_file: str) -> None:
        self.scheduler = scheduler
        self.impl = impl
        self.deployed = deployed
        self.workdir = workdir
        self.flow_file = flow_file

    @property
    def identifier(self) -> str:
        """What create wrote as `name`: the identifier `from_deployment` must accept."""
        return self.impl.name

    def trigger(self, **params) -> Outcome:
        return self.scheduler.trigger(self.deployed, self.impl, **params)

    def artefact_text(self) -> str:
        """Text of everything the compiler wrote next to the flow, plus what create reported."""
        parts = [json.dumps(getattr(self.impl, "additional_info", None) or {}, default=str)]
        parts.append(str(getattr(self.impl, "name", "")))
        flow_base = os.path.basename(self.flow_file)
        for root, _dirs, files in os.walk(self.workdir):
            for name in files:
                if name == flow_base or name.endswith((".pyc", ".db", ".sqlite")):
                    continue
                path = os.path.join(root, name)
                try:
                    if os.path.getsize(path) > 5_000_000:
                        continue
                    with open(path, "r", encoding="utf-8", errors="replace") as handle:
                        parts.append(handle.read())
                except OSError:
                    continue
        return "\n".join(parts)


class Scheduler:
    """The extension under test, as the Deployer API exposes it."""

    def __init__(self, scheduler_type: str, deploy_args: DeployArgs, run_timeout: float, workdir: str) -> None:
        self.scheduler_type = scheduler_type
        self.method_name = scheduler_type.replace("-", "_")
        self.deploy_args = deploy_args
        self.run_timeout = run_timeout
        self.workdir = workdir
        self._counter = 0
        self._lock = threading.Lock()
        self._impls: List[Any] = []
        os.environ.update(deploy_args.env)
        from metaflow import namespace

        namespace(None)

    def deploy(self, flow_name: str, top: Optional[Dict[str, Any]] = None, **create_kwargs) -> Deployment:
        from metaflow import Deployer

        with self._lock:
            self._counter += 1
            deploy_dir = os.path.join(self.workdir, "deploy-%02d-%s" % (self._counter, flow_name.replace(".py", "")))
        os.makedirs(deploy_dir)
        flow_file = os.path.join(deploy_dir, flow_name)
        shutil.copyfile(flow_path(flow_name), flow_file)
        top_kwargs = dict(self.deploy_args.flow)
        top_kwargs.update(top or {})
        kwargs = dict(self.deploy_args.create)
        kwargs.update(create_kwargs)
        deployer = Deployer(flow_file, show_output=False, cwd=deploy_dir, env=dict(self.deploy_args.env), **top_kwargs)
        try:
            impl = getattr(deployer, self.method_name)(**dict(self.deploy_args.deployer))
        except AttributeError:
            raise ComplianceFailure("Deployer has no method %r: the extension did not register" % self.method_name)
        self._impls.append(impl)
        try:
            deployed = impl.create(**kwargs)
        except Exception as exc:
            reason, detail = subprocess_failure(exc, impl)
            reason = re.sub(r"^(create|command) failed: ", "", reason)
            raise ComplianceFailure("create failed for %s: %s" % (flow_name, reason), detail,
                                    cause=cause_key(reason)) from None
        return Deployment(self, impl, deployed, deploy_dir, flow_file)

    def trigger(self, deployed, impl, **params) -> Outcome:
        outcome = Outcome()
        started = time.time()
        deadline = started + self.run_timeout
        box: Dict[str, Any] = {}

        def call_trigger():
            try:
                box["triggered"] = deployed.trigger(**params)
            except BaseException as exc:  # reported as a failed run, never lost in the thread
                box["error"] = exc

        thread = threading.Thread(target=call_trigger, name="mfok-trigger", daemon=True)
        thread.start()
        thread.join(max(0.0, deadline - time.time()))
        if thread.is_alive():
            outcome.timed_out = True
            self._kill_subprocesses(impl)
            outcome.terminated_by = "killing the trigger subprocess"
            outcome.run = self._latest_run(deployed, started)
            outcome.duration_s = time.time() - started
            return outcome
        if "error" in box:
            outcome.trigger_error, detail = subprocess_failure(box["error"], deployed, impl)
            outcome.notes.append(detail)
            outcome.run = self._latest_run(deployed, started)
            outcome.pathspec = outcome.run.pathspec if outcome.run is not None else None
            outcome.duration_s = time.time() - started
            return outcome
        triggered = box["triggered"]
        outcome.triggered = triggered
        outcome.pathspec = getattr(triggered, "pathspec", None)
        self._watch(triggered, outcome, deadline)
        outcome.duration_s = time.time() - started
        if outcome.timed_out:
            self._terminate(triggered, impl, outcome)
        return outcome

    def _watch(self, triggered, outcome: Outcome, deadline: float) -> None:
        quiet_since = None
        last_signature = None
        started = time.time()
        next_search = started + ELSEWHERE_SEARCH_AFTER_SECONDS
        while True:
            run = _safe(lambda: triggered.run)
            if run is None and outcome.pathspec and time.time() >= next_search:
                # A run the client cannot see may have been written under another root (a worker's HOME).
                next_search = time.time() + ELSEWHERE_SEARCH_EVERY_SECONDS
                outcome.written_elsewhere = find_run_elsewhere(outcome.pathspec)
                if outcome.written_elsewhere:
                    return
            status = _safe(lambda: getattr(triggered, "status", None))
            status_name = str(getattr(status, "name", status) or "").upper()
            if run is not None:
                outcome.run = run
                if _safe(lambda: run.finished):
                    return
                if status_name in TERMINAL_STATUSES:
                    outcome.notes.append("scheduler status: %s" % status_name)
                    return
                signature = _run_signature(run)
                if signature != last_signature:
                    last_signature, quiet_since = signature, time.time()
                elif time.time() - quiet_since > QUIET_SECONDS_BEFORE_FAILED and _has_unsettled_task(run):
                    outcome.notes.append("no task started, finished or retried for %d s while a task had failed "
                                         "or not finished" % QUIET_SECONDS_BEFORE_FAILED)
                    return
            elif status_name in TERMINAL_STATUSES - {"SUCCEEDED", "SUCCESS", "COMPLETED"}:
                outcome.trigger_error = "the scheduler reports %s before any Metaflow run appeared" % status_name
                return
            if time.time() >= deadline:
                outcome.timed_out = True
                outcome.notes.append(_state_at_deadline(outcome.run, status_name))
                return
            time.sleep(POLL_SECONDS)

    def _terminate(self, triggered, impl, outcome: Outcome) -> None:
        terminate = getattr(triggered, "terminate", None)
        if callable(terminate):
            try:
                terminate()
                outcome.terminated_by = "TriggeredRun.terminate()"
            except Exception as exc:
                outcome.notes.append("terminate() raised: %s" % _one_line(exc))
        else:
            outcome.notes.append("the extension offers no TriggeredRun.terminate(); the run may still be going")
        self._kill_subprocesses(impl)

    def _kill_subprocesses(self, impl) -> None:
        # SubprocessManager.cleanup() only removes log files; kill() takes the descendants down too.
        for command in list(getattr(getattr(impl, "spm", None), "commands", {}).values()):
            process = getattr(command, "process", None)
            if process is None or getattr(process, "returncode", 0) is not None:
                continue  # already reaped: kill() would only sleep out its termination timeout
            try:
                command.kill(termination_timeout=2)
            except Exception:
                pass

    def _latest_run(self, deployed, since: float):
        """The newest run of the deployed flow that started after `since` (the trigger did not name it)."""
        from metaflow import Flow
        from metaflow.exception import MetaflowNotFound

        flow_name = getattr(deployed, "flow_name", None)
        if not flow_name:
            return None
        try:
            newest = None
            for run in Flow(flow_name, _namespace_check=False).runs():
                created = run.created_at.timestamp() if run.created_at else 0
                if created >= since - 5 and (newest is None or created > newest[0]):
                    newest = (created, run)
            return newest[1] if newest else None
        except MetaflowNotFound:
            return None
        except Exception:
            return None

    def from_deployment(self, identifier: str):
        from metaflow.runner.deployer import DeployedFlow

        method = getattr(DeployedFlow, "from_" + self.method_name, None)
        if method is None:
            raise ComplianceFailure("DeployedFlow has no from_%s: the extension did not register" % self.method_name)
        return method(identifier)

    def close(self) -> None:
        for impl in self._impls:
            self._kill_subprocesses(impl)


def _state_at_deadline(run, status_name: str) -> str:
    """What a timed-out run looked like, so a stall outside any Metaflow task (nothing to fail) is told
    from a slow step."""
    status = "the extension's status was %s" % (status_name or "unavailable")
    if run is None:
        return "at the deadline %s and no Metaflow run was visible" % status
    try:
        steps = ["%s %d/%d finished" % (step.id, sum(1 for t in tasks if t.finished), len(tasks))
                 for step in run for tasks in [list(step)]]
    except Exception as exc:
        return "at the deadline %s; reading %s raised %s" % (status, run.pathspec, _one_line(exc))
    return "at the deadline %s and %s showed %s" % (
        status, run.pathspec, ", ".join(reversed(steps)) if steps else "no task of any step")


def _client_local_root() -> str:
    """Where this process's Metaflow client looks for local metadata (fixed when metaflow is imported)."""
    try:
        from metaflow.metaflow_config import DATASTORE_SYSROOT_LOCAL

        return DATASTORE_SYSROOT_LOCAL or "the nearest .metaflow above %s" % os.getcwd()
    except Exception:
        return "unknown"


def _safe(getter):
    try:
        return getter()
    except Exception:
        return None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return "%s: %s" % (type(exc).__name__, text[:500])


def _cause_line(text: str) -> str:
    return cause_line(text)


def _spm_of(owner):
    for candidate in (owner, getattr(owner, "deployer", None)):
        spm = getattr(candidate, "spm", None)
        if spm is not None and getattr(spm, "commands", None) is not None:
            return spm
    return None


def command_output(*owners) -> Dict[str, str]:
    """{"stdout": ..., "stderr": ...} of the newest command the deployer ran for these owners (a DeployerImpl,
    a DeployedFlow), read from its log files after its log readers drained the pipes.

    Metaflow's SubprocessManager copies the child's output into its log files from two reader threads through
    buffered files, and builds its error text as soon as the child exits, often before those files are
    flushed: a large stderr is then cut short, a small one missing. Joining the readers (they end at the
    pipes' end of file) makes the files complete."""
    newest = None
    for owner in owners:
        spm = _spm_of(owner)
        if spm is None:
            continue
        try:
            commands = list(spm.commands.values())
        except Exception:
            continue
        if commands:
            newest = commands[-1]
            break
    if newest is None:
        return {}
    process = getattr(newest, "process", None)
    if process is not None:
        try:
            process.wait(LOG_DRAIN_SECONDS)
        except Exception:
            pass
    for name in ("stdout_thread", "stderr_thread"):
        thread = getattr(newest, name, None)
        if thread is not None:
            thread.join(LOG_DRAIN_SECONDS)
    output = {}
    for stream in ("stdout", "stderr"):
        path = getattr(newest, "log_files", {}).get(stream)
        if not path or not os.path.exists(path):
            continue
        with open(path, "r", encoding="utf-8", errors="replace") as handle:
            output[stream] = handle.read()
    output["command"] = " ".join(getattr(newest, "command", []) or [])
    output["returncode"] = getattr(process, "returncode", None)
    return output


def subprocess_failure(exc: BaseException, *owners, lines: int = 25):
    """(one-line reason, multi-line detail) for an exception from create/trigger.

    Metaflow's subprocess errors read "Error executing: '<command>':" followed by optional "Stdout:" and
    "Stderr:" sections, built before the child's output was flushed (see command_output). The complete
    logs are read again and preferred; the reason is the cause line of stderr (else stdout)."""
    text = str(exc)
    if not text.startswith("Error executing:"):
        # Raised after the command ran (Metaflow's "Error deploying ...", an extension's own check): its
        # output still says why.
        logs = command_output(*owners)
        cause = ""
        if logs.get("returncode") not in (0, None):  # the newest command failed too: its output says why
            cause = _cause_line(logs.get("stderr", "")) or _cause_line(logs.get("stdout", ""))
        else:
            logs = {}  # an earlier, successful command (create before a trigger that raised) explains nothing
        reason = _one_line(exc) + ("; the command's output ends: %s" % cause if cause else "")
        return reason, _log_chunks(logs.get("command", ""), logs.get("stderr", ""), logs.get("stdout", ""), lines)
    head, _, rest = text.partition("\n")
    stdout, stderr = "", rest
    if "\nStderr:\n" in rest:
        stdout, _, stderr = rest.partition("\nStderr:\n")
    elif not rest.lstrip().startswith("Stderr:"):
        stdout, stderr = rest, ""
    stdout = stdout.replace("Stdout:\n", "", 1)
    stderr = stderr.replace("Stderr:\n", "", 1)
    logs = command_output(*owners)
    # The logs hold everything the message holds, and what was still buffered when it was built.
    if len(logs.get("stderr", "")) >= len(stderr.strip()):
        stderr = logs.get("stderr", stderr)
    if len(logs.get("stdout", "")) >= len(stdout.strip()):
        stdout = logs.get("stdout", stdout)
    verbs = re.findall(r"\s(trigger|create)(?=[\s':])", head)
    verb = verbs[0] if verbs else "command"
    detail = _log_chunks(head.strip().rstrip(":"), stderr, stdout, lines)
    cause = _cause_line(stderr) or _cause_line(stdout)
    if not cause:
        code = getattr(getattr(exc, "__cause__", None), "returncode", None)
        cause = "the command exited%s without output" % (" with code %s" % code if code is not None else "")
    return "%s failed: %s" % (verb, cause), detail


def _log_chunks(head: str, stderr: str, stdout: str, lines: int) -> str:
    chunks = ["--- %s" % head] if head else []
    for name, content in (("stderr", stderr), ("stdout", stdout)):
        body = [line for line in content.splitlines() if line.strip()]
        if body:
            chunks.append("--- %s (last %d lines)\n%s" % (name, lines, "\n".join(body[-lines:])))
    return "\n".join(chunks) if len(chunks) > (1 if head else 0) else ""


_NORMALISE = (
    (re.compile(r"'[^']*'|\"[^\"]*\""), "'_'"),
    (re.compile(r"\b[0-9a-f]{8,}(-[0-9a-f]{4,})*\b", re.I), "X"),
    (re.compile(r"\d+"), "N"),
    (re.compile(r"\bMfok\w*Flow\b"), "FLOW"),
    (re.compile(r"(/[\w.+-]+)+"), "PATH"),
)


def cause_key(reason: str) -> str:
    """The cause line of a reason with names, numbers, ids and paths blanked, so that one cause seen by two
    capabilities (a missing deployment of two different flows) gives one key. "" when there is none."""
    if not reason:
        return ""
    line = reason.split(": ", 1)[1] if reason.startswith(("trigger failed: ", "create failed for ")) else reason
    if reason.startswith("create failed for "):
        line = line.split(": ", 1)[-1]
    for pattern, replacement in _NORMALISE:
        line = pattern.sub(replacement, line)
    return " ".join(line.split())[:300]


def find_run_elsewhere(pathspec: str) -> Optional[str]:
    """The datastore root (a `.metaflow` folder) outside the client's own where run `Flow/RunId` was written,
    searched where scheduler workers commonly put it: the user's home, /root, /home/*, /tmp (two levels)."""
    parts = pathspec.split("/")
    if len(parts) < 2:
        return None
    flow, run_id = parts[0], parts[1]
    own = os.path.realpath(os.path.join(_client_local_root(), ".metaflow"))
    bases = [os.environ.get("MFOK_OUTSIDE_HOME", ""), os.path.expanduser("~"), "/root", os.getcwd()]
    bases += glob.glob("/home/*") + glob.glob("/tmp/*") + glob.glob("/tmp/*/*")
    seen = set()
    for base in bases:
        if not base:
            continue
        root = os.path.realpath(os.path.join(base, ".metaflow"))
        if root in seen or root == own:
            continue
        seen.add(root)
        if os.path.isdir(os.path.join(root, flow, run_id)):
            return root
    return None
