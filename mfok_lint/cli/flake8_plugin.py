"""flake8 entry point ``MFO``: a thin adapter running mfok-lint's per-file rules on the file flake8 is checking.

Decisions:
- flake8 owns selection (``--select MFO``), ``# noqa`` and per-file-ignores, so the plugin yields every finding of
  the enabled rules unfiltered; mfok-lint's own noqa bookkeeping (MFO901/MFO902) does not run under flake8, where a
  bare ``# noqa: MFO`` is a blanket noqa anyway.
- Columns: flake8 wants 0-based columns and prints them +1, which gives the same numbers as ``mfok-lint``.
- The prefilter runs on the text flake8 already read, so files that cannot hold a Metaflow command cost a
  regex scan, and the command prefilter's string-literal test reads the ``tree`` flake8 already parsed.
- Package rules (MFO101-MFO104) run when flake8 checks a file that can carry their findings (an ``mfextinit_*.py``
  or ``metaflow_extensions/__init__.py``); the package's other files are read from disk beside it.
- Options (command line or ``[flake8]`` in setup.cfg / tox.ini / .flake8): ``--mfok-preview`` enables preview rules;
  ``--mfok-no-cache`` and ``--mfok-cache-dir`` (or ``MFOK_LINT_NO_CACHE`` / ``MFOK_LINT_CACHE_DIR``) control the cache.
- flake8 has no cache, so the plugin keeps its own rows in mfok-lint's cache directory (``.mfok-lint-cache/`` under
  the directory flake8 runs in), keyed on the file's text, the rule selection and mfok's code, and invalidated by
  the sibling files a finding was computed from (``mfok_lint.core.dependencies``). An unchanged file then costs a hash
  and a small read. Files no rule wants never touch the cache.
- Rules, libcst and the engine are imported in ``parse_options``, which flake8 calls in its main process before it
  forks its workers: each worker starts with them loaded instead of importing them again.
- Unparsable files. flake8 (4 to 7) builds the file's ``ast`` before any plugin runs and, when that raises, reports
  E999 and runs no plugin at all on the file: not tree plugins, nor logical- or physical-line ones (those come after
  the ``ast``), and a plugin taking only ``lines`` or ``file_tokens`` is refused at load ("what plugin type?"). So
  no entry point can see such a file, and ``--select MFO`` hides E999: the file passed silently. ``parse_options``
  therefore wraps ``flake8.checker.FileChecker.run_ast_checks`` (the way flake8-force does): when building the tree
  raises ``SyntaxError``, the file's text goes through this plugin's ``run`` (cache included), which reports MFO900
  with mfok-lint's row, column and message, and the error is re-raised so flake8 still reports its E999. Parsable
  files never take that path, so nothing is reported twice. A flake8 without that method gets no MFO900 there.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Iterator, List, Optional, Sequence, Tuple

from mfok_lint import __version__

_SELECTED: List[Any] = []
_TRUE = ("1", "true", "yes", "on")


class MfokFlake8Plugin:
    name = "mfok-lint"
    version = __version__
    preview = False
    metaflow: Any = None  # the explicit target release; None: each file's own
    use_cache = True
    cache_dir: Optional[str] = None
    _cache: Any = None

    def __init__(self, tree: Any, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        option_manager.add_option(
            "--mfok-preview",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="mfok-lint: also run rules in preview (heuristics whose false-positive rate is not yet known).",
        )
        option_manager.add_option(
            "--mfok-no-cache",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="mfok-lint: neither read nor write the cache (also MFOK_LINT_NO_CACHE=1).",
        )
        option_manager.add_option(
            "--mfok-target-metaflow-version",
            default=None,
            parse_from_config=True,
            help="mfok-lint: the Metaflow release the code is judged against, e.g. 2.12 or 2.19.7 (default: each "
            "file's own, from its distribution's metadata).",
        )
        option_manager.add_option(
            "--mfok-cache-dir",
            default=None,
            parse_from_config=True,
            help="mfok-lint: cache directory (default: .mfok-lint-cache in the current directory; also MFOK_LINT_CACHE_DIR).",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.preview = bool(getattr(options, "mfok_preview", False))
        no_cache = bool(getattr(options, "mfok_no_cache", False))
        no_cache = no_cache or os.environ.get("MFOK_LINT_NO_CACHE", "").strip().lower() in _TRUE
        cls.use_cache = not no_cache
        cls.cache_dir = getattr(options, "mfok_cache_dir", None) or os.environ.get("MFOK_LINT_CACHE_DIR") or None
        cls.metaflow = None
        target = getattr(options, "mfok_target_metaflow_version", None)
        if target:
            from mfok_lint.core.metaflow_contract import MetaflowRange
            from mfok_lint.core.target_version import TargetVersionError, parse_target_version

            try:
                cls.metaflow = MetaflowRange.of(parse_target_version(target))
            except TargetVersionError as exc:
                sys.stderr.write(f"flake8: error: --mfok-target-metaflow-version: {exc}\n")
                raise SystemExit(2) from None
        cls._cache = None
        _SELECTED.clear()
        _report_unparsable_files(cls)
        if not cls.use_cache:
            # Every file will be linted: load the rules and libcst once, before flake8 forks its workers. With the
            # cache on they wait for the first file it cannot answer, so a warm run never loads them.
            cls._rules()
            import mfok_lint.lint.check  # noqa: F401

    @classmethod
    def _plugin_cache(cls):
        if cls._cache is None and cls.use_cache:
            from mfok_lint.rules.selection import resolve_codes
            from mfok_lint.run.cache import PluginCache

            selection = [*resolve_codes(None, preview=cls.preview), f"metaflow={cls.metaflow}"]
            cls._cache = PluginCache(cls.cache_dir or ".mfok-lint-cache", selection)
        return cls._cache

    @classmethod
    def _rules(cls) -> List[Any]:
        if not _SELECTED:
            from mfok_lint.rules import RuleKind
            from mfok_lint.rules.selection import resolve_selection

            _SELECTED.extend(
                r for r in resolve_selection(None, preview=cls.preview) if r.kind in (RuleKind.PYTHON, RuleKind.PACKAGE) or r.code == "MFO900"
            )
        return _SELECTED

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        text = "".join(self.lines)
        cache = self._plugin_cache()
        # The cache is asked first, and remembers files no rule applies to as well: a warm run then costs a
        # hash and a read per file, not the rules' prefilters (which parse string literals).
        rows = cache.load(self.filename, text) if cache is not None else None
        if rows is None:
            rows, stamps = self._check(text)
            if cache is not None:
                cache.store(self.filename, text, rows, stamps)
        for row, column, code, message in rows:
            yield row, column, f"{code} {message}", type(self)

    def _check(self, text: str) -> Tuple[List[Tuple[int, int, str, str]], List[Tuple]]:
        """(rows, the stamps of other files they depend on); a rule failure raises, so nothing is cached."""
        raw = text.encode("utf-8", "surrogatepass")
        if self.tree is not None:
            from mfok_lint.syntax import pyast

            pyast.remember(text, self.tree)  # the prefilter's string-literal test reads the tree flake8 built
        rules = self._rules()
        from mfok_lint.core import dependencies
        from mfok_lint.lint.check import check_source
        from mfok_lint.lint.errors import InternalError

        errors: List[InternalError] = []
        # Recorded from the prefilter on: a screen may look beside the file, and "no rule applies" is cached too.
        with dependencies.recording() as stamps:
            diagnostics = check_source(
                text, self.filename, rules, raw=raw, ignore_noqa=True, internal_errors=errors, metaflow=self.metaflow
            )
        if errors:
            raise RuntimeError(errors[0].message)  # flake8 reports a plugin failure; nothing is cached
        rows = [(d.location.row, d.location.column - 1, d.code, d.message) for d in diagnostics]
        return rows, sorted(set(stamps))


def _report_unparsable_files(plugin: type) -> None:
    """Have flake8 give the files it cannot parse to ``plugin`` (see the module docstring); idempotent."""
    try:
        from flake8.checker import FileChecker
    except ImportError:  # pragma: no cover - the plugin is only loaded by flake8
        return
    original = FileChecker.__dict__.get("run_ast_checks")
    if original is None or getattr(original, "mfok_reports_unparsable", False):
        return

    def run_ast_checks(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        except SyntaxError:
            processor = getattr(self, "processor", None)
            if processor is not None:
                try:
                    rows = list(plugin(None, processor.filename, processor.lines).run())
                except Exception as exc:
                    # As for any plugin that fails: flake8 reports it and stops (its own wrapper is not on this path).
                    from flake8.exceptions import PluginExecutionFailed

                    raise PluginExecutionFailed(filename=self.filename, plugin_name=f"{plugin.name}[MFO900]", exception=exc) from exc
                for row, column, text, _ in rows:
                    self.report(None, row, column, text)
            raise

    run_ast_checks.mfok_reports_unparsable = True  # type: ignore[attr-defined]
    run_ast_checks.__doc__ = original.__doc__
    FileChecker.run_ast_checks = run_ast_checks
