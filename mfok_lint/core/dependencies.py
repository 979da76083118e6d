"""Files and directories a file's findings depend on, besides the file itself.

Cross-file rules read the extension's other modules (a sibling that sets an environment key, a constant
imported from ``config.py``, the directory listing of a plugin package). A cached finding is only valid while
those inputs are unchanged, so every such read goes through ``read_bytes``/``read_text``/``list_dir`` here,
which record a stamp of what was read. The engine opens a recording around each file it lints
(``recording()``) and stores the stamps with the file's result; the cache re-stamps them before reusing an
entry (``unchanged``).

Decisions:
* A stamp is (path, kind, size, mtime_ns) for files and (path, "dir", sorted-names digest) for directories:
  cheap to re-take for every cached file on a warm run, and any edit, creation or deletion changes it.
  A file that could not be read is stamped as missing, so creating it later invalidates the entry.
* Recording is per process and per file (the pool lints one file at a time in each worker); outside a
  recording the helpers just read.
"""

from __future__ import annotations

import hashlib
import os
import stat as _stat
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Tuple

Stamp = Tuple[str, str, int, int]

_current: Optional[List[Stamp]] = None


@contextmanager
def recording() -> Iterator[List[Stamp]]:
    global _current
    outer, _current = _current, []
    try:
        yield _current
    finally:
        _current = outer


def stamp(path: str, kind: str) -> Stamp:
    path = os.path.abspath(path)
    try:
        if kind == "dir":
            names = sorted(os.listdir(path))
            return (path, "dir", len(names), int(hashlib.sha1("\0".join(names).encode()).hexdigest()[:15], 16))
        st = os.stat(path)
        if kind == "file" and not _stat.S_ISREG(st.st_mode):
            return (path, "file:not-a-file", 0, 0)
        return (path, "file", st.st_size, st.st_mtime_ns)
    except OSError:
        return (path, kind + ":missing", 0, 0)


def _record(path: str, kind: str) -> None:
    if _current is not None:
        _current.append(stamp(path, kind))


def note(path: str, kind: str = "file") -> None:
    """Record an input read by other means (``os.walk``, a memoised reader)."""
    _record(path, kind)


def read_bytes(path: str) -> Optional[bytes]:
    """The file's bytes, or None when it cannot be read; recorded as a dependency either way."""
    _record(path, "file")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def read_text(path: str) -> Optional[str]:
    data = read_bytes(path)
    return None if data is None else data.decode("utf-8", "replace")


def list_dir(path: str) -> List[str]:
    """The directory's entry names, sorted ([] when it cannot be listed); recorded as a dependency."""
    _record(path, "dir")
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def is_file(path: str) -> bool:
    """``os.path.isfile``, recorded: the answer changes only with the parent directory's listing or the path."""
    _record(os.path.dirname(os.path.abspath(path)), "dir")
    _record(path, "file")
    return os.path.isfile(path)


def is_dir(path: str) -> bool:
    _record(os.path.dirname(os.path.abspath(path)), "dir")
    return os.path.isdir(path)


def unchanged(stamps, taken: Optional[Dict[Tuple[str, str], Stamp]] = None) -> bool:
    """True when every recorded input still has the stamp it had when the findings were computed.

    ``taken`` shares the stamps already re-taken in one warm run: the files of a package all depend on the
    same siblings, so without it a run stats each sibling once per file that read it."""
    if taken is None:
        taken = {}
    for recorded in stamps:
        key = (recorded[0], recorded[1].split(":")[0])
        current = taken.get(key)
        if current is None:
            current = taken[key] = stamp(*key)
        if tuple(recorded) != current:
            return False
    return True
