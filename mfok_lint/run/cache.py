"""The lint cache: findings of unchanged files are read back instead of recomputed.

Decisions:
- Only plain lint runs use it (no ``--fix``, ``--diff`` or ``--add-noqa``): those rewrite files and must see
  the current text anyway. ``--no-cache`` neither reads nor writes it.
- An entry's key covers everything that can change a file's findings: its path (per-file-ignores, noqa and
  workflow detection depend on it), a SHA-256 of its bytes, ``Settings.fingerprint()``, the enabled rule
  codes, the mfok version, and a stamp of mfok_lint's own source files (size and mtime), so a rule edited
  in a development checkout never serves stale findings under an unchanged version number.
- The file is read once: the bytes that are hashed are the bytes whose text is reported.
- Cross-file findings depend on other files (a sibling module that sets an environment key, a constant imported
  from ``config.py``, the plugin directory's listing). The engine records a stamp of every such input while it
  lints a file (``mfok_lint.core.dependencies``); the entry stores them and is reused only while every stamp still
  matches, so editing, adding or deleting a sibling recomputes the files that looked at it.
- Entries are small JSON files written through a temp file + ``os.replace``, so concurrent runs never see a
  half-written entry; an unreadable or malformed entry is a miss, never an error. Results with errors are
  not stored.
- The directory carries a ``CACHEDIR.TAG`` (backup tools skip it) and a ``.gitignore`` of ``*``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

from mfok_lint import __version__
from mfok_lint.core import dependencies
from mfok_lint.core.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from mfok_lint.core.settings import Settings
from mfok_lint.core.source import DecodeError, decode_source
from mfok_lint.rules.selection import enabled_codes
from mfok_lint.run.discovery import CACHE_DIR_NAME
from mfok_lint.run.results import FileResult

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mfok-lint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_FORMAT = 2


def cache_root(settings: Settings, project_root: str) -> str:
    return os.path.abspath(settings.cache_dir or os.path.join(project_root, CACHE_DIR_NAME))


def _code_stamp() -> str:
    package = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256()
    for directory, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(path, package)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def _code_stamp_once() -> str:
    return _code_stamp()


def run_key(settings: Settings) -> str:
    parts = (
        _FORMAT,
        __version__,
        _code_stamp_once(),
        repr(settings.fingerprint()),
        tuple(enabled_codes(settings)),
        os.path.abspath(settings.project_root),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def _ensure_dir(root: str) -> bool:
    try:
        os.makedirs(root, exist_ok=True)
        for name, content in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "# Created by mfok-lint.\n*\n")):
            path = os.path.join(root, name)
            if not os.path.exists(path):
                _write_atomic(path, content)
        return True
    except OSError:
        return False


def _write_atomic(path: str, content: str) -> None:
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# --------------------------------------------------------------------------------------------------------------
# (De)serialisation


def _loc(location: Location) -> List[int]:
    return [location.row, location.column]


def diagnostic_to_json(diag: Diagnostic) -> Dict:
    fix = None
    if diag.fix is not None:
        fix = {
            "applicability": diag.fix.applicability.value,
            "message": diag.fix.message,
            "edits": [[e.start, e.end, e.content, _loc(e.location), _loc(e.end_location)] for e in diag.fix.edits],
        }
    return {
        "code": diag.code,
        "message": diag.message,
        "location": _loc(diag.location),
        "end_location": _loc(diag.end_location),
        "noqa_row": diag.noqa_row,
        "fix": fix,
        "name": diag.name,
        "url": diag.url,
        "preview": diag.preview,
        "extra": diag.extra,
    }


def diagnostic_from_json(data: Dict, path: str) -> Diagnostic:
    fix = None
    if data["fix"] is not None:
        fix = Fix(
            Applicability(data["fix"]["applicability"]),
            data["fix"]["message"],
            tuple(Edit(s, e, c, Location(*loc), Location(*end)) for s, e, c, loc, end in data["fix"]["edits"]),
        )
    return Diagnostic(
        code=data["code"],
        message=data["message"],
        path=path,
        location=Location(*data["location"]),
        end_location=Location(*data["end_location"]),
        noqa_row=data["noqa_row"],
        fix=fix,
        name=data["name"],
        url=data["url"],
        preview=data["preview"],
        extra=dict(data["extra"]),
    )


# --------------------------------------------------------------------------------------------------------------
# The cached run


def _entry_path(directory: str, path: str, content_hash: str) -> str:
    key = hashlib.sha256(f"{os.path.abspath(path)}\0{content_hash}\0{_target(path)}".encode()).hexdigest()
    return os.path.join(directory, key[:2], key + ".json")


def _target(path: str) -> str:
    """The Metaflow release the file is judged against when no setting says: it comes from other files (its
    distribution's metadata), so it is part of the entry's key and an edited ``pyproject.toml`` is a miss."""
    from mfok_lint.core.target_version import target_for_path

    return str(target_for_path(path).range)


def _load(entry: str, path: str, text: str, taken) -> Optional[FileResult]:
    try:
        with open(entry, encoding="utf-8") as handle:
            data = json.load(handle)
        diagnostics = [diagnostic_from_json(d, path) for d in data["diagnostics"]]
        stamps = [tuple(s) for s in data["dependencies"]]
        if not dependencies.unchanged(stamps, taken):
            return None  # a sibling module the findings were computed from has changed
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    return FileResult(path, diagnostics=diagnostics, source=text, original=text)


def _store(entry: str, result: FileResult) -> None:
    if result.errors or result.internal_errors:
        return
    try:
        payload = json.dumps(
            {
                "diagnostics": [diagnostic_to_json(d) for d in result.diagnostics],
                "dependencies": [list(s) for s in result.dependencies],
            }
        )
    except (TypeError, ValueError):
        return  # a rule put something in ``extra`` that JSON cannot hold: just do not cache it
    try:
        os.makedirs(os.path.dirname(entry), exist_ok=True)
        _write_atomic(entry, payload)
    except OSError:
        pass  # a read-only cache costs speed, never correctness


def _lint(paths: Sequence[str], settings: Settings) -> List[FileResult]:
    # Imported here: a run the cache answers whole never loads the engine, noqa or the fixer.
    from mfok_lint.run.runner import run_files

    return run_files(paths, settings)


def run_cached(paths: Sequence[str], settings: Settings) -> List[FileResult]:
    """Like ``runner.run_files`` for a lint-only run, reusing stored findings of unchanged files."""
    if settings.fix or settings.add_noqa:
        return _lint(paths, settings)
    root = cache_root(settings, settings.project_root)
    if not _ensure_dir(root):
        return _lint(paths, settings)
    directory = os.path.join(root, run_key(settings))
    results: List[Optional[FileResult]] = [None] * len(paths)
    misses: List[int] = []
    entries: Dict[int, str] = {}
    texts: Dict[int, str] = {}
    taken: Dict = {}  # the stamps re-taken in this run, shared by every entry that recorded the same input
    for index, path in enumerate(paths):
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
            text, _bom = decode_source(raw)
        except (OSError, DecodeError):
            misses.append(index)  # the engine reports it properly
            continue
        entry = _entry_path(directory, path, hashlib.sha256(raw).hexdigest())
        entries[index] = entry
        texts[index] = text
        cached = _load(entry, path, text, taken)
        if cached is None:
            misses.append(index)
        else:
            results[index] = cached
    if misses:
        fresh = _lint([paths[i] for i in misses], settings)
        for index, result in zip(misses, fresh):
            results[index] = result
            # Stored only if the engine saw the very text that was hashed (the file may change meanwhile).
            if index in entries and result.original == texts[index]:
                _store(entries[index], result)
    return [r for r in results if r is not None]


# ---- the flake8 plugin's entries ------------------------------------------------------------------------------
# flake8 has no cache of its own, so every flake8 run would re-lint every file; the plugin keeps its rows
# (row, column, code, message) in the same directory, under a key of its own rule selection.
Row = Tuple[int, int, str, str]


class PluginCache:
    def __init__(self, root: str, selection: Sequence[str]) -> None:
        parts = (_FORMAT, "flake8", __version__, _code_stamp_once(), tuple(selection))
        self.root = os.path.abspath(root)
        self.directory = os.path.join(self.root, "flake8-" + hashlib.sha256(repr(parts).encode()).hexdigest()[:24])
        self.usable = _ensure_dir(self.root)

    def _entry(self, path: str, text: str) -> str:
        return _entry_path(self.directory, path, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())

    def load(self, path: str, text: str) -> Optional[List[Row]]:
        if not self.usable:
            return None
        try:
            with open(self._entry(path, text), encoding="utf-8") as handle:
                data = json.load(handle)
            if not dependencies.unchanged([tuple(s) for s in data["dependencies"]]):
                return None
            return [(int(r), int(c), str(code), str(message)) for r, c, code, message in data["rows"]]
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def store(self, path: str, text: str, rows: Sequence[Row], stamps: Sequence[Tuple]) -> None:
        if not self.usable:
            return
        entry = self._entry(path, text)
        try:
            os.makedirs(os.path.dirname(entry), exist_ok=True)
            _write_atomic(entry, json.dumps({"rows": [list(r) for r in rows], "dependencies": [list(s) for s in stamps]}))
        except (OSError, TypeError, ValueError):
            pass
