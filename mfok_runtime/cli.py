"""`mfok-run`: the runtime side of mfok (`compliance`, `scaffold`).

Subcommands are imported only when used: `mfok-run compliance --help` must not pull in jinja2, and the
runner must not pull in pytest or metaflow (it runs the suite in subprocesses). A subcommand whose module
cannot be imported fails with one line naming the cause and exit 2, while the others keep working.
Usage errors exit 2 with a one-line message, as click's own do.
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


def main(argv: Optional[List[str]] = None) -> int:
    try:
        cli.main(args=argv, prog_name="mfok-run", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        click.echo("mfok-run: error: %s" % exc.format_message(), err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("mfok-run: aborted", err=True)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
