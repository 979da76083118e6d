"""Running the linter over files: read each file, lint or fix it, write fixes atomically, many files in a pool.

Writes go to a temp file in the same directory, are fsynced, get the original mode bits and replace the file with
``os.replace``. Right before replacing, the file is read again; if it changed since it was read, it is left alone
and the run reports it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections import Counter
from typing import List, Optional, Sequence

from mfok_lint.core import dependencies
from mfok_lint.core.diagnostics import Locator
from mfok_lint.core.paths import is_python_path, is_python_text
from mfok_lint.core.settings import Settings
from mfok_lint.core.source import DecodeError, decode_source, encode_source
from mfok_lint.lint import noqa as noqa_mod
from mfok_lint.lint.check import check_source
from mfok_lint.lint.errors import InternalError, _syntax_error_diag, nul_byte_error
from mfok_lint.lint.fixes import fix_source
from mfok_lint.run.results import FileResult
from mfok_lint.rules import Rule
from mfok_lint.rules.selection import enabled_rules, ignored_codes_for


class WriteConflict(RuntimeError):
    pass


def write_atomic(path: str, data: bytes, expected: Optional[bytes] = None) -> None:
    """Replace ``path`` with ``data`` via a temp file in the same directory; keep mode bits.

    When ``expected`` is given and the file on disk no longer holds those bytes, nothing is written.
    """
    st = os.stat(path)
    if expected is not None:
        with open(path, "rb") as handle:
            if handle.read() != expected:
                raise WriteConflict(f"{path}: not written: the file changed on disk since it was read")
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".mfok-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def process_file(path: str, settings: Settings, selected: Sequence[Rule], text: Optional[str] = None) -> FileResult:
    """Lint (and maybe fix) one file. ``text`` given = stdin: nothing is ever written."""
    result = FileResult(path)
    raw: Optional[bytes] = None
    bom = False
    if text is None:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except IsADirectoryError:
            result.errors.append(f"{path}: is a directory")
            return result
        except OSError as exc:
            result.errors.append(f"{path}: cannot read: {exc.strerror or exc}")
            return result
        try:
            text, bom = decode_source(raw)
        except DecodeError as exc:
            rules_here = _rules_for_path(path, settings, selected)
            if any(r.code == "MFO900" for r in rules_here):
                result.diagnostics.append(_syntax_error_diag(path, "", Locator(""), f"File cannot be decoded: {exc}", 1, 1))
            return result
        nul = nul_byte_error(text) if is_python_path(path) else None
        if nul is not None:
            rules_here = _rules_for_path(path, settings, selected)
            if any(r.code == "MFO900" for r in rules_here):
                result.diagnostics.append(_syntax_error_diag(path, text, Locator(text), *nul))
            result.source = result.original = text
            return result
    rules_here = _rules_for_path(path, settings, selected)
    internal: List[InternalError] = []
    result.original = text
    with dependencies.recording() as stamps:
        _lint_into(result, text, raw, bom, path, rules_here, settings, internal)
    result.dependencies = sorted(set(stamps))
    return result


def _lint_into(
    result: FileResult,
    text: str,
    raw: Optional[bytes],
    bom: bool,
    path: str,
    rules_here: List[Rule],
    settings: Settings,
    internal: List[InternalError],
) -> None:
    if settings.fix:
        outcome = fix_source(
            text, path, rules_here, unsafe=bool(settings.unsafe_fixes), ignore_noqa=settings.ignore_noqa,
            internal_errors=internal, metaflow=settings.metaflow,
        )
        result.source, result.fixed, result.diagnostics = outcome.text, outcome.fixed, outcome.diagnostics
        result.errors.extend(outcome.errors)
    else:
        result.source = text
        result.diagnostics = check_source(
            text, path, rules_here, raw=raw, ignore_noqa=settings.ignore_noqa, internal_errors=internal,
            metaflow=settings.metaflow,
        )
    if settings.add_noqa and result.diagnostics:
        new_text, added = noqa_mod.add_noqa(result.source, result.diagnostics, is_python=is_python_text(path))
        if added:
            result.source, result.noqa_added = new_text, added
            result.diagnostics = []
    result.internal_errors = [e.message for e in internal]
    if raw is not None and not settings.diff and result.changed:
        try:
            write_atomic(path, encode_source(result.source, bom, raw), expected=raw)
        except WriteConflict as exc:
            result.errors.append(str(exc))
            result.source = result.original
            result.diagnostics = check_source(
                text, path, rules_here, raw=raw, ignore_noqa=settings.ignore_noqa, metaflow=settings.metaflow
            )
            result.fixed = Counter()
        except OSError as exc:
            result.errors.append(f"{path}: not written: {exc.strerror or exc}")


def _rules_for_path(path: str, settings: Settings, selected: Sequence[Rule]) -> List[Rule]:
    ignored = ignored_codes_for(path, settings, selected)
    return [r for r in selected if r.code not in ignored] if ignored else list(selected)


def run_files(paths: Sequence[str], settings: Settings) -> List[FileResult]:
    """Process many files; results come back in the order of ``paths`` whatever the parallelism."""
    selected = enabled_rules(settings)
    jobs = settings.jobs if settings.jobs is not None else min(os.cpu_count() or 1, 8)
    if jobs <= 1 or len(paths) < 8:
        return [process_file(p, settings, selected) for p in paths]
    from mfok_lint.run.pool import run_parallel

    return run_parallel(process_file, paths, settings, selected, jobs)
