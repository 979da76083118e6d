"""flake8 entry point ``MFO``: a thin adapter running mfok-lint's per-file rules on the file flake8 is checking.

Decisions:
- flake8 owns selection (``--select MFO``), ``# noqa`` and per-file-ignores, so the plugin yields every finding of
  the enabled rules unfiltered; mfok-lint's own noqa bookkeeping (MFO901/MFO902) does not run under flake8, where a
  bare ``# noqa: MFO`` is a blanket noqa anyway.
- Columns: flake8 wants 0-based columns and prints them +1, which gives the same numbers as ``mfok-lint``.
- The prefilter runs on the text flake8 already read, so files that cannot hold a Metaflow command cost a
  substring scan and nothing else (flake8 has already parsed the ``tree`` it passes; it is not used).
- Package rules (MFO101-MFO104) run when flake8 checks a file that can carry their findings (an ``mfextinit_*.py``
  or ``metaflow_extensions/__init__.py``); the package's other files are read from disk beside it.
- Options (command line or ``[flake8]`` in setup.cfg / tox.ini / .flake8): ``--mfok-preview`` enables preview rules.
"""

from __future__ import annotations

from typing import Any, Iterator, List, Sequence, Tuple

from mfok_lint import __version__

_SELECTED: List[Any] = []


class MfokFlake8Plugin:
    name = "mfok-lint"
    version = __version__
    preview = False

    def __init__(self, tree: Any, filename: str, lines: Sequence[str]) -> None:
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

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.preview = bool(getattr(options, "mfok_preview", False))
        _SELECTED.clear()

    @classmethod
    def _rules(cls) -> List[Any]:
        if not _SELECTED:
            from mfok_lint.rules import RuleKind, resolve_selection

            _SELECTED.extend(
                r for r in resolve_selection(None, preview=cls.preview) if r.kind in (RuleKind.PYTHON, RuleKind.PACKAGE) or r.code == "MFO900"
            )
        return _SELECTED

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        text = "".join(self.lines)
        raw = text.encode("utf-8", "surrogatepass")
        rules = self._rules()
        from mfok_lint.rules import RuleKind

        if not any(r.applies_to_path(self.filename) and r.applies_to(raw) for r in rules if r.kind is RuleKind.PYTHON):
            # Package rules are decided by where a file sits, not by what it says.
            from mfok_lint.model.package import is_package_report_target

            if not any(r.kind is RuleKind.PACKAGE for r in rules) or not is_package_report_target(self.filename):
                return
        from mfok_lint.engine import check_source

        for diag in check_source(text, self.filename, rules, raw=raw, ignore_noqa=True):
            yield diag.location.row, diag.location.column - 1, f"{diag.code} {diag.message}", type(self)
