"""The package-wide code model: every module of the extension a file belongs to, for questions one file cannot answer.

Real extensions build one step command across modules (the environment in the CLI module, the tokens in a
compiler, the text in a code generator) and launch it through helpers of other modules. A rule that asks "does
the worker environment ever carry X?", "can a non-zero ``--retry-count`` ever be sent?" or "is the extension's own
trigger command declared with ``--branch``?" asks it of the package, here, and answers from every module rather
than guessing from one.

Decisions:
* **Scope.** The package of a file is the code of one orchestrator: its plugin directory
  ``metaflow_extensions/<pkg>/plugins/<name>/`` for a module in one (an extension may ship several plugins, and
  another plugin's code answers nothing about this one), ``metaflow_extensions/<pkg>/`` for the extension's
  other modules (configuration files, loose plugin modules), ``metaflow/plugins/<name>/`` inside Metaflow itself,
  else the top-level ``__init__.py`` package around the file, else the file's own directory (not recursive). Test
  and example directories are not the package (``core.paths.is_test_path``); vendored trees are skipped. A
  package of more than ``MAX_MODULES`` modules is *partial*: rules must not conclude that something is absent
  from a partial package.
* **Lazy, per module.** A module is read, parsed and modelled only when a question needs it, and questions name
  the bytes a module must contain to matter (``containing=``), so most modules of a package are never parsed.
  The per-module models are the ones the linted file uses for itself (``model.commands``, ``model.environment``),
  computed on a ``SourceFile`` of the module's text; they are kept for the process, keyed by the file's stamp, so
  the files of one package linted in one process share them.
* **The linted file is its own text.** Its module comes from the context (a fix in progress, ``--stdin-filename``),
  never from disk.
* **Every read is a dependency.** Each module a question consults is recorded (``core.dependencies``) for the
  linted file every time it is consulted, memoised or not, so a cached finding is recomputed when a sibling
  changes; the package's directories are recorded too, so a module that appears or goes does the same.
  ``flake8 --select MFO`` reads the same modules from disk and reports the same rows.
* **Unparsable or unreadable modules** are skipped and make the package partial: a question about absence is then
  unanswered, never answered "no".
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, TypeVar

from mfok_lint.core import dependencies
from mfok_lint.core.paths import is_test_path, module_location
from mfok_lint.syntax import cstparse
from mfok_lint.syntax.source_file import SourceFile

__all__ = ["MAX_MODULES", "PackageCode", "package_code", "package_scope"]

MAX_MODULES = 300
_SKIPPED_DIRS = frozenset(
    {"tests", "test", "testing", "examples", "example", "docs", "build", "dist", "node_modules", "__pycache__",
     "_vendor", "vendor", "site-packages"}
)
_KEPT_SOURCES = 256  # modules kept parsed across the files of one process

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    root: str  # the package directory
    recursive: bool  # False: the file's own directory, its modules only


def package_scope(path: str) -> Optional[Scope]:
    """The package a file belongs to (see the module docstring), or None for a file that is not on disk."""
    absolute = os.path.abspath(path)
    directory = os.path.dirname(absolute)
    if not os.path.isdir(directory):
        return None
    location = module_location(absolute if absolute.endswith(".py") else os.path.join(directory, "__scope__.py"))
    if location is None:
        return Scope(directory, recursive=False)
    root, parts = location
    if len(parts) >= 5 and parts[0] == "metaflow_extensions" and parts[2] == "plugins":
        return Scope(os.path.join(root, *parts[:4]), recursive=True)
    if len(parts) >= 3 and parts[0] == "metaflow_extensions":
        return Scope(os.path.join(root, parts[0], parts[1]), recursive=True)
    if parts[:2] == ["metaflow", "plugins"] and len(parts) >= 4:
        return Scope(os.path.join(root, "metaflow", "plugins", parts[2]), recursive=True)
    if len(parts) >= 2 and parts[0] != "metaflow":
        return Scope(os.path.join(root, parts[0]), recursive=True)
    return Scope(directory, recursive=False)


def _module_paths(scope: Scope) -> Tuple[List[str], bool]:
    """The package's module files, sorted, and whether the listing is partial (too many modules)."""
    found: List[str] = []
    if not scope.recursive:
        for name in dependencies.list_dir(scope.root):
            if name.endswith(".py"):
                full = os.path.join(scope.root, name)
                if not is_test_path(full):
                    found.append(full)
        return sorted(found)[:MAX_MODULES], len(found) > MAX_MODULES
    pending = [scope.root]
    while pending:
        directory = pending.pop()
        for name in dependencies.list_dir(directory):
            full = os.path.join(directory, name)
            if name.endswith(".py"):
                if not is_test_path(full) and os.path.isfile(full):
                    found.append(full)
            elif not name.startswith(".") and name not in _SKIPPED_DIRS and os.path.isdir(full):
                pending.append(full)
        if len(found) > MAX_MODULES:
            return sorted(found)[:MAX_MODULES], True
    return sorted(found), False


class _Sources:
    """Parsed modules kept for the process, keyed by path and re-used while the file's stamp is unchanged."""

    def __init__(self) -> None:
        self._entries: "OrderedDict[str, Tuple[tuple, Optional[SourceFile]]]" = OrderedDict()

    def get(self, path: str) -> Optional[SourceFile]:
        stamp = dependencies.stamp(path, "file")
        entry = self._entries.get(path)
        if entry is not None and entry[0] == stamp:
            self._entries.move_to_end(path)
            return entry[1]
        source = _parse(path)
        self._entries[path] = (stamp, source)
        if len(self._entries) > _KEPT_SOURCES:
            self._entries.popitem(last=False)
        return source


def _parse(path: str) -> Optional[SourceFile]:
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        module = cstparse.parse_module(text)
    except Exception:  # unreadable, undecodable, unparsable: the package becomes partial
        return None
    return SourceFile(path, text, module)


_SOURCES = _Sources()
_TEXTS: "OrderedDict[str, Tuple[tuple, Optional[bytes]]]" = OrderedDict()


def _raw(path: str) -> Optional[bytes]:
    stamp = dependencies.stamp(path, "file")
    entry = _TEXTS.get(path)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    try:
        with open(path, "rb") as handle:
            data: Optional[bytes] = handle.read()
    except OSError:
        data = None
    _TEXTS[path] = (stamp, data)
    if len(_TEXTS) > 4 * _KEPT_SOURCES:
        _TEXTS.popitem(last=False)
    return data


class PackageCode:
    """The modules of one package, seen from one linted file (``own``)."""

    def __init__(self, own: SourceFile, scope: Optional[Scope]) -> None:
        self.own = own
        self.scope = scope
        self._own_path = os.path.abspath(own.path)
        if scope is None:
            self.paths: List[str] = [self._own_path]
            self.partial = True  # a text under a made-up name: nothing beside it can be read
        else:
            self.paths, self.partial = _module_paths(scope)
            if self._own_path not in self.paths:
                self.paths.append(self._own_path)
        self._unparsable = False

    @property
    def complete(self) -> bool:
        """Whether every module of the package was seen: only then may a rule conclude that something is absent."""
        return not self.partial and not self._unparsable

    def sources(self, containing: Sequence[bytes] = (), requiring: Sequence[bytes] = ()) -> Iterator[SourceFile]:
        """The package's modules (the linted file first), each parsed once per process; with ``containing``, only
        the modules whose bytes hold one of those strings, and with ``requiring``, only those that hold every one
        of these (the others cannot matter to the question)."""
        yield self.own
        for path in self.paths:
            if path == self._own_path:
                continue
            dependencies.note(path, "file")
            if containing or requiring:
                raw = _raw(path)
                if raw is None:
                    continue
                if containing and not any(marker in raw for marker in containing):
                    continue
                if not all(marker in raw for marker in requiring):
                    continue
            source = _SOURCES.get(path)
            if source is None:
                self._unparsable = True
                continue
            yield source

    def texts(self, containing: Sequence[bytes] = ()) -> Iterator[Tuple[str, str]]:
        """``(path, text)`` of the package's modules (the linted file first), unparsed: for questions a text search
        answers. With ``containing``, only the modules whose bytes hold one of those strings."""
        yield self.own.path, self.own.text
        for path in self.paths:
            if path == self._own_path:
                continue
            dependencies.note(path, "file")
            raw = _raw(path)
            if raw is None:
                self._unparsable = True
                continue
            if containing and not any(marker in raw for marker in containing):
                continue
            yield path, raw.decode("utf-8", "replace")

    def each(self, model: Callable[[SourceFile], List[T]], containing: Sequence[bytes] = ()) -> Iterator[Tuple[SourceFile, T]]:
        """``(module, item)`` for every item a per-module model finds in every module of the package."""
        for source in self.sources(containing):
            for item in model(source):
                yield source, item

    def is_own(self, source: SourceFile) -> bool:
        return source is self.own


def package_code(ctx: SourceFile) -> PackageCode:
    """The package of the linted file, built once per file for every rule that asks."""
    return ctx.lazy("package_code", lambda own: PackageCode(own, package_scope(own.path)))
