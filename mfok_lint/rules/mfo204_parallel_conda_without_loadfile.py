"""MFO204 parallel-conda-without-loadfile: ``pytest -n`` running conda tests without ``--dist loadfile``.

A conda test resolves and creates its flow's environments on first use; pytest-xdist's default ``load``
distribution spreads one file's tests over every worker, so N workers race to create the same environment
(same package cache, same prefix, same lock files): runs fail with corrupted or half-created environments, or
pay the multi-minute solve N times. ``--dist loadfile`` keeps one file's tests on one worker (``loadgroup``
with ``xdist_group`` marks does the same by group), so each environment is built once.

Design decisions:
- Parallel means ``-n``/``--numprocesses`` (``-n4``, ``-n=4``, ``--numprocesses=auto``) with any value but 0 or 1;
  ``auto``/``logical`` and values held in variables count, a ``${{ matrix.X }}`` value counts when the axis has
  a value other than 0/1.
- "Conda tests enabled" is ``conda_tests_enabled`` in ``mfok_lint.lint.workflows``: the run selects conda tests
  (``-m`` expression naming a conda marker, a ``--conda``-style option, a test path containing ``conda``) or
  sees a truthy ``*CONDA*`` switch variable (workflow, job, ``$GITHUB_ENV``, step, ``export`` or inline env);
  ``-m "not conda"`` disables them.
- pytest runs are read wherever the workflow gives them (``syntax.workflow_yaml.pytest_runs``): ``run:`` scripts,
  the scripts an action runs from its inputs (a retry action's ``command:``, an xvfb action's ``run:``) and
  pytest's own arguments given to an action as inputs (``dariocurr/pytest-summary``'s ``options:``, an input
  named ``pytest-args``). Worker options hidden in ``with:`` race the same environments; a separate rule for
  "options in action inputs" would report the placement, which is not the bug.
- Accepted distributions: ``--dist loadfile``/``loadgroup`` (also ``--dist=``, ``-d`` is not an alias), on the
  command line or in ``PYTEST_ADDOPTS``. Other modes (``load``, ``loadscope``, ``worksteal``) are reported.
- Reported on the source line of the pytest command. The fix (safe: it only changes how tests are
  grouped onto workers) appends ``--dist loadfile`` after the ``-n`` value, when that value is on the same
  source line and no other ``--dist`` is present.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

import yaml

from mfok_lint.core.diagnostics import Applicability, Fix
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.workflow_yaml import ScriptLine, conda_tests_enabled, jobs, matrix_values, pytest_runs

_GROUPING_MODES = {"loadfile", "loadgroup"}
_SERIAL = {"0", "1"}


def _worker_count(args: List[str]) -> Optional[Tuple[str, str]]:
    """(option as written, value) of the xdist worker count, or None when absent."""
    for i, arg in enumerate(args):
        if arg in ("-n", "--numprocesses") and i + 1 < len(args):
            return arg + " " + args[i + 1], args[i + 1]
        if arg.startswith("--numprocesses="):
            return arg, arg.split("=", 1)[1]
        if arg.startswith("-n") and not arg.startswith("--") and len(arg) > 2:
            return arg, arg[2:].lstrip("=")
    return None


def _dist_modes(args: List[str]) -> List[str]:
    modes = []
    for i, arg in enumerate(args):
        if arg == "--dist" and i + 1 < len(args):
            modes.append(args[i + 1])
        elif arg.startswith("--dist="):
            modes.append(arg.split("=", 1)[1])
    return modes


def _is_parallel(value: str, job: yaml.Node) -> bool:
    text = value.strip().strip("'\"")
    match = re.fullmatch(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}", text)
    if match:
        values = matrix_values(job, match.group(1))
        if values is not None:
            return any(v.strip() not in _SERIAL for v in values)
    return text not in _SERIAL


class ParallelCondaWithoutLoadfile(Rule):
    triggers = Text(b"-n", b"--numprocesses")

    def check(self, ctx: Context) -> None:
        for _job_id, job in jobs(ctx.root):
            for run in pytest_runs(ctx, job):
                workers = _worker_count(run.args)
                if workers is None or not _is_parallel(workers[1], job):
                    continue
                modes = _dist_modes(run.args) + _dist_modes(run.env.get("PYTEST_ADDOPTS", "").split())
                if any(m in _GROUPING_MODES for m in modes):
                    continue
                if not conda_tests_enabled(run, job):
                    continue
                detail = f" (`--dist {modes[-1]}` spreads a file's tests over workers)" if modes else ""
                message = (
                    f"`{workers[0]}` runs conda tests on parallel workers that race to create the same "
                    f"environments{detail}; add `--dist loadfile`"
                )
                self._report(ctx, run.line, workers[0], message, fixable=not modes)

    def _report(self, ctx: Context, line: ScriptLine, written: str, message: str, fixable: bool) -> None:
        found = _locate(line, written)
        if found and ctx.locator.line(found[0])[found[1] - 1 :].startswith(written.split(" ", 1)[0]) is False:
            found = None  # a piece whose position is approximate (escapes in a quoted scalar): no exact span
        if found:
            row, column, length = found
            start = ctx.locator.offset(row, column)
            end = start + length
        else:
            start = ctx.locator.offset(line.row, line.column)
            end = ctx.locator.offset(line.row, len(ctx.locator.line(line.row)) + 1)
        fix = None
        if fixable and found:
            fix = Fix(
                applicability=Applicability.SAFE,
                message="Add `--dist loadfile`",
                edits=(ctx.insert_at(end, " --dist loadfile"),),
            )
        ctx.report((start, end), message, fix)


def _locate(line: ScriptLine, written: str) -> Optional[Tuple[int, int, int]]:
    """(row, column, length) of the worker-count option and its value as written in the source. The option word
    is matched as a whole shell word; a separate value is taken as the next word, even a ``${{ }}`` one."""
    option = written.split(" ", 1)[0]
    separate = " " in written
    for row, column, text in line.pieces:
        for match in re.finditer(r"(?<!\S)" + re.escape(option) + r"(?=\s|$)", text):
            length = len(option)
            if separate:
                value = re.match(r"\s+(\$\{\{.*?\}\}|\S+)", text[match.end() :])
                if value is None:
                    continue
                length += value.end()
            return row, column + match.start(), length
    return None
