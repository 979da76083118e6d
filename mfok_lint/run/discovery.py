"""Which files a run lints: walk the given paths the way ``ruff check`` does.

Decisions:
- Lintable files are Python sources (``*.py``, ``*.pyi``) and GitHub Actions workflows
  (``.github/workflows/*.yml|yaml``); the engine's ``is_lintable_path`` is the single definition.
- Hidden directories are walked (``.github`` must be found from the repository root), but ruff's default
  excludes (``.git``, ``.venv``, ``node_modules``, ...) and our own cache directory are never entered.
- Exclude patterns follow ruff's file patterns: a pattern is made absolute against the project root and
  matched against a path's absolute form and against its base name (so ``exclude = ["build"]`` skips every
  directory called ``build``). ``*`` crosses ``/`` as in ruff's globset. Directories are pruned, so nothing
  below an excluded directory is ever read.
- ``.gitignore`` files (nested ones apply to their subtree, deeper ones win, ``!`` re-includes) and
  ``.git/info/exclude`` are honoured only inside a git repository, as ruff (through ripgrep's walker) does.
  Patterns are read with ``pathspec``'s git-wildmatch implementation.
- A path named on the command line is linted even when excluded (its own exclusion only applies with
  ``force-exclude``, which also checks its parent directories), again like ruff.
- Directory symlinks are followed once per real directory, so loops end; unreadable directories, broken
  links and files that vanish mid-walk become warnings, never exceptions.
- The result is sorted and free of duplicates, so output order never depends on the file system.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple

if TYPE_CHECKING:
    import pathspec

from mfok_lint.core.paths import is_lintable_path
from mfok_lint.core.settings import PatternItem, Settings

CACHE_DIR_NAME = ".mfok-lint-cache"

DEFAULT_EXCLUDES: Tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    CACHE_DIR_NAME,
)




class FilePatterns:
    """ruff-style file patterns; each is anchored at ``root`` or at the directory paired with it."""

    def __init__(self, patterns: Iterable[PatternItem], root: str) -> None:
        self.raw = list(patterns)
        plains, absolutes = [], []
        for item in self.raw:
            pattern, anchor = (item, root) if isinstance(item, str) else item
            expanded = os.path.expanduser(pattern)
            absolutes.append(os.path.normpath(os.path.join(anchor, expanded)).replace(os.sep, "/"))
            plains.append(expanded.replace(os.sep, "/").rstrip("/"))
        # One alternation per kind instead of a glob match per pattern: discovery asks this of every path.
        self._absolute = _any_of(absolutes)
        self._plain = _any_of(plains)

    def matches(self, abspath: str) -> bool:
        if self._absolute is None:
            return False
        norm = abspath.replace(os.sep, "/")
        base = norm.rsplit("/", 1)[-1]
        return bool(self._absolute.match(norm) or self._plain.match(base))

    def __bool__(self) -> bool:
        return self._absolute is not None


def _any_of(globs: List[str]) -> Optional["re.Pattern[str]"]:
    """A regex matching what ``fnmatch.fnmatchcase`` matches for any of ``globs``."""
    if not globs:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs))


@dataclass
class Discovery:
    files: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # paths named on the command line that do not exist


class _Excluder:
    def __init__(self, settings: Settings) -> None:
        root = os.path.abspath(settings.project_root)
        self.pattern_sets = [
            FilePatterns(DEFAULT_EXCLUDES if settings.exclude is None else settings.exclude, root),
            FilePatterns(settings.extend_exclude, root),
        ]
        # The cache directory is ours: never lint it, even when the user replaces the exclude list.
        self.always = FilePatterns([CACHE_DIR_NAME], root)

    def excluded(self, abspath: str) -> bool:
        return self.always.matches(abspath) or any(p.matches(abspath) for p in self.pattern_sets)

    def excluded_or_parent(self, abspath: str) -> bool:
        current = abspath
        while True:
            if self.excluded(current):
                return True
            parent = os.path.dirname(current)
            if parent == current:
                return False
            current = parent


def _read_patterns(path: str) -> Optional[pathspec.PathSpec]:
    import pathspec  # only runs that meet an ignore file pay for its import

    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    try:
        return pathspec.PathSpec.from_lines("gitwildmatch", lines)
    except Exception:  # noqa: BLE001 - a malformed ignore file must not stop the run; git would skip bad lines too
        good = []
        for line in lines:
            try:
                pathspec.PathSpec.from_lines("gitwildmatch", [line])
            except Exception:  # noqa: BLE001
                continue
            good.append(line)
        return pathspec.PathSpec.from_lines("gitwildmatch", good)


def _verdict(spec: pathspec.PathSpec, relpath: str) -> Optional[bool]:
    """True = ignored, False = re-included by a ``!`` pattern, None = no pattern speaks about the path."""
    result: Optional[bool] = None
    for pattern in spec.patterns:
        include = getattr(pattern, "include", None)
        if include is None:
            continue
        if pattern.match_file(relpath) is not None:
            result = bool(include)
    return result


def find_git_root(start: str) -> Optional[str]:
    current = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


class _GitIgnore:
    """The ignore files of one repository, read lazily per directory and kept for the run."""

    def __init__(self) -> None:
        self._specs: Dict[str, Optional[pathspec.PathSpec]] = {}
        self._roots: Dict[str, Optional[str]] = {}

    def _spec(self, directory: str) -> Optional[pathspec.PathSpec]:
        if directory not in self._specs:
            self._specs[directory] = _read_patterns(os.path.join(directory, ".gitignore"))
        return self._specs[directory]

    def _exclude_spec(self, repo: str) -> Optional[pathspec.PathSpec]:
        key = os.path.join(repo, ".git", "info", "exclude")
        if key not in self._specs:
            self._specs[key] = _read_patterns(key)
        return self._specs[key]

    def _repo(self, directory: str) -> Optional[str]:
        if directory not in self._roots:
            self._roots[directory] = find_git_root(directory)
        return self._roots[directory]

    def ignored(self, abspath: str, is_dir: bool, floor: Optional[str] = None) -> bool:
        """Whether git would ignore the path; with ``floor``, only ignore files at or below that directory count."""
        parent = os.path.dirname(abspath)
        repo = self._repo(parent)
        if repo is None:
            return False
        verdict: Optional[bool] = None
        exclude = self._exclude_spec(repo) if floor is None else None
        if exclude is not None:
            verdict = _rel_verdict(exclude, repo, abspath, is_dir, verdict)
        # From the repository root down to the path's own directory: deeper files override shallower ones.
        chain = []
        current = parent
        while True:
            chain.append(current)
            if current == repo:
                break
            up = os.path.dirname(current)
            if up == current:
                break
            current = up
        for directory in reversed(chain):
            if floor is not None and not (directory == floor or directory.startswith(floor + os.sep)):
                continue
            spec = self._spec(directory)
            if spec is not None:
                verdict = _rel_verdict(spec, directory, abspath, is_dir, verdict)
        return bool(verdict)


def _rel_verdict(spec, base: str, abspath: str, is_dir: bool, previous: Optional[bool]) -> Optional[bool]:
    rel = os.path.relpath(abspath, base).replace(os.sep, "/")
    if is_dir:
        rel += "/"
    verdict = _verdict(spec, rel)
    return previous if verdict is None else verdict


def display_path(abspath: str, cwd: str) -> str:
    """Relative to the working directory when inside it, else absolute: what reports and diagnostics show."""
    try:
        rel = os.path.relpath(abspath, cwd)
    except ValueError:
        return abspath
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return abspath
    return rel


def discover(paths: Sequence[str], settings: Settings, cwd: Optional[str] = None) -> Discovery:
    """The lintable files under ``paths`` (display paths, sorted, unique), plus warnings and errors."""
    cwd = os.path.abspath(cwd or os.getcwd())
    result = Discovery()
    excluder = _Excluder(settings)
    gitignore = _GitIgnore() if settings.respect_gitignore else None
    found: Set[str] = set()
    visited_dirs: Set[Tuple[int, int]] = set()

    for given in paths:
        abspath = os.path.abspath(os.path.join(cwd, os.path.expanduser(given)))
        try:
            st = os.stat(abspath)
        except FileNotFoundError:
            if os.path.islink(abspath):
                result.warnings.append(f"{given}: broken symbolic link, skipped")
            else:
                result.errors.append(f"{given}: no such file or directory")
            continue
        except OSError as exc:
            result.errors.append(f"{given}: cannot access: {exc.strerror or exc}")
            continue
        if settings.force_exclude and excluder.excluded_or_parent(abspath):
            continue
        if stat.S_ISDIR(st.st_mode):
            # A directory named explicitly is linted even when it lies in an ignored tree (a vendored package,
            # a virtualenv), as ruff does; .gitignore rules then apply only to what it contains.
            named_ignored = gitignore is not None and gitignore.ignored(abspath, True)
            _walk(abspath, excluder, gitignore, found, visited_dirs, result, floor=abspath if named_ignored else None)
        else:
            # Named explicitly: linted even when gitignored or excluded (unless force-exclude), as in ruff.
            if settings.force_exclude and gitignore is not None and gitignore.ignored(abspath, False):
                continue
            if not is_lintable_path(abspath):
                result.warnings.append(f"{given}: not a Python file, a GitHub Actions workflow or a template of an extension package, skipped")
                continue
            if not stat.S_ISREG(st.st_mode):
                # A FIFO or device named like a source file would block the read forever.
                result.warnings.append(f"{given}: not a regular file, skipped")
                continue
            found.add(abspath)

    result.files = sorted({display_path(p, cwd) for p in found})
    return result


def _walk(
    top: str,
    excluder: _Excluder,
    gitignore: Optional[_GitIgnore],
    found: Set[str],
    visited: Set[Tuple[int, int]],
    result: Discovery,
    floor: Optional[str] = None,
) -> None:
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            st = os.stat(directory)
        except OSError as exc:
            result.warnings.append(f"{directory}: cannot access: {exc.strerror or exc}, skipped")
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited:
            continue  # a symlink loop or a second link to a directory already walked
        visited.add(key)
        try:
            with os.scandir(directory) as entries:
                listing = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            result.warnings.append(f"{directory}: cannot read directory: {exc.strerror or exc}, skipped")
            continue
        subdirs = []
        for entry in listing:
            path = os.path.join(directory, entry.name)
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
                is_file = not is_dir and entry.is_file(follow_symlinks=True)
            except OSError as exc:
                result.warnings.append(f"{path}: cannot access: {exc.strerror or exc}, skipped")
                continue
            if not is_dir and not is_file:
                if entry.is_symlink() and is_lintable_path(path):
                    result.warnings.append(f"{path}: broken symbolic link, skipped")
                continue
            if excluder.excluded(path):
                continue
            if gitignore is not None and gitignore.ignored(path, is_dir, floor):
                continue
            if is_dir:
                subdirs.append(path)
            elif is_lintable_path(path):
                found.add(path)
        stack.extend(reversed(subdirs))
