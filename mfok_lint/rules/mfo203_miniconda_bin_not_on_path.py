"""MFO203 miniconda-bin-not-on-path: ``setup-miniconda`` in a job that runs conda tests, without its ``bin/``
directory on ``$GITHUB_PATH``.

``conda-incubator/setup-miniconda`` puts only ``$CONDA/condabin`` on the PATH of later steps, and activates the
test environment only in login shells (``shell: bash -el {0}``). Metaflow's conda support finds its package
manager with ``which("micromamba")`` (unless ``METAFLOW_PATH_TO_MICROMAMBA`` names it) from the processes that
run steps (a scheduler's worker, a subprocess started by the deployer, a non-login shell), which inherit the
plain PATH: they miss what the workflow installed, so Metaflow downloads its own micromamba in every worker or
fails with "No installation for *Micromamba* found" where downloads are blocked. Adding the full ``bin/``
directory to ``$GITHUB_PATH`` makes it visible to every later step and every process those steps start.

Design decisions:
- "Conda tests run" means: a step after the setup-miniconda step in the same job invokes pytest (in a ``run:``
  script or through an action's inputs, ``syntax.workflow_yaml.pytest_runs``) and
  ``conda_tests_enabled`` (``mfok_lint.lint.workflows``) holds for that invocation: it selects conda tests
  (``-m`` expression naming a conda marker, a ``--conda``-style option, a test path containing ``conda``) or
  sees a truthy ``*CONDA*`` switch variable (workflow, job, ``$GITHUB_ENV``, step, ``export`` or inline env).
  A job that installs miniconda for other reasons (building a package, linting) is not reported.
- Accepted: a ``run:`` line of any step up to the tests that appends (``>>``, ``tee -a``) to ``$GITHUB_PATH`` a
  directory whose last component is ``bin`` (``$CONDA/bin``, ``$CONDA_PREFIX/bin``, ``${{ env.CONDA }}/bin``);
  entries added before the setup step count too, as ``$GITHUB_PATH`` entries persist for the rest of the job.
  ``METAFLOW_PATH_TO_MICROMAMBA`` in the test run's environment is accepted as well. A ``condabin`` directory
  is not enough and is named in the message.
- Reported on the ``uses:`` key of the setup-miniconda step. No fix: the right prefix (base or the test
  environment) is the author's choice.
"""

from __future__ import annotations

import re
from typing import Optional

from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.workflow_yaml import (
    action_of,
    conda_tests_enabled,
    get_item,
    get_value,
    jobs,
    pytest_runs,
    script_lines,
    shell_commands,
    steps,
)

_GITHUB_PATH_RE = re.compile(r"\$\{?GITHUB_PATH\b|\$\{\{\s*github\.path\s*\}\}")


def _path_added(command_line: str) -> Optional[str]:
    """The directory a shell line appends to ``$GITHUB_PATH``, or None when it does not write there."""
    if not _GITHUB_PATH_RE.search(command_line):
        return None
    for command in shell_commands(command_line):
        if command[0] in ("echo", "printf"):
            values = [w for w in command[1:] if not w.startswith("-") and w not in (">>", ">")]
            values = [w for w in values if not _GITHUB_PATH_RE.search(w)]
            if values:
                return values[0]
    return ""


def _is_full_bin(directory: str) -> bool:
    parts = [p for p in re.split(r"[/\\]", directory.strip().strip("'\"").rstrip("/")) if p]
    return bool(parts) and parts[-1] == "bin"


class MinicondaBinNotOnPath(Rule):
    triggers = Text(b"setup-miniconda")

    def check(self, ctx: Context) -> None:
        for _job_id, job in jobs(ctx.root):
            job_steps = steps(job)
            setup_indexes = [i for i, s in enumerate(job_steps) if action_of(s) == "conda-incubator/setup-miniconda"]
            if not setup_indexes:
                continue
            setup = setup_indexes[0]
            conda_runs = [
                r
                for r in pytest_runs(ctx, job)
                if r.step_index > setup and conda_tests_enabled(r, job) and not r.env.get("METAFLOW_PATH_TO_MICROMAMBA")
            ]
            if not conda_runs:
                continue
            first_test = conda_runs[0].step_index
            added = []
            for step in job_steps[: first_test + 1]:
                for line in script_lines(ctx, get_value(step, "run")):
                    directory = _path_added(line.text)
                    if directory is not None:
                        added.append(directory)
            if any(_is_full_bin(d) for d in added):
                continue
            condabin = [d for d in added if "condabin" in d]
            hint = f" (`{condabin[0]}` holds only the `conda` launcher)" if condabin else ""
            ctx.report(
                get_item(job_steps[setup], "uses")[0],
                f"`setup-miniconda` puts only `condabin` on PATH, but conda tests run later in this job{hint}; "
                'add `echo "$CONDA/bin" >> "$GITHUB_PATH"` before them',
            )
