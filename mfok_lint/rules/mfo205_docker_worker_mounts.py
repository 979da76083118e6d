"""MFO205 docker-worker-mounts (preview): a worker container started in CI without the workspace and ``/tmp``
mounted at their host paths.

An orchestrator's worker runs the step commands the deployer compiled on the runner, and those commands name
host paths verbatim: the flow file under ``$GITHUB_WORKSPACE``, the local datastore and the ``.metaflow``
directory next to it, and temporary files under ``/tmp`` (the deployer's attribute file, spooled step
inputs). A worker container that cannot see those paths at the same location fails every task with "No such
file or directory", or, worse, writes artifacts into its own ``/tmp`` where the client never finds them.

Design decisions (a heuristic, hence preview):
- Worker containers: ``docker run`` / ``docker container run`` commands in ``run:`` scripts and entries of a job's
  ``services:``, whose image, ``--name``/service id or command mentions ``worker`` or ``agent``, or whose image
  is an orchestrator that executes tasks inside its own container (kestra, windmill, airflow, mage). Databases,
  brokers and API servers are left alone.
- Required: a bind mount of the workspace (``$GITHUB_WORKSPACE``, ``${{ github.workspace }}``, ``$PWD``,
  ``$(pwd)``) and one of ``/tmp``, each at the same path inside the container (``-v``, ``--volume``,
  ``--mount type=bind,source=...,target=...``; ``volumes:`` or ``options: -v ...`` for services). A mount at a
  different path is reported as such.
- A job ``container:`` is not checked: the job's steps and every process they start share that container's
  filesystem, so the paths the deployer compiles are the paths the workers see.
- Reported on the ``docker`` word of the command or on the service's key. No fix: the mounts belong in the
  container's command line, whose shape varies too much for a safe edit.
"""

from __future__ import annotations

import re
import shlex
from typing import List, Optional, Tuple

import yaml

from mfok_lint.model.containers import looks_like_worker
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.workflow_yaml import (
    ScriptLine,
    get_value,
    jobs,
    mapping_items,
    scalar_text,
    script_lines,
    sequence_items,
    shell_commands,
    steps,
)

_WORKSPACE_RE = re.compile(
    r"^(\$\{?GITHUB_WORKSPACE\}?|\$\{\{\s*github\.workspace\s*\}\}|\$\{?PWD\}?|\$\(\s*pwd\s*\)|`pwd`)$"
)
# docker run options that take a value as the next word (so the value is not mistaken for the image)
_VALUED_OPTIONS = {
    "-v",
    "--volume",
    "--mount",
    "-e",
    "--env",
    "--env-file",
    "-p",
    "--publish",
    "--name",
    "-w",
    "--workdir",
    "--network",
    "--net",
    "-u",
    "--user",
    "--entrypoint",
    "-l",
    "--label",
    "--platform",
    "--add-host",
    "-h",
    "--hostname",
    "--restart",
    "--cpus",
    "-m",
    "--memory",
    "--shm-size",
    "--pull",
    "--ulimit",
    "--ipc",
    "--pid",
    "--log-driver",
    "--health-cmd",
    "--gpus",
    "--cap-add",
    "--device",
    "--tmpfs",
}


def _canonical(path: str) -> str:
    path = path.strip().strip("'\"").rstrip("/") or "/"
    if _WORKSPACE_RE.match(path):
        return "$WORKSPACE"
    return path


def _parse_volume(spec: str) -> Optional[Tuple[str, str]]:
    parts = spec.strip().strip("'\"").split(":")
    if len(parts) < 2:
        return None
    return _canonical(parts[0]), _canonical(parts[1])


def _parse_mount(spec: str) -> Optional[Tuple[str, str]]:
    fields = {}
    for item in spec.strip().strip("'\"").split(","):
        key, _, value = item.partition("=")
        fields[key.strip()] = value.strip()
    source = fields.get("source") or fields.get("src")
    target = fields.get("target") or fields.get("destination") or fields.get("dst")
    if fields.get("type", "volume") != "bind" or not source or not target:
        return None
    return _canonical(source), _canonical(target)


def _mounts_in_options(words: List[str]) -> List[Tuple[str, str]]:
    mounts = []
    for i, word in enumerate(words):
        value, parser = None, None
        if word in ("-v", "--volume", "--mount") and i + 1 < len(words):
            value, parser = words[i + 1], (_parse_mount if word == "--mount" else _parse_volume)
        elif word.startswith(("--volume=", "--mount=")):
            value, parser = word.split("=", 1)[1], (_parse_mount if word.startswith("--mount") else _parse_volume)
        elif word.startswith("-v") and len(word) > 2 and not word.startswith("--"):
            value, parser = word[2:], _parse_volume
        if value is not None:
            mount = parser(value)
            if mount:
                mounts.append(mount)
    return mounts


def _problem(mounts: List[Tuple[str, str]]) -> Optional[str]:
    missing = []
    for label, source in (("the workspace", "$WORKSPACE"), ("`/tmp`", "/tmp")):
        targets = [t for s, t in mounts if s == source]
        if not targets:
            missing.append(f"{label} is not mounted")
        elif source not in targets:
            missing.append(f"{label} is mounted at `{targets[0]}`, not at its host path")
    return "; ".join(missing) or None


def _docker_run(command: List[str]) -> Optional[Tuple[List[str], str, List[str]]]:
    """(options, image, container command) of a ``docker run``, or None."""
    if not command or command[0].rsplit("/", 1)[-1] != "docker":
        return None
    rest = command[1:]
    if rest[:2] == ["container", "run"]:
        rest = rest[2:]
    elif rest[:1] == ["run"]:
        rest = rest[1:]
    else:
        return None
    i = 0
    while i < len(rest) and rest[i].startswith("-"):
        i += 2 if rest[i] in _VALUED_OPTIONS else 1
    if i >= len(rest):
        return None
    return rest[:i], rest[i], rest[i + 1 :]


class DockerWorkerMounts(Rule):
    triggers = Text(b"docker", b"services")

    def check(self, ctx: Context) -> None:
        for _job_id, job in jobs(ctx.root):
            for step in steps(job):
                for line in script_lines(ctx, get_value(step, "run")):
                    for command in shell_commands(line.text):
                        self._check_docker_run(ctx, line, command)
            for service_key, service in mapping_items(get_value(job, "services")):
                self._check_service(ctx, service_key, service)

    def _check_docker_run(self, ctx: Context, line: ScriptLine, command: List[str]) -> None:
        parsed = _docker_run(command)
        if parsed is None:
            return
        options, image, arguments = parsed
        names = [options[i + 1] for i, o in enumerate(options[:-1]) if o == "--name"]
        names += [o.split("=", 1)[1] for o in options if o.startswith("--name=")]
        if not looks_like_worker(image, names, arguments):
            return
        problem = _problem(_mounts_in_options(options))
        if problem is None:
            return
        found = line.find(command[0])
        row, column = found if found else (line.row, line.column)
        start = ctx.locator.offset(row, column)
        ctx.report(
            (start, start + len(command[0])),
            f"Worker container `{image}`: {problem}; the step commands it runs name host paths verbatim",
        )

    def _check_service(self, ctx: Context, key: yaml.ScalarNode, service: yaml.Node) -> None:
        image = scalar_text(get_value(service, "image")) or scalar_text(service) or ""
        if not looks_like_worker(image, [key.value], []):
            return
        mounts = [
            m for m in (_parse_volume(scalar_text(v) or "") for v in sequence_items(get_value(service, "volumes"))) if m
        ]
        options = scalar_text(get_value(service, "options")) or ""
        try:
            mounts += _mounts_in_options(shlex.split(options))
        except ValueError:
            mounts += _mounts_in_options(options.split())
        problem = _problem(mounts)
        if problem is None:
            return
        ctx.report(
            key,
            f"Worker service `{key.value}` (`{image}`): {problem}; the step commands it runs name host paths verbatim",
        )
