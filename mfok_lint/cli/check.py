"""``mfok-lint check``: the flags, how they become a configuration layer, and one run over files or stdin.

Flags, their names, their interplay and the exit codes are ruff's, so ``mfok-lint`` drops into any place that runs
ruff (pre-commit, CI, editors): 0 clean or everything fixed, 1 findings left (or a file changed under
``--exit-non-zero-on-fix``, or ``--diff`` has something to show), 2 usage, configuration, I/O or internal errors.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Dict, List, Sequence

import click

from mfok_lint.cli.app import ENV_PREFIX, UsageError, _debug, _error, _global_options, _split_commas, _warn, cli
from mfok_lint.cli.check_output import _plural, _print_settings, _report
from mfok_lint.cli.check_run import CheckArgs, _Run
from mfok_lint.config.loading import Layer, check_selector, load_layers, resolve
from mfok_lint.rules.selection import enabled_rules


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
@click.option(
    "--target-metaflow-version",
    default=None,
    metavar="VERSION",
    help="The Metaflow release the code is judged against (e.g. 2.12 or 2.19.7). Default: each file's own, "
    "from its distribution's metadata (pyproject, setup.cfg, setup.py, requirements files, a bundled Metaflow).",
)
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
    if args.target_metaflow_version is not None:
        from mfok_lint.core.target_version import TargetVersionError, parse_target_version

        try:
            parse_target_version(args.target_metaflow_version)
        except TargetVersionError as exc:
            raise UsageError(f"--target-metaflow-version: {exc}") from None
        values["target-metaflow-version"] = args.target_metaflow_version
    return layer


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
    # The one settings object of the run: configuration files and flags folded in, then the flags that only
    # exist on the command line.
    settings = resolve(layers, project_root=project_root, config_path=config_path)
    settings.ignore_noqa = args.ignore_noqa
    settings.cache = not args.no_cache
    settings.jobs = args.jobs
    settings.diff = args.diff
    settings.add_noqa = args.add_noqa
    settings.fix_only = settings.fix_only or args.diff
    settings.fix = settings.fix or settings.fix_only
    run = _Run(settings=settings, stdin=stdin, quiet=args.quiet or args.silent, silent=args.silent)

    from mfok_lint.run.discovery import discover

    if args.show_settings:
        target = stdin_name if stdin else None
        _print_settings(settings, run, target, judged=os.path.join(cwd, stdin_name if stdin else paths[0]))
        return 0

    if stdin:
        return _check_stdin(args, run, settings, stdin_name)

    found = discover(paths, settings, cwd=cwd)
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

    started = time.perf_counter()
    results = _run_files(found.files, settings)
    if args.verbose and not run.quiet:
        _debug(f"configuration: {config_path or 'none (defaults)'}; project root: {project_root}")
        _debug(f"rules: {', '.join(r.code for r in enabled_rules(settings)) or 'none'}")
        _debug(f"checked {_plural(len(found.files), 'file')} in {time.perf_counter() - started:.3f}s")
    return _report(results, run, args, status=2 if found.errors else 0)


def _run_files(files: List[str], settings):
    if settings.cache and not settings.fix and not settings.add_noqa:
        try:
            from mfok_lint.run.cache import run_cached
        except ImportError:
            run_cached = None
        if run_cached is not None:
            # Package findings are cached too: their entries carry stamps of every file the package model read.
            return run_cached(files, settings)
    from mfok_lint.run.runner import run_files

    return run_files(files, settings)


def _check_stdin(args: CheckArgs, run: _Run, settings, name: str) -> int:
    from mfok_lint.core.source import DecodeError, decode_source
    from mfok_lint.run.discovery import _Excluder
    from mfok_lint.run.runner import process_file

    raw = sys.stdin.buffer.read()
    try:
        text, _bom = decode_source(raw)
    except DecodeError as exc:
        _error(f"{name}: {exc}")
        return 2
    if name != "-" and settings.force_exclude and _Excluder(settings).excluded_or_parent(os.path.abspath(name)):
        if run.fix:
            sys.stdout.write(text)
        return 0
    result = process_file(name, settings, enabled_rules(settings), text=text)  # stdin: nothing is ever written
    if run.fix and not run.diff:
        # The fixed text owns stdout; the report goes to stderr.
        sys.stdout.write(result.source if result.source is not None else text)
        sys.stdout.flush()
        return _report([result], run, args, report_stream=sys.stderr)
    return _report([result], run, args)
