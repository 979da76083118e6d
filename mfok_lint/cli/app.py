"""The ``mfok-lint`` click group and what every command shares: its options before the subcommand, its errors.

- No subcommand means ``check``: ``mfok-lint --fix ext/`` works. Global options (``--config``, ``--isolated``,
  ``-q``, ...) may also come before an explicit subcommand, as in ruff.
- User mistakes are one ``mfok-lint: error: ...`` line on stderr and exit 2, click's own usage errors included
  (``usage_error_line``: no usage block, ``invalid value for --output-format: 'x' is not one of ...``). Every
  command of mfok's tools words an error as ``<program>[ <subcommand>]: error: <one line>``: mfok-lint's
  subcommands are one tool's (as ruff's are), so they speak as ``mfok-lint``; ``mfok-run``'s are separate tools
  and name themselves (``mfok-run scaffold: error: ...``); the flake8 plugin speaks as ``flake8``.
"""

from __future__ import annotations

from typing import List, Sequence

import click

from mfok_lint import __version__

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
    click.echo(f"{PROG}: error: {' '.join(message.splitlines())}", err=True)


def usage_error_line(exc: click.ClickException) -> str:
    """One of click's own errors (a bad value, an unknown option, a missing argument) as one line without its usage
    block, worded as mfok-lint's own: ``invalid value for --output-format: 'x' is not one of 'full', ...``."""
    param = getattr(exc, "param", None)
    if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter) and param is not None:
        if isinstance(param, click.Option) and param.opts:
            name = max(param.opts, key=len)
            ctx = exc.ctx
            source = ctx.get_parameter_source(param.name) if ctx is not None and param.name else None
            if source is click.core.ParameterSource.ENVIRONMENT and isinstance(param.envvar, str):
                name += f" (from {param.envvar})"
        else:
            name = param.human_readable_name
        message = f"invalid value for {name}: {exc.message}"
    else:
        message = exc.format_message()
        if message[1:2].islower():
            message = message[0].lower() + message[1:]
    message = " ".join(message.split())
    return message[:-1] if message.endswith(".") and not message.endswith("..") else message


def _debug(message: str) -> None:
    click.echo(f"{PROG}: debug: {message}", err=True)


def _warn(message: str) -> None:
    click.echo(f"{PROG}: warning: {message}", err=True)


def _split_commas(values: Sequence[str]) -> List[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


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
