"""What a check run prints: the report (``mfok_lint.cli.report.render``) and what ruff's CLI prints itself around it
(statistics, diffs, ``Fixed N errors.``, noqa counts, ``--show-settings``). Warnings and errors go to stderr; with
``--fix`` on stdin the fixed text owns stdout and the report moves to stderr, as in ruff.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import sys
from collections import Counter
from typing import Optional, Sequence

import click

from mfok_lint.cli.app import _error
from mfok_lint.cli.check_run import CheckArgs, _Run, _use_color
from mfok_lint.config.loading import ConfigError
from mfok_lint.rules import all_rules
from mfok_lint.rules.registry import by_code
from mfok_lint.rules.selection import enabled_rules


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class _Writer:
    """stdout, stderr, or the --output-file; colour only for a terminal."""

    def __init__(self, args: CheckArgs, stream) -> None:
        self.path = args.output_file
        self.buffer = io.StringIO() if self.path else None
        self.stream = stream
        self.color = False if self.path else _use_color(args.color, stream)

    def write(self, text: str) -> None:
        if self.buffer is not None:
            self.buffer.write(text)
        else:
            self.stream.write(text)

    def close(self) -> None:
        if self.buffer is None:
            self.stream.flush()
            return
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(directory, exist_ok=True)
            with open(self.path, "w", encoding="utf-8", newline="") as handle:
                handle.write(self.buffer.getvalue())
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot write the output file: {exc.strerror or exc}") from None


def _report(results, run: _Run, args: CheckArgs, report_stream=None, status: int = 0) -> int:
    from mfok_lint.cli.report import render

    for result in results:
        for message in result.errors:
            _error(message)
            status = 2
        for message in result.internal_errors:
            _error(message)
            status = 2

    diagnostics = [d for r in results for d in r.diagnostics]
    sources = {r.path: r.source for r in results if r.source is not None}
    fixed = {r.path: dict(r.fixed) for r in results if r.fixed}
    fixed_total = sum(sum(v.values()) for v in fixed.values())
    rules = by_code()
    writer = _Writer(args, report_stream or sys.stdout)

    try:
        if args.add_noqa:
            added = sum(r.noqa_added for r in results)
            if not run.silent:
                click.echo(f"Added {_plural(added, 'noqa directive')}.", err=True)
            return status

        if run.diff:
            changed = [r for r in results if r.changed]
            for result in changed:
                writer.write(_unified_diff(result))
            would_fix = fixed_total
            if would_fix and not run.quiet:
                writer.write(f"Would fix {_plural(would_fix, 'error')}.\n")
            return max(status, 1 if changed else 0)

        if run.fix_only:
            if run.show_fixes and fixed_total and not run.quiet:
                from mfok_lint.cli.report._common import summary

                listing = summary(
                    [], rules=rules, fixed=fixed, show_fixes=True, unsafe_fixes=run.unsafe_fixes, color=writer.color
                )
                writer.write(listing.rsplit("\n", 2)[0] + "\n")
            if fixed_total and not run.quiet:
                writer.write(f"Fixed {_plural(fixed_total, 'error')}.\n")
            if args.exit_non_zero_on_fix and fixed_total:
                return max(status, 1)
            return status

        if run.silent or (status == 2 and not diagnostics and run.output_format in _text_formats()):
            pass  # "All checks passed!" would be a lie when files could not be read
        elif args.statistics:
            writer.write(_statistics(diagnostics, run, writer.color, fixed, quiet=run.quiet))
        else:
            text = render(
                run.output_format,
                diagnostics,
                sources=sources,
                rules=rules,
                show_fixes=run.show_fixes,
                unsafe_fixes=run.unsafe_fixes,
                fixed=fixed,
                color=writer.color,
            )
            if run.quiet:
                text = _strip_summary(text, diagnostics, run, rules, fixed, writer.color)
            writer.write(text)
    finally:
        writer.close()

    if diagnostics and not args.exit_zero:
        status = max(status, 1)
    if args.exit_non_zero_on_fix and fixed_total:
        status = max(status, 1)
    return status


def _text_formats():
    from mfok_lint.cli.report import TEXT_FORMATS

    return TEXT_FORMATS


def _strip_summary(text: str, diagnostics, run: _Run, rules, fixed, color: bool) -> str:
    """-q keeps the findings and drops ruff's closing summary lines."""
    from mfok_lint.cli.report import TEXT_FORMATS
    from mfok_lint.cli.report._common import summary

    if run.output_format not in TEXT_FORMATS:
        return text
    tail = summary(
        diagnostics, rules=rules, fixed=fixed, show_fixes=run.show_fixes, unsafe_fixes=run.unsafe_fixes, color=color
    )
    if text.endswith(tail):
        text = text[: len(text) - len(tail)]
    return text.rstrip("\n") + "\n" if text.strip() else ""


def _unified_diff(result) -> str:
    original = (result.original or "").splitlines(keepends=True)
    updated = (result.source or "").splitlines(keepends=True)
    lines = list(difflib.unified_diff(original, updated, fromfile=result.path, tofile=result.path))
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out) + "\n"


def _statistics(diagnostics, run: _Run, color: bool, fixed, quiet: bool) -> str:
    from mfok_lint.cli.report._common import is_applicable, summary

    counts: Counter = Counter(d.code for d in diagnostics)
    fixable: Counter = Counter(d.code for d in diagnostics if is_applicable(d.fix, run.unsafe_fixes))
    rules = all_rules()
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if run.output_format in ("json", "json-lines"):
        rows = [
            {
                "code": code,
                "name": getattr(rules.get(code), "name", ""),
                "count": count,
                "fixable": fixable[code] > 0,
                "fixable_count": fixable[code],
            }
            for code, count in ordered
        ]
        return json.dumps(rows, indent=2) + "\n"
    if not ordered:
        return (
            ""
            if quiet
            else summary([], rules=rules, fixed=fixed, show_fixes=False, unsafe_fixes=run.unsafe_fixes, color=color)
        )
    count_width = max(len(str(c)) for _, c in ordered)
    code_width = max(len(code) for code, _ in ordered)
    lines = []
    for code, count in ordered:
        marker = "[*]" if fixable[code] else "[ ]"
        name = getattr(rules.get(code), "name", "")
        lines.append(f"{str(count).rjust(count_width)}\t{code.ljust(code_width)}\t{marker} {name}")
    text = "\n".join(lines) + "\n"
    if not quiet:
        text += summary(
            diagnostics, rules=rules, fixed=fixed, show_fixes=False, unsafe_fixes=run.unsafe_fixes, color=color
        )
    return text


def _print_settings(settings, run: _Run, target: Optional[str], judged: str) -> None:
    out = []
    if target:
        out.append(f"Resolved settings for: {target!r}")
    out.append(f"Settings path: {settings.config_path!r}" if settings.config_path else "Settings path: None (defaults)")
    out.append("")
    out.append("# General Settings")
    out.append(f"project_root = {settings.project_root!r}")
    out.append(f"cache_dir = {(settings.cache_dir or os.path.join(settings.project_root, '.mfok-lint-cache'))!r}")
    out.append(f"cache = {str(settings.cache).lower()}")
    out.append(f"fix = {str(run.fix).lower()}")
    out.append(f"fix_only = {str(run.fix_only).lower()}")
    out.append(f"unsafe_fixes = {str(run.unsafe_fixes).lower()}")
    out.append(f"show_fixes = {str(run.show_fixes).lower()}")
    out.append(f"output_format = {run.output_format}")
    out.append("")
    out.append("# File Resolver Settings")
    from mfok_lint.run.discovery import DEFAULT_EXCLUDES

    excludes = [_pattern(p) for p in settings.exclude] if settings.exclude is not None else list(DEFAULT_EXCLUDES)
    out.append(_toml_list("exclude", excludes))
    out.append(_toml_list("extend_exclude", [_pattern(p) for p in settings.extend_exclude]))
    out.append(f"force_exclude = {str(settings.force_exclude).lower()}")
    out.append(f"respect_gitignore = {str(settings.respect_gitignore).lower()}")
    out.append("")
    out.append("# Linter Settings")
    out.append(f"preview = {str(settings.preview).lower()}")
    out.append(_target_line(settings, judged))
    out.append(f"ignore_noqa = {str(settings.ignore_noqa).lower()}")
    out.append(_toml_list("rules.enabled", [f"{r.code} ({r.name})" for r in enabled_rules(settings)]))
    if settings.per_file_ignores:
        out.append("per_file_ignores = {")
        for pattern, codes in settings.per_file_ignores.items():
            out.append(f"\t{pattern!r} = {codes!r},")
        out.append("}")
    else:
        out.append("per_file_ignores = {}")
    click.echo("\n".join(out))


def _target_line(settings, judged: str) -> str:
    """The Metaflow release the code is judged against, and where it comes from."""
    if settings.target_metaflow_version is not None:
        return f"target_metaflow_version = {settings.target_metaflow_version!r}  # set explicitly (configuration or flag)"
    from mfok_lint.core.target_version import target_for_path

    # A directory names its files' distribution: ask as for a file inside it.
    probe = os.path.join(judged, "__probe__.py") if os.path.isdir(judged) else judged
    inferred = target_for_path(probe)
    judged = "" if inferred.range.oldest == inferred.range.newest else f"; judged against {inferred.range}"
    return f"target_metaflow_version = {str(inferred.version)!r}  # {inferred.source}{judged}"


def _pattern(item) -> str:
    return item[0] if isinstance(item, tuple) else item


def _toml_list(name: str, items: Sequence[str]) -> str:
    if not items:
        return f"{name} = []"
    return f"{name} = [\n" + "".join(f"\t{item!r},\n" for item in items) + "]"
