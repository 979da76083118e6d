"""Command line for the scaffold.

``scaffold_command`` is a click command that ``mfok-run`` mounts as ``scaffold``; ``main(argv)`` runs it
standalone and returns the exit code instead of calling ``sys.exit`` (tests and ``__main__`` use it).
Every failure is one line on stderr and exit code 2 (usage) or 1 (I/O), never a traceback.
"""

from __future__ import annotations

import sys
from typing import List, Optional

import click

from .generator import ScaffoldError, write_package
from .requirement import RequirementError, default_requirement, parse_requirement


@click.command("scaffold")
@click.argument("name")
@click.option(
    "--output-dir",
    "-o",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory in which NAME/ is created.",
)
@click.option("--force", is_flag=True, help="Replace an existing NAME/ directory.")
@click.option(
    "--mfok-requirement",
    "mfok_requirement",
    default=None,
    metavar="REQ",
    help="Where the package's test extra and CI install mfok from: a version (0.1.0, >=0.1), a URL "
    "(git+https://host/mfok@SHA), a local checkout or wheel, or a requirement naming mfok. "
    "Default: where this mfok was installed from.",
)
def scaffold_command(name: str, output_dir: str, force: bool, mfok_requirement: Optional[str]) -> None:
    """Generate a complete Metaflow orchestrator extension named NAME."""
    try:
        requirement = parse_requirement(mfok_requirement) if mfok_requirement is not None else default_requirement()
    except RequirementError as exc:
        click.echo(f"mfok-run scaffold: error: --mfok-requirement: {exc}", err=True)
        sys.exit(2)
    try:
        target = write_package(name, output_dir=output_dir, force=force, mfok_requirement=requirement)
    except ScaffoldError as exc:
        click.echo(f"mfok-run scaffold: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    click.echo(f"Created {target}")
    click.echo(f"mfok requirement: {requirement.requirement}")
    click.echo(f"  assumes: {requirement.assumption} (--mfok-requirement changes it)")
    if requirement.is_local:
        click.echo(
            "  note: a local path installs on this machine only; for CI elsewhere pass --mfok-requirement "
            "with a git URL or a published version"
        )
    click.echo(f"Next: pip install -e {target} && python -m pytest {target}/tests")


def main(argv: Optional[List[str]] = None) -> int:
    try:
        scaffold_command.main(args=argv, prog_name="mfok-run scaffold", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        from mfok_runtime.cli import error_line

        click.echo(f"mfok-run scaffold: error: {error_line(exc)}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("mfok-run scaffold: error: aborted", err=True)
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0
