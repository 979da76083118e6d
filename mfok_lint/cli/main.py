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

The commands live in their own modules (``check``, ``rule_pages``) and register on the group of ``app``; this
module is the entry point: it catches everything at the top, so the user sees one line and never a traceback
(``MFOK_LINT_DEBUG=1`` shows it).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Optional, Sequence

import click

from mfok_lint import __version__
from mfok_lint.cli import check, rule_pages  # noqa: F401 - each registers its commands on the group
from mfok_lint.cli.app import ENV_PREFIX, PROG, UsageError, _error, cli, usage_error_line
from mfok_lint.config.loading import ConfigError


@cli.command("version", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def version_command(output_format: str) -> int:
    """Display mfok-lint's version."""
    if output_format == "json":
        click.echo(json.dumps({"version": __version__}, indent=2))
    else:
        click.echo(f"{PROG} {__version__}")
    return 0


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
        _error(usage_error_line(exc))
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
