"""MFO035 container-artifacts-root-owned (preview): a container started by the extension bind-mounts the local
datastore, the workspace or ``/tmp`` read-write without choosing its user, so what it writes there belongs to
the image's user (root, unless the image says otherwise) on the host.

Facts:
- ``docker run`` runs the container's process as the image's ``USER``, root (uid 0) when the image sets none;
  ``-u``/``--user`` overrides it (Docker's ``docker run`` reference). A bind mount shares the host directory
  as it is, with no uid translation (rootful Docker without ``userns-remap``), so files and directories the
  process creates there are owned by that uid on the host; a missing ``-v`` source directory is created by the
  daemon, as root.
- Metaflow's local metadata provider writes every metadata file (``_self.json``, ``sysmeta_*``, the artifact
  and log entries) through ``tempfile.NamedTemporaryFile`` and ``os.rename``
  (``plugins/metadata_providers/local.py``, ``_dump_json_to_file``, in every release from 2.9.15 to 2.19.39), and
  ``mkstemp`` creates files readable and writable by their owner only (0600). From 2.19.20 (not 2.19.19) the
  local datastore writes artifacts the same way (``plugins/datastores/local_storage.py``, ``_atomic_write``).
  Written by root in a container, they are unreadable to the client and to steps on the host: the run is not
  found, its artifacts raise ``PermissionError``.
- Directories are made with ``os.makedirs`` (0755 under the usual umask): the host user cannot create entries in
  a run, step or content-addressed ``data/`` directory the container created, and cannot delete what is in
  them (a later step on the host, ``init`` of the next run, tag changes, ``rm -rf`` of a temporary directory,
  a runner's workspace clean-up all fail with ``EACCES``). ``/tmp`` is sticky: only a file's owner may remove
  or replace it there.

Design decisions (preview):
- Containers: ``docker run``/``docker container run`` in argv lists (list displays, grown literally in the same
  scope) and in shell text held in string literals, and the Docker SDK's ``containers.run``/``create``
  (``model.containers``). Podman is not reported: rootless podman maps the container's root to the invoking user.
- Reported: a read-write bind mount whose host side is the local datastore (``.metaflow``, a value named or
  computed from ``sysroot``/``datastore_root``/``METAFLOW_DATASTORE_SYSROOT_LOCAL``), the workspace (``$PWD``,
  ``$(pwd)``, ``os.getcwd()``, ``$GITHUB_WORKSPACE``) or ``/tmp`` (``tempfile.gettempdir()``), with no ``-u``/
  ``--user``/``--userns`` (``user=``/``userns_mode=`` in the SDK) and no uid handed to a user-switching
  entrypoint (``-e PUID=...``, ``HOST_UID``, ``LOCAL_USER_ID``). For the workspace and ``/tmp`` the container
  must be a Metaflow worker: its command runs ``step``/``init``/``metaflow`` or a flow file, a placeholder
  named for a step command fills it, or it looks like a worker (MFO205's test); a datastore mount is
  Metaflow's by definition.
- Not reported: read-only mounts (``:ro``, ``readonly``, ``mode="ro"``, ``read_only=True``), named volumes, a
  command line with an unknown word among its options (a spliced variable could be ``--user``), or whose image
  is a placeholder not named like an image (it could be options). Kubernetes and compose specs are not read:
  the pod's user is as often set by the cluster (admission policy, namespace defaults) or by a part of the
  manifest built elsewhere as by the spec in hand, and a ``hostPath`` is on the node, not the runner.
- MFO205 (workflows) asks that worker containers *have* these mounts; this rule reads extension code and asks
  that a container which has them write as the host user. The two never read the same file.
- Reported on the ``docker`` word, the list's first item or the SDK call. No fix: the right user (the invoking
  user, a fixed service uid, an image that switches users) is the extension's choice.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Sequence, Tuple

from mfok_lint.model.containers import (
    HOLE,
    VALUED_OPTIONS,
    ArgvWord,
    argv_word,
    docker_run,
    is_sdk_container_call,
    list_argv,
    looks_like_worker,
    option_mounts,
    parse_volume,
    sdk_mounts,
    sets_user,
)
from mfok_lint.model.generated_code import char_offset, code_strings
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.shell_words import split_commands
from mfok_lint.syntax.string_literals import node_code

_DATASTORE_RE = re.compile(r"sysroot|datastore_root|datastore_local|datastore_dir|\.metaflow", re.IGNORECASE)
_WORKSPACE_RE = re.compile(r"getcwd|\bcwd\(|github_workspace|workspace", re.IGNORECASE)
_TMP_RE = re.compile(r"gettempdir", re.IGNORECASE)
_WORKSPACE_TEXT_RE = re.compile(r"^(\$\{?PWD\}?|\$\(\s*pwd\s*\)|`pwd`|\$\{?GITHUB_WORKSPACE\}?|\$\{\{\s*github\.workspace\s*\}\})(/|$)")
_METAFLOW_WORDS = {"step", "init", "metaflow"}
_IMAGE_NAME_RE = re.compile(r"image|img|tag", re.IGNORECASE)
_STEP_HOLE_RE = re.compile(r"step|metaflow|flow_file", re.IGNORECASE)

_WHAT = {
    "datastore": "the local datastore",
    "workspace": "the workspace",
    "tmp": "`/tmp`",
}
_WHY = {
    "datastore": (
        "Metaflow writes local metadata (from 2.19.20 artifacts too) with mode 0600, so the client and steps on "
        "the host cannot read it, nor add to the directories the container created"
    ),
    "workspace": (
        "steps and clean-ups on the host cannot write into or delete what it creates there, and a `.metaflow` "
        "datastore in the working directory becomes unreadable to the client"
    ),
    "tmp": "`/tmp` is sticky, so the host user cannot replace or delete the files it leaves there",
}


def _host_kind(text: str, expressions: Sequence[str]) -> Optional[str]:
    """What a mount's host side is: ``datastore``, ``workspace``, ``tmp`` or None (unknown)."""
    plain = text.strip().strip("'\"")
    if ".metaflow" in plain:
        return "datastore"
    if plain == "/tmp" or plain.startswith("/tmp/"):
        return "tmp"
    if _WORKSPACE_TEXT_RE.match(plain):
        return "workspace"
    if not plain.startswith(HOLE):
        return None  # only a placeholder at the start decides where the path is
    leading = expressions[:1]
    for expression in leading:
        if _DATASTORE_RE.search(expression):
            return "datastore"
        if _WORKSPACE_RE.search(expression):
            return "workspace"
        if _TMP_RE.search(expression):
            return "tmp"
    return None


class ContainerArtifactsRootOwned(Rule):
    needs = frozenset({"code_strings"})
    triggers = Text(b"docker", b"containers.run", b"containers.create")

    def check(self, ctx: Context) -> None:
        self._shell_text(ctx)
        tree = ctx.ast
        if tree is not None:
            self._python(ctx, tree)

    # ---- shell text held in string literals ------------------------------------------------------------------
    def _shell_text(self, ctx: Context) -> None:
        for piece in code_strings(ctx):
            if "docker" not in piece.code:
                continue
            commands, _heredocs = split_commands(piece.code)
            for command in commands:
                parsed = docker_run([w.text for w in command])
                if parsed is None or parsed[0] != "docker":
                    continue
                _engine, options, image, arguments = parsed
                start = len(command) - len(options) - len(arguments) - 1
                option_words = command[start : start + len(options)]
                image_word = command[start + len(options)]

                def hole_names(word) -> List[str]:
                    holes = [h for h in piece.text.holes if word.start <= h.index < word.end]
                    return [h.name or (node_code(h.expr) if h.expr is not None else "") for h in holes]

                if not _complete(options, image, hole_names(image_word)):
                    continue
                if sets_user(options):
                    continue
                for index, host, _target, read_only in option_mounts(options):
                    if read_only:
                        continue
                    word = option_words[index]
                    raw = piece.code[word.start : word.end]
                    at = raw.find(host.strip("'\"")) if host else -1
                    lo = word.start + (at if at >= 0 else 0)
                    holes = [
                        h.name or (node_code(h.expr) if h.expr is not None else "")
                        for h in piece.text.holes
                        if lo <= h.index < (word.end if at < 0 else lo + len(host))
                    ]
                    kind = _host_kind(host, holes)
                    if kind is None:
                        continue
                    if kind != "datastore" and not _runs_metaflow(image, options, arguments, [w for a in command for w in hole_names(a)]):
                        continue
                    docker = next(w for w in command if w.text.rsplit("/", 1)[-1] == "docker")
                    ctx.report(piece.span(docker.start, docker.end), _message("docker run", kind, _shown(host, holes)))
                    break

    # ---- argv lists and Docker SDK calls ---------------------------------------------------------------------
    def _python(self, ctx: Context, tree: ast.Module) -> None:
        parents: Dict[int, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
        for node in ast.walk(tree):
            if isinstance(node, ast.List) and _starts_docker_run(node):
                self._argv(ctx, node, parents)
            elif isinstance(node, ast.Call) and is_sdk_container_call(node):
                self._sdk(ctx, node, parents)

    def _argv(self, ctx: Context, display: ast.List, parents: Dict[int, ast.AST]) -> None:
        parent = parents.get(id(display))
        name = None
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
            name = parent.targets[0].id
        scope = _scope(display, parents)
        words, complete = list_argv(scope, display, name)
        if not complete:
            return
        texts = [w.text if w.text is not None else HOLE for w in words]
        parsed = docker_run(texts)
        if parsed is None or parsed[0] != "docker":
            return
        _engine, options, image, arguments = parsed
        offset = len(texts) - len(options) - len(arguments) - 1
        option_words = words[offset : offset + len(options)]
        image_word = words[offset + len(options)]
        if not _complete(options, image, [ast.unparse(p) for p in _parts(image_word)]):
            return
        if sets_user(options):
            return
        for index, host, _target, read_only in option_mounts(options):
            if read_only:
                continue
            word = _resolved(option_words[index], scope)
            spec_host = host
            if word.text is not None and option_words[index].text is None:
                parsed_spec = parse_volume(word.text)
                if parsed_spec is None or parsed_spec[2]:
                    continue
                spec_host = parsed_spec[0]
            expressions = [ast.unparse(_resolved_expr(p, scope)) for p in _parts(word)]
            kind = _host_kind(spec_host, expressions)
            if kind is None:
                continue
            hole_texts = [ast.unparse(p) for w in words for p in _parts(w)]
            if kind != "datastore" and not _runs_metaflow(image, options, arguments, hole_texts):
                continue
            shown = _shown(spec_host, [ast.unparse(p) for p in _parts(word)])
            ctx.report(_locate(ctx, display.elts[0]), _message("docker run", kind, shown))
            return

    def _sdk(self, ctx: Context, call: ast.Call, parents: Dict[int, ast.AST]) -> None:
        mounts, user, complete = sdk_mounts(call)
        if user or not complete:
            return
        scope = _scope(call, parents)
        command_texts = [ast.unparse(a) for a in call.args[1:2]] + [
            ast.unparse(k.value) for k in call.keywords if k.arg in ("command", "entrypoint", "name", "image")
        ]
        image = ast.unparse(call.args[0]) if call.args else ""
        for node, text, read_only in mounts:
            if read_only:
                continue
            resolved = _resolved_expr(node, scope)
            if text is None and isinstance(resolved, ast.Constant) and isinstance(resolved.value, str):
                text = resolved.value
            word = _resolved(ArgvWord(text, node, [] if text is not None else [node]), scope)
            expressions = [ast.unparse(_resolved_expr(p, scope)) for p in _parts(word)]
            kind = _host_kind(word.text if word.text is not None else HOLE, expressions)
            if kind is None:
                continue
            if kind != "datastore" and not _runs_metaflow(image, [], command_texts, command_texts):
                continue
            shown = _shown(word.text, []) if word.text is not None else "{" + ast.unparse(node) + "}"
            ctx.report(_locate(ctx, call.func), _message(f"containers.{call.func.attr}()", kind, shown))
            return


def _starts_docker_run(display: ast.List) -> bool:
    items = display.elts[:3]
    texts = [i.value if isinstance(i, ast.Constant) and isinstance(i.value, str) else None for i in items]
    if not texts or texts[0] is None or texts[0].rsplit("/", 1)[-1] != "docker":
        return False
    return texts[1:2] == ["run"] or texts[1:3] == ["container", "run"]


def _complete(options: Sequence[str], image: str, image_names: Sequence[str]) -> bool:
    """Every option word is known, and an image spelled as a placeholder is named like one."""
    expecting_value = False
    for word in options:
        if expecting_value:
            expecting_value = False
            continue
        if word.strip(HOLE) == "":
            return False
        expecting_value = word in VALUED_OPTIONS
    if image.strip(HOLE + "'\"") == "":
        return any(_IMAGE_NAME_RE.search(name or "") for name in image_names)
    return True


def _runs_metaflow(image: str, options: Sequence[str], arguments: Sequence[str], placeholders: Sequence[str]) -> bool:
    words = [a.strip("'\"") for a in arguments]
    if any(w in _METAFLOW_WORDS or w.endswith(".py") for w in words):
        return True
    if any(_STEP_HOLE_RE.search(p or "") for p in placeholders):
        return True
    names = [options[i + 1] for i, o in enumerate(options[:-1]) if o == "--name"]
    names += [o.split("=", 1)[1] for o in options if o.startswith("--name=")]
    return looks_like_worker(image, names, list(arguments))


def _parts(word: ArgvWord) -> List[ast.AST]:
    return list(word.parts)


def _scope(node: ast.AST, parents: Dict[int, ast.AST]) -> ast.AST:
    current = parents.get(id(node))
    while current is not None and not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
        current = parents.get(id(current))
    return current if current is not None else node


def _assignments(scope: ast.AST, name: str) -> List[ast.AST]:
    values = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            values.append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            if node.value is not None:
                values.append(node.value)
    return values


def _resolved_expr(node: ast.AST, scope: ast.AST) -> ast.AST:
    """The value of a name assigned exactly once in the scope, else the node itself."""
    if isinstance(node, ast.Name):
        values = _assignments(scope, node.id)
        if len(values) == 1:
            return values[0]
    return node


def _resolved(word: ArgvWord, scope: ast.AST) -> ArgvWord:
    """An item that is a name bound once to a string: that string's word."""
    if word.text is None and isinstance(word.node, ast.Name):
        value = _resolved_expr(word.node, scope)
        if value is not word.node:
            resolved = argv_word(value)
            if resolved.text is not None:
                return resolved
    return word


def _locate(ctx: Context, node: ast.AST) -> Tuple[int, int]:
    text = ctx.text
    start = ctx.locator.offset(node.lineno, 1) + _col(text, node.lineno, node.col_offset)
    end = ctx.locator.offset(node.end_lineno, 1) + _col(text, node.end_lineno, node.end_col_offset)
    return start, end


def _col(text: str, lineno: int, col_bytes: int) -> int:
    return char_offset(text, lineno, col_bytes) - char_offset(text, lineno, 0)


def _shown(host: str, names: Sequence[str]) -> str:
    """The host side as written, each placeholder shown as ``{name}``."""
    out, names = "", list(names)
    for ch in host.strip("'\""):
        out += "{" + (names.pop(0) if names else "...") + "}" if ch == HOLE else ch
    return out


def _message(launcher: str, kind: str, shown: str) -> str:
    return (
        f"`{launcher}` bind-mounts {_WHAT[kind]} (`{shown}`) read-write without `--user`: the container runs as "
        f"the image's user (root unless the image sets `USER`) and owns what it writes there; {_WHY[kind]}; run "
        f"it as the host user (`--user \"$(id -u):$(id -g)\"`)"
    )
