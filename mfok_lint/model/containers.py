"""Containers an extension starts: ``docker run`` command lines (argv lists and shell text) and the Docker SDK's
``containers.run``/``create``, read into one shape: the options known, the bind mounts, the user.

Design decisions:
- ``docker run`` / ``docker container run`` (after ``sudo``, ``exec``, ``env`` assignments) is read word by word
  up to the image: an option that takes a value consumes the next word (``VALUED_OPTIONS``), so the value is not
  mistaken for the image. ``podman`` is recognised and kept apart: rootless podman maps the container's root to
  the user who runs it.
- A command line is *complete* when every word before the image is known: a word that is all placeholder (a
  variable spliced into the options, ``*extra_args``, a list extended with something unknown) could be any
  option, ``--user`` included, so callers should not conclude anything from an incomplete line.
- Argv lists are list displays whose first items are the words ``docker run``; later ``+=``/``.extend``/
  ``.append`` on the same name in the same scope add their literal items in order, and anything else that grows
  the list makes it incomplete. A string item with placeholders keeps the placeholder expressions so a mount's
  host path can be judged by what fills it.
- Docker SDK calls are ``<x>.containers.run(...)``/``.create(...)``: ``volumes`` as a dict (host path to
  ``{"bind", "mode"}``) or a list of ``host:container[:mode]`` strings, ``mounts`` as ``Mount(...)`` calls,
  ``user``/``userns_mode`` keywords; ``**kwargs`` makes the call incomplete.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Tuple

from mfok_lint.syntax.string_literals import HOLE

# docker run options that take a value as the next word (so the value is not mistaken for the image)
VALUED_OPTIONS = {
    "-v", "--volume", "--mount", "-e", "--env", "--env-file", "-p", "--publish", "--name", "-w", "--workdir",
    "--network", "--net", "-u", "--user", "--entrypoint", "-l", "--label", "--platform", "--add-host", "-h",
    "--hostname", "--restart", "--cpus", "-m", "--memory", "--shm-size", "--pull", "--ulimit", "--ipc", "--pid",
    "--log-driver", "--health-cmd", "--gpus", "--cap-add", "--device", "--tmpfs", "--userns", "--group-add",
    "--cidfile", "--stop-signal", "--stop-timeout", "--cpuset-cpus", "--memory-swap", "--runtime", "--uts",
    "--security-opt", "--sysctl", "--volumes-from", "--log-opt", "--dns", "--link", "--init-path",
}  # fmt: skip


def docker_run(words: Sequence[str]) -> Optional[Tuple[str, List[str], str, List[str]]]:
    """(engine, options, image, container command) of a ``docker run``/``podman run`` word list, or None.

    Leading ``sudo``, ``exec``, ``env`` and ``NAME=value`` words are skipped; the engine is ``docker`` or
    ``podman``. None also when the words end before an image."""
    i = 0
    while i < len(words) and (words[i] in ("sudo", "exec", "env", "command") or _is_assignment(words[i])):
        i += 1
    if i >= len(words):
        return None
    engine = words[i].rsplit("/", 1)[-1]
    if engine not in ("docker", "podman"):
        return None
    rest = list(words[i + 1 :])
    if rest[:2] == ["container", "run"]:
        rest = rest[2:]
    elif rest[:1] == ["run"]:
        rest = rest[1:]
    else:
        return None
    j = 0
    while j < len(rest) and rest[j].startswith("-"):
        j += 2 if rest[j] in VALUED_OPTIONS else 1
    if j >= len(rest):
        return None
    return engine, rest[:j], rest[j], rest[j + 1 :]


_WORKER_WORD_RE = re.compile(r"worker|agent", re.IGNORECASE)
_WORKER_IMAGE_RE = re.compile(r"(^|[/:-])(kestra|windmill|airflow|mageai)([/:-]|$)", re.IGNORECASE)


def looks_like_worker(image: str, names: Sequence[str], arguments: Sequence[str]) -> bool:
    """A container that runs tasks: its image, name or command mentions ``worker``/``agent``, or its image is an
    orchestrator that executes tasks inside its own container (kestra, windmill, airflow, mage)."""
    if _WORKER_IMAGE_RE.search(image):
        return True
    return any(_WORKER_WORD_RE.search(text) for text in [image, *names, *arguments])


def _is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq) and name.isidentifier()


def parse_volume(spec: str) -> Optional[Tuple[str, str, bool]]:
    """``host:container[:options]`` of ``-v`` → (host, container, read-only); None for a named or anonymous
    volume (no host path)."""
    parts = spec.strip().strip("'\"").split(":")
    if len(parts) < 2:
        return None
    options = parts[2].split(",") if len(parts) > 2 else []
    return parts[0], parts[1], "ro" in options or "readonly" in options


def parse_mount(spec: str) -> Optional[Tuple[str, str, bool]]:
    """``--mount type=bind,source=...,target=...[,readonly]`` → (host, container, read-only); None unless a bind."""
    fields = {}
    for item in spec.strip().strip("'\"").split(","):
        key, eq, value = item.partition("=")
        fields[key.strip()] = value.strip() if eq else "true"
    source = fields.get("source") or fields.get("src")
    target = fields.get("target") or fields.get("destination") or fields.get("dst")
    if fields.get("type", "volume") != "bind" or not source or not target:
        return None
    read_only = any(fields.get(k, "false").lower() in ("true", "1") for k in ("readonly", "ro"))
    return source, target, read_only


def option_mounts(options: Sequence[str]) -> List[Tuple[int, str, str, bool]]:
    """(index of the word holding the spec, host, container, read-only) for each bind mount in the options."""
    mounts = []
    for i, word in enumerate(options):
        value, parser, at = None, None, i
        if word in ("-v", "--volume", "--mount") and i + 1 < len(options):
            value, parser, at = options[i + 1], (parse_mount if word == "--mount" else parse_volume), i + 1
        elif word.startswith(("--volume=", "--mount=")):
            value, parser = word.split("=", 1)[1], (parse_mount if word.startswith("--mount") else parse_volume)
        elif word.startswith("-v") and len(word) > 2 and not word.startswith("--"):
            value, parser = word[2:], parse_volume
        if value is not None:
            parsed = parser(value)
            if parsed:
                mounts.append((at, *parsed))
    return mounts


# Variables that entrypoints of user-switching images read to drop root for the host user's uid
_UID_VARIABLES = {"PUID", "PGID", "UID", "GID", "HOST_UID", "HOST_GID", "LOCAL_USER_ID", "USER_ID", "GROUP_ID"}


def sets_user(options: Sequence[str]) -> bool:
    """Whether the options choose the user the container runs as: ``-u``/``--user``, a user namespace
    (``--userns``), or a uid handed to an entrypoint that switches to it (``-e PUID=...``)."""
    for i, word in enumerate(options):
        if word in ("-u", "--user", "--userns") or word.startswith(("--user=", "--userns=")):
            return True
        if word.startswith("-u") and not word.startswith("--") and len(word) > 2:
            return True
        if word in ("-e", "--env") and i + 1 < len(options):
            if options[i + 1].split("=", 1)[0].strip("'\"") in _UID_VARIABLES:
                return True
        elif word.startswith("--env="):
            if word.split("=", 2)[1] in _UID_VARIABLES:
                return True
    return False


# ---- argv lists and SDK calls (CPython's ast) --------------------------------------------------------------


@dataclass
class ArgvWord:
    text: Optional[str]  # None when the item is not a string we can read
    node: ast.AST
    parts: List[ast.AST] = field(default_factory=list)  # the expressions of an f-string's fields


def argv_word(node: ast.AST) -> ArgvWord:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ArgvWord(node.value, node)
    if isinstance(node, ast.JoinedStr):
        text, parts = "", []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                text += value.value
            elif isinstance(value, ast.FormattedValue):
                text += HOLE
                parts.append(value.value)
            else:
                return ArgvWord(None, node)
        return ArgvWord(text, node, parts)
    return ArgvWord(None, node, [node])


def list_argv(scope: ast.AST, display: ast.List, name: Optional[str]) -> Tuple[List[ArgvWord], bool]:
    """The words of an argv list display and of literal growth of ``name`` later in ``scope``; the flag is False
    when something unknown is spliced in (a starred item, growth by a non-literal)."""
    words: List[ArgvWord] = []
    complete = True
    for item in display.elts:
        if isinstance(item, ast.Starred):
            complete = False
            continue
        words.append(argv_word(item))
    if name is None:
        return words, complete
    after = (display.lineno, display.col_offset)
    growth = [
        n for n in ast.walk(scope) if isinstance(n, (ast.AugAssign, ast.Call)) and (n.lineno, n.col_offset) > after
    ]
    for node in sorted(growth, key=lambda n: (n.lineno, n.col_offset)):
        grown: Optional[Iterable[ast.AST]] = None
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            grown = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else None
            if grown is None:
                complete = False
                continue
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
            and node.func.attr in ("extend", "append", "insert")
        ):
            if node.func.attr == "append" and node.args:
                grown = [node.args[0]]
            elif node.func.attr == "extend" and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)):
                grown = node.args[0].elts
            else:
                complete = False
                continue
        if grown is not None:
            for item in grown:
                if isinstance(item, ast.Starred):
                    complete = False
                else:
                    words.append(argv_word(item))
    return words, complete


def is_sdk_container_call(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("run", "create")
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "containers"
    )


def sdk_mounts(call: ast.Call) -> Tuple[List[Tuple[ast.AST, Optional[str], bool]], bool, bool]:
    """(host-side nodes with their literal text and read-only flag, sets the user, complete) of an SDK call."""
    mounts: List[Tuple[ast.AST, Optional[str], bool]] = []
    user = False
    complete = True
    for keyword in call.keywords:
        if keyword.arg is None:
            complete = False
        elif keyword.arg in ("user", "userns_mode"):
            user = True
        elif keyword.arg == "environment" and _sdk_env_sets_uid(keyword.value):
            user = True
        elif keyword.arg == "volumes":
            value = keyword.value
            if isinstance(value, ast.Dict):
                for key, spec in zip(value.keys, value.values):
                    if key is None:
                        complete = False
                        continue
                    mounts.append((key, _constant(key), _sdk_mode_read_only(spec)))
            elif isinstance(value, (ast.List, ast.Tuple)):
                for item in value.elts:
                    text = _constant(item)
                    if text is not None:
                        parsed = parse_volume(text)
                        if parsed:
                            mounts.append((item, parsed[0], parsed[2]))
                    elif isinstance(item, ast.JoinedStr):
                        word = argv_word(item)
                        parsed = parse_volume(word.text or "")
                        if parsed:
                            mounts.append((item, parsed[0], parsed[2]))
            else:
                complete = False
        elif keyword.arg == "mounts":
            value = keyword.value
            if not isinstance(value, (ast.List, ast.Tuple)):
                complete = False
                continue
            for item in value.elts:
                if not isinstance(item, ast.Call):
                    complete = False
                    continue
                fields = {k.arg: k.value for k in item.keywords if k.arg}
                positional = ["target", "source", "type", "read_only"]
                for index, arg in enumerate(item.args[: len(positional)]):
                    fields.setdefault(positional[index], arg)
                kind = _constant(fields.get("type")) or "volume"
                read_only = isinstance(fields.get("read_only"), ast.Constant) and fields["read_only"].value is True
                if kind == "bind" and "source" in fields:
                    mounts.append((fields["source"], _constant(fields["source"]), read_only))
    return mounts, user, complete


def _constant(node: Optional[ast.AST]) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _sdk_mode_read_only(spec: ast.AST) -> bool:
    if isinstance(spec, ast.Dict):
        for key, value in zip(spec.keys, spec.values):
            if _constant(key) == "mode" and (_constant(value) or "").split(",")[0] == "ro":
                return True
    return False


def _sdk_env_sets_uid(value: ast.AST) -> bool:
    if isinstance(value, ast.Dict):
        return any((_constant(k) or "") in _UID_VARIABLES for k in value.keys if k is not None)
    if isinstance(value, (ast.List, ast.Tuple)):
        return any((_constant(e) or "").split("=", 1)[0] in _UID_VARIABLES for e in value.elts)
    return False


__all__ = [
    "ArgvWord", "HOLE", "VALUED_OPTIONS", "argv_word", "docker_run", "is_sdk_container_call", "list_argv",
    "looks_like_worker", "option_mounts", "parse_mount", "parse_volume", "sdk_mounts", "sets_user",
]  # fmt: skip
