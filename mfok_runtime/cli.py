"""`mfok-run`: the runtime side of mfok (`compliance`, `scaffold`).

Subcommands are imported only when used: `mfok-run compliance --help` must not pull in jinja2, and the
runner must not pull in pytest or metaflow (it runs the suite in subprocesses). A subcommand whose module
cannot be imported fails with one line naming the cause and exit 2, while the others keep working.
Every error is one line, ``<command>: error: <message>``, and exit 2: the command is the subcommand that failed
(``mfok-run scaffold: error: ...``, also for click's own usage errors inside it), or ``mfok-run`` before one
is chosen; ``mfok-run`` alone names the missing command instead of printing the help as an error.
"""

from __future__ import annotations

import importlib
import sys
from typing import List, Optional

import click

LAZY_COMMANDS = {
    "compliance": ("mfok_runtime.compliance.cli", "compliance_command"),
    "scaffold": ("mfok_runtime.scaffold.cli", "scaffold_command"),
}
HELP = {
    "compliance": "Run the live compliance suite against an installed extension.",
    "scaffold": "Generate a complete Metaflow orchestrator extension package.",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(LAZY_COMMANDS)

    def get_command(self, ctx, name):
        if name not in LAZY_COMMANDS:
            return None
        module_name, attribute = LAZY_COMMANDS[name]
        try:
            return getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            return _unavailable(name, "%s.%s" % (module_name, attribute), exc)

    def format_commands(self, ctx, formatter):
        # Listing must not import every subcommand (and must not fail when one is missing).
        with formatter.section("Commands"):
            formatter.write_dl([(name, HELP[name]) for name in self.list_commands(ctx)])


def _unavailable(name: str, target: str, exc: BaseException) -> click.Command:
    @click.command(name, context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
                   add_help_option=False)
    def broken() -> None:
        click.echo("mfok-run %s: error: not available (%s cannot be loaded: %s: %s)"
                   % (name, target, type(exc).__name__, exc), err=True)
        sys.exit(2)

    return broken


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mfok", prog_name="mfok-run")
def cli() -> None:
    """mfok runtime tools: live compliance suite and extension scaffold."""


def _failed_command(exc: click.ClickException, args: List[str]) -> str:
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and ctx.command_path:
        return ctx.command_path
    # Some parser errors carry no context (an option missing its value): the group takes no options but --help
    # and --version, so a subcommand, when there is one, is the first argument.
    return "mfok-run %s" % args[0] if args and args[0] in LAZY_COMMANDS else "mfok-run"


def error_line(exc: click.ClickException) -> str:
    """One of click's errors as one line without its usage block, worded as mfok's own errors (and mfok-lint's:
    ``invalid value for --workers: 'x' is not a valid integer``)."""
    ctx = getattr(exc, "ctx", None)
    param = getattr(exc, "param", None)
    if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())) and ctx is not None:
        if isinstance(ctx.command, click.Group):
            return "missing command (one of: %s; see %s --help)" % (", ".join(sorted(LAZY_COMMANDS)), ctx.command_path)
        return "missing arguments (see %s --help)" % ctx.command_path
    if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter) and param is not None:
        name = max(param.opts, key=len) if isinstance(param, click.Option) and param.opts else param.human_readable_name
        message = "invalid value for %s: %s" % (name, exc.message)
    else:
        message = exc.format_message()
        if message[1:2].islower():
            message = message[0].lower() + message[1:]
    message = " ".join(message.split())
    return message[:-1] if message.endswith(".") and not message.endswith("..") else message


def main(argv: Optional[List[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=args, prog_name="mfok-run", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        click.echo("%s: error: %s" % (_failed_command(exc, args), error_line(exc)), err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("mfok-run: error: aborted", err=True)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
