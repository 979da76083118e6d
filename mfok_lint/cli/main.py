"""The ``mfok-lint`` command line, shaped after ``ruff check`` / ``ruff rule``.

Decisions:
- Flags, their names, their interplay and the exit codes are ruff's, so ``mfok-lint`` drops into any place
  that runs ruff (pre-commit, CI, editors): 0 clean or everything fixed, 1 findings left (or a file changed
  under ``--exit-non-zero-on-fix``, or ``--diff`` has something to show), 2 usage, configuration, I/O or
  internal errors.
- No subcommand means ``check``: ``mfok-lint --fix ext/`` works. Global options (``--config``,
  ``--isolated``, ``-q``, ...) may also come before an explicit subcommand, as in ruff.
- User mistakes are one ``mfok-lint: error: ...`` line on stderr and exit 2; anything unexpected is caught at
  the top, reported on one line, exit 2 -- never a traceback (``MFOK_LINT_DEBUG=1`` shows it).
- Reports go through ``mfok_lint.cli.report.render``; the CLI prints only what ruff's CLI prints itself
  (statistics, diffs, ``Fixed N errors.``, noqa counts, warnings). Warnings and errors go to stderr; with
  ``--fix`` on stdin the fixed text owns stdout and the report moves to stderr, as in ruff.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import click

from mfok_lint import __version__
from mfok_lint.config.loading import ConfigError, Layer, check_selector, load_layers, resolve
from mfok_lint.rules import all_rules
from mfok_lint.rules.registry import RULES, FixAvailability, RuleRow, by_code, by_name
from mfok_lint.rules.selection import enabled_rules

PROG = "mfok-lint"
ENV_PREFIX = "MFOK_LINT_"

# Options that ruff accepts before the subcommand; the value says whether the option takes an argument.
_GLOBAL_OPTIONS = {
    "--config": True,
    "--isolated": False,
    "--color": True,
    "-q": False,
    "--quiet": False,
    "-s": False,
    "--silent": False,
    "-v": False,
    "--verbose": False,
}


class UsageError(Exception):
    """A command-line mistake found after parsing (conflicting flags, bad --per-file-ignores values)."""


def _error(message: str) -> None:
    click.echo(f"{PROG}: error: {message}", err=True)


def _debug(message: str) -> None:
    click.echo(f"{PROG}: debug: {message}", err=True)


def _warn(message: str) -> None:
    click.echo(f"{PROG}: warning: {message}", err=True)


def _split_commas(values: Sequence[str]) -> List[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


# --------------------------------------------------------------------------------------------------------------
# The group: "check" is the default subcommand


class _DefaultCheckGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        args = list(args)
        if args and args[0] in ("-h", "--help", "-V", "--version"):
            return super().parse_args(ctx, args)
        # Move leading global options behind an explicit subcommand: `mfok-lint --isolated rule X`.
        globals_seen: List[str] = []
        index = 0
        while index < len(args):
            name, equals, _ = args[index].partition("=")
            if name not in _GLOBAL_OPTIONS:
                break
            width = 2 if _GLOBAL_OPTIONS[name] and not equals else 1
            globals_seen.extend(args[index : index + width])
            index += width
        rest = args[index:]
        if rest and rest[0] in self.commands:
            return super().parse_args(ctx, [rest[0], *globals_seen, *rest[1:]])
        return super().parse_args(ctx, ["check", *args])


@click.group(cls=_DefaultCheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name=PROG, message="%(prog)s %(version)s")
def cli() -> None:
    """mfok-lint: a linter for Metaflow orchestrator extensions.

    Without a subcommand, runs `check` (so `mfok-lint --fix ext/` works).
    """


def _global_options(func):
    func = click.option(
        "--config",
        "config_args",
        multiple=True,
        metavar="CONFIG_OPTION",
        help="A path to a pyproject.toml / mfok-lint.toml, or a TOML `KEY = VALUE` override "
        "(e.g. --config \"lint.select = ['MFO9']\"). Overrides beat every configuration file.",
    )(func)
    func = click.option("--isolated", is_flag=True, help="Ignore all configuration files.")(func)
    func = click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="When to colour the output.",
    )(func)
    func = click.option("-v", "--verbose", is_flag=True, help="Enable verbose logging.")(func)
    func = click.option("-q", "--quiet", is_flag=True, help="Print diagnostics, but nothing else.")(func)
    func = click.option(
        "-s",
        "--silent",
        is_flag=True,
        help="Disable all logging (but still exit with status 1 upon detecting diagnostics).",
    )(func)
    return func


# --------------------------------------------------------------------------------------------------------------
# check


@dataclass
class CheckArgs:
    paths: Tuple[str, ...]
    fix: Optional[bool]
    unsafe_fixes: Optional[bool]
    show_fixes: Optional[bool]
    diff: bool
    fix_only: Optional[bool]
    ignore_noqa: bool
    output_format: Optional[str]
    output_file: Optional[str]
    preview: Optional[bool]
    statistics: bool
    add_noqa: bool
    show_files: bool
    show_settings: bool
    select: Tuple[str, ...]
    ignore: Tuple[str, ...]
    extend_select: Tuple[str, ...]
    per_file_ignores: Tuple[str, ...]
    extend_per_file_ignores: Tuple[str, ...]
    exclude: Tuple[str, ...]
    extend_exclude: Tuple[str, ...]
    respect_gitignore: Optional[bool]
    force_exclude: Optional[bool]
    no_cache: bool
    cache_dir: Optional[str]
    stdin_filename: Optional[str]
    exit_zero: bool
    exit_non_zero_on_fix: bool
    config_args: Tuple[str, ...] = ()
    isolated: bool = False
    color: str = "auto"
    verbose: bool = False
    quiet: bool = False
    silent: bool = False
    jobs: Optional[int] = None


def _output_format_choice():
    from mfok_lint.cli.report import FORMATS

    return click.Choice(list(FORMATS))


@cli.command("check", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=str)
@click.option(
    "--fix/--no-fix",
    default=None,
    help="Apply fixes to resolve lint violations. Use `--no-fix` to disable or `--unsafe-fixes` to include "
    "unsafe fixes.",
)
@click.option(
    "--unsafe-fixes/--no-unsafe-fixes",
    default=None,
    help="Include fixes that may not retain the original intent of the code.",
)
@click.option("--show-fixes/--no-show-fixes", default=None, help="Show an enumeration of all fixed lint violations.")
@click.option(
    "--diff",
    is_flag=True,
    help="Avoid writing any fixed files back; instead, output a diff for each changed file to stdout, and exit 0 "
    "if there are no diffs. Implies `--fix-only`.",
)
@click.option(
    "--fix-only/--no-fix-only",
    default=None,
    help="Apply fixes, but don't report on, or exit non-zero for, leftover violations. Implies `--fix`.",
)
@click.option("--ignore-noqa", is_flag=True, help="Ignore any `# noqa` comments.")
@click.option(
    "--output-format",
    type=_output_format_choice(),
    default=None,
    envvar=ENV_PREFIX + "OUTPUT_FORMAT",
    show_envvar=True,
    help="Output serialization format for violations (default: full).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False),
    default=None,
    envvar=ENV_PREFIX + "OUTPUT_FILE",
    show_envvar=True,
    help="Write the linter output to this file (default: stdout).",
)
@click.option("--preview/--no-preview", default=None, help="Enable preview mode: include unstable rules.")
@click.option("--statistics", is_flag=True, help="Show counts for every rule with at least one violation.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa` directives to failing lines.")
@click.option(
    "--show-files", is_flag=True, help="See the files mfok-lint will be run against with the current settings."
)
@click.option("--show-settings", is_flag=True, help="See the settings mfok-lint will use to lint a given file.")
@click.option(
    "--select",
    multiple=True,
    metavar="RULE_CODE",
    help="Comma-separated list of rule codes to enable (or ALL, to enable all rules).",
)
@click.option("--ignore", multiple=True, metavar="RULE_CODE", help="Comma-separated list of rule codes to disable.")
@click.option(
    "--extend-select",
    multiple=True,
    metavar="RULE_CODE",
    help="Like --select, but adds additional rule codes on top of those already specified.",
)
@click.option(
    "--per-file-ignores",
    multiple=True,
    metavar="PER_FILE_IGNORES",
    help="List of mappings from file pattern to code to exclude (`PATTERN:CODE`, comma-separated).",
)
@click.option(
    "--extend-per-file-ignores",
    multiple=True,
    metavar="EXTEND_PER_FILE_IGNORES",
    help="Like --per-file-ignores, but adds additional ignores on top of those already specified.",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="FILE_PATTERN",
    help="List of paths, used to omit files and/or directories from analysis.",
)
@click.option(
    "--extend-exclude",
    multiple=True,
    metavar="FILE_PATTERN",
    help="Like --exclude, but adds additional files and directories on top of those already excluded.",
)
@click.option(
    "--respect-gitignore/--no-respect-gitignore",
    default=None,
    help="Respect file exclusions via `.gitignore` and `.git/info/exclude`.",
)
@click.option(
    "--force-exclude/--no-force-exclude",
    default=None,
    help="Enforce exclusions, even for paths passed directly on the command line.",
)
@click.option(
    "-n", "--no-cache", is_flag=True, envvar=ENV_PREFIX + "NO_CACHE", show_envvar=True, help="Disable cache reads."
)
@click.option(
    "--cache-dir", default=None, envvar=ENV_PREFIX + "CACHE_DIR", show_envvar=True, help="Path to the cache directory."
)
@click.option("--stdin-filename", default=None, help="The name of the file when passing it through stdin.")
@click.option("-e", "--exit-zero", is_flag=True, help="Exit with status code 0, even upon detecting lint violations.")
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="Exit with a non-zero status code if any files were modified via fix, even if no lint violations remain.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: the CPU count, at most 8).",
)
@_global_options
def check_command(**kwargs) -> int:
    """Run mfok-lint on the given files or directories (default: `.`; `-` reads stdin)."""
    return run_check(CheckArgs(**kwargs))


def _parse_per_file_ignores(values: Sequence[str], flag: str) -> Dict[str, List[str]]:
    table: Dict[str, List[str]] = {}
    for item in _split_commas(values):
        pattern, sep, code = item.rpartition(":")
        if not sep or not pattern.strip() or not code.strip():
            raise UsageError(f"invalid value {item!r} for {flag}: expected <FilePattern>:<RuleCode>")
        check_selector(code.strip(), flag, "", flag)
        table.setdefault(pattern.strip(), []).append(code.strip())
    return table


def _cli_layer(args: CheckArgs, cwd: str) -> Layer:
    layer = Layer(source="the command line", base_dir=cwd)
    values = layer.values
    for key, raw in (("select", args.select), ("extend-select", args.extend_select), ("ignore", args.ignore)):
        if raw:
            selectors = _split_commas(raw)
            for selector in selectors:
                check_selector(selector, f"--{key}", "", f"--{key}")
            values[key] = selectors
    if args.per_file_ignores:
        values["per-file-ignores"] = _parse_per_file_ignores(args.per_file_ignores, "--per-file-ignores")
    if args.extend_per_file_ignores:
        values["extend-per-file-ignores"] = _parse_per_file_ignores(
            args.extend_per_file_ignores, "--extend-per-file-ignores"
        )
    if args.exclude:
        values["exclude"] = _split_commas(args.exclude)
    if args.extend_exclude:
        values["extend-exclude"] = _split_commas(args.extend_exclude)
    for key, value in (
        ("preview", args.preview),
        ("respect-gitignore", args.respect_gitignore),
        ("force-exclude", args.force_exclude),
        ("unsafe-fixes", args.unsafe_fixes),
        ("output-format", args.output_format),
        ("fix", args.fix),
        ("fix-only", args.fix_only),
        ("show-fixes", args.show_fixes),
    ):
        if value is not None:
            values[key] = value
    if args.cache_dir:
        values["cache-dir"] = args.cache_dir
    return layer


def _use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@dataclass
class _Run:
    """Effective options of one check run, after configuration and flags are merged."""

    fix: bool
    fix_only: bool
    diff: bool
    unsafe_fixes: bool
    show_fixes: bool
    output_format: str
    stdin: bool
    quiet: bool
    silent: bool
    errors: List[str] = field(default_factory=list)


def run_check(args: CheckArgs) -> int:
    cwd = os.getcwd()
    paths = list(args.paths)
    stdin = paths == ["-"] or (args.stdin_filename is not None and not paths)
    if "-" in paths and len(paths) > 1:
        raise UsageError("`-` (standard input) cannot be combined with other paths")
    if stdin and args.stdin_filename is None:
        stdin_name = "-"
    else:
        stdin_name = args.stdin_filename or "-"
    if args.stdin_filename is not None and paths and not stdin:
        if not (args.quiet or args.silent):
            _warn(f"ignoring --stdin-filename {args.stdin_filename!r}: paths were given, so stdin is not read")
    if not paths:
        paths = ["."]
    if args.add_noqa and (args.fix or args.fix_only or args.diff):
        raise UsageError("--add-noqa cannot be used with --fix, --fix-only or --diff")
    if args.add_noqa and stdin:
        raise UsageError("--add-noqa cannot be used with standard input")

    start = os.path.join(cwd, stdin_name) if stdin and stdin_name != "-" else (paths[0] if not stdin else cwd)
    layers, project_root, config_path = load_layers(
        start=os.path.join(cwd, start), cwd=cwd, config_args=args.config_args, isolated=args.isolated
    )
    layers.append(_cli_layer(args, cwd))
    resolved = resolve(layers, project_root=project_root, config_path=config_path)
    settings = resolved.settings
    settings.ignore_noqa = args.ignore_noqa
    settings.cache = not args.no_cache

    fix_only = resolved.fix_only or args.diff
    run = _Run(
        fix=resolved.fix or fix_only,
        fix_only=fix_only,
        diff=args.diff,
        unsafe_fixes=bool(settings.unsafe_fixes),
        show_fixes=resolved.show_fixes,
        output_format=settings.output_format,
        stdin=stdin,
        quiet=args.quiet or args.silent,
        silent=args.silent,
    )

    from mfok_lint.run.discovery import DiscoveryOptions, discover

    discovery_options = DiscoveryOptions(
        project_root=project_root,
        exclude=resolved.exclude,
        extend_exclude=resolved.extend_exclude,
        force_exclude=settings.force_exclude,
        respect_gitignore=settings.respect_gitignore,
    )

    if args.show_settings:
        target = stdin_name if stdin else None
        _print_settings(resolved, run, target)
        return 0

    if stdin:
        return _check_stdin(args, run, settings, discovery_options, stdin_name)

    found = discover(paths, discovery_options, cwd=cwd)
    if not run.quiet:
        for warning in found.warnings:
            _warn(warning)
    for message in found.errors:
        _error(message)
    if args.show_files:
        for path in found.files:
            click.echo(os.path.abspath(path))
        return 2 if found.errors else 0
    if not found.files and not found.errors and not run.quiet:
        _warn("No Python files found under the given path(s)")

    from mfok_lint.run.runner import Mode

    mode = Mode(fix=run.fix, unsafe_fixes=run.unsafe_fixes, write=not run.diff, add_noqa=args.add_noqa)
    started = time.perf_counter()
    results = _run_files(found.files, settings, mode, args, project_root)
    if args.verbose and not run.quiet:
        _debug(f"configuration: {config_path or 'none (defaults)'}; project root: {project_root}")
        _debug(f"rules: {', '.join(r.code for r in enabled_rules(settings)) or 'none'}")
        _debug(f"checked {_plural(len(found.files), 'file')} in {time.perf_counter() - started:.3f}s")
    return _report(results, run, args, status=2 if found.errors else 0)


def _run_files(files: List[str], settings, mode, args: CheckArgs, project_root: str):
    from mfok_lint.run.runner import run_files

    if settings.cache and not mode.fix and not mode.add_noqa:
        try:
            from mfok_lint.run.cache import run_cached
        except ImportError:
            run_cached = None
        if run_cached is not None:
            # Package findings are cached too: their entries carry stamps of every file the package model read.
            return run_cached(files, settings, mode, jobs=args.jobs, project_root=project_root)
    return run_files(files, settings, mode, jobs=args.jobs)


def _check_stdin(args: CheckArgs, run: _Run, settings, options, name: str) -> int:
    from mfok_lint.core.source import DecodeError, decode_source
    from mfok_lint.run.discovery import _Excluder
    from mfok_lint.run.runner import Mode, process_file

    raw = sys.stdin.buffer.read()
    try:
        text, _bom = decode_source(raw)
    except DecodeError as exc:
        _error(f"{name}: {exc}")
        return 2
    if name != "-" and settings.force_exclude and _Excluder(options).excluded_or_parent(os.path.abspath(name)):
        if run.fix:
            sys.stdout.write(text)
        return 0
    mode = Mode(fix=run.fix, unsafe_fixes=run.unsafe_fixes, write=False)
    result = process_file(name, settings, enabled_rules(settings), mode, text=text)
    if run.fix and not run.diff:
        # The fixed text owns stdout; the report goes to stderr.
        sys.stdout.write(result.source if result.source is not None else text)
        sys.stdout.flush()
        return _report([result], run, args, report_stream=sys.stderr)
    return _report([result], run, args)


# --------------------------------------------------------------------------------------------------------------
# Reporting


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


def _print_settings(resolved, run: _Run, target: Optional[str]) -> None:
    settings = resolved.settings
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

    excludes = [p for p, _ in resolved.exclude] if resolved.exclude is not None else list(DEFAULT_EXCLUDES)
    out.append(_toml_list("exclude", excludes))
    out.append(_toml_list("extend_exclude", [p for p, _ in resolved.extend_exclude]))
    out.append(f"force_exclude = {str(settings.force_exclude).lower()}")
    out.append(f"respect_gitignore = {str(settings.respect_gitignore).lower()}")
    out.append("")
    out.append("# Linter Settings")
    out.append(f"preview = {str(settings.preview).lower()}")
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


def _toml_list(name: str, items: Sequence[str]) -> str:
    if not items:
        return f"{name} = []"
    return f"{name} = [\n" + "".join(f"\t{item!r},\n" for item in items) + "]"


# --------------------------------------------------------------------------------------------------------------
# rule / rules / version


def _catalog_body(code: str) -> Optional[str]:
    """The prose of the rule's catalog page, or None when the catalog has no page for it."""
    import rules_catalog

    page = rules_catalog.page_for(code)
    return page.body if page is not None else None


def _source_location(row: RuleRow) -> Dict[str, object]:
    import importlib
    import inspect

    from mfok_lint.rules import all_rules

    rule = all_rules()[row.code]
    module = importlib.import_module(type(rule).__module__)
    file = getattr(module, "__file__", "") or ""
    try:
        line = inspect.getsourcelines(type(rule))[1]
    except (OSError, TypeError):
        line = 1
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rel = os.path.relpath(file, root) if file else ""
    return {"file": rel.replace(os.sep, "/"), "line": line}


_FIX_AVAILABILITY = {"always": "Always", "sometimes": "Sometimes", "none": "None"}


def rule_json(row: RuleRow) -> Dict[str, object]:
    body = _catalog_body(row.code)
    explanation = body if body is not None else f"## What it does\n{row.summary}.\n"
    return {
        "name": row.name,
        "code": row.code,
        "linter": "mfok-lint",
        "summary": row.summary,
        "message_formats": [row.summary],
        "fix": row.fix.ruff_label,
        "fix_availability": _FIX_AVAILABILITY[row.fix.value],
        "explanation": explanation,
        "preview": row.preview,
        "status": {"Preview" if row.preview else "Stable": {"since": __version__}},
        "category": row.kind.value,
        "source_location": _source_location(row),
    }


def rule_markdown(row: RuleRow) -> str:
    info = rule_json(row)
    lines = [f"# {row.name} ({row.code})", ""]
    lines.append(f"Part of the **mfok-lint** rule set ({info['category']}).")
    lines.append("")
    if row.fix is not FixAvailability.NONE:
        lines.append(row.fix.ruff_label)
        lines.append("")
    if row.capabilities:
        named = ", ".join(f"`{cap}`" for cap in row.capabilities)
        lines.append(f"Protects the {named} {'capability' if len(row.capabilities) == 1 else 'capabilities'} of the compliance suite.")
        lines.append("")
    if row.preview:
        lines.append("This rule is in preview and is not stable. The `--preview` flag is required for use.")
        lines.append("")
    text = "\n".join(lines) + "\n" + str(info["explanation"]).lstrip("\n")
    return text if text.endswith("\n") else text + "\n"


def _find_row(code_or_name: str) -> Optional[RuleRow]:
    key = code_or_name.strip()
    return by_code().get(key.upper()) or by_name().get(key)


@cli.command("rule", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("rule_name", required=False, metavar="RULE")
@click.option("--all", "show_all", is_flag=True, help="Explain all rules.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_global_options
def rule_command(rule_name: Optional[str], show_all: bool, output_format: str, **_globals) -> int:
    """Explain a rule (or all rules): its catalog page."""
    if show_all == bool(rule_name):
        raise UsageError("give exactly one of RULE (a code such as MFO901, or a name) or --all")
    if show_all:
        selected = list(RULES)
    else:
        row = _find_row(rule_name)  # type: ignore[arg-type]
        if row is None:
            codes = [r.code for r in RULES] + [r.name for r in RULES]
            close = difflib.get_close_matches(rule_name, codes, n=1, cutoff=0.6)  # type: ignore[arg-type]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"unknown rule {rule_name!r}{hint}")
        selected = [row]
    if output_format == "json":
        payload = [rule_json(r) for r in selected]
        click.echo(json.dumps(payload if show_all else payload[0], indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(rule_markdown(r) for r in selected), nl=False)
    return 0


@cli.command("rules", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--preview/--no-preview", default=True, help="List preview rules too (default: yes).")
@_global_options
def rules_command(output_format: str, preview: bool, **_globals) -> int:
    """List every rule: code, name, status and fix availability."""
    rows = [r for r in RULES if preview or not r.preview]
    if output_format == "json":
        listing = [
            {
                "code": r.code,
                "name": r.name,
                "linter": "mfok-lint",
                "summary": r.summary,
                "status": r.status.value,
                "preview": r.preview,
                "fix": r.fix.ruff_label,
                "fix_availability": _FIX_AVAILABILITY[r.fix.value],
            }
            for r in rows
        ]
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return 0
    header = ("CODE", "NAME", "STATUS", "FIX")
    table = [header] + [(r.code, r.name, r.status.value, r.fix.value) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for row in table:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    return 0


@cli.command("version", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def version_command(output_format: str) -> int:
    """Display mfok-lint's version."""
    if output_format == "json":
        click.echo(json.dumps({"version": __version__}, indent=2))
    else:
        click.echo(f"{PROG} {__version__}")
    return 0


# --------------------------------------------------------------------------------------------------------------
# Entry point


def main(argv: Optional[Sequence[str]] = None) -> None:
    sys.exit(run(argv))


def run(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; return the exit status instead of exiting."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args, prog_name=PROG, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        _error("aborted")
        return 2
    except (ConfigError, UsageError) as exc:
        _error(str(exc))
        return 2
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`mfok-lint ... | head`); stop quietly like other Unix tools.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 2
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if os.environ.get(ENV_PREFIX + "DEBUG"):
            raise
        detail = str(exc).splitlines()[0] if str(exc) else ""
        _error(f"internal error: {type(exc).__name__}{': ' + detail if detail else ''}")
        return 2
    return result if isinstance(result, int) else 0
