"""MFO201 matrix-artifact-collision: an artifact upload in a matrix job whose name is the same in every leg.

Since ``actions/upload-artifact@v4`` an artifact is immutable and its name unique per workflow run: the second
matrix leg that uploads ``name: coverage`` fails with a 409 conflict (or, with ``overwrite: true``, silently
replaces the first leg's files). v3 merged same-named uploads into one artifact, so legs overwrote each other's
files. Either way the logs or reports of all but one leg are lost.

Design decisions:
- A job is a matrix job when it has ``strategy.matrix``. A literal matrix with a single combination (every axis a
  one-item list, no ``include``) cannot collide and is skipped; a computed matrix (``${{ fromJSON(...) }}``) counts.
- The name varies with the matrix when one of its ``${{ }}`` expressions reads ``matrix.*`` or
  ``strategy.job-index`` (each leg has its own), directly or through an ``env.X`` whose value does.
- No ``with.name`` means the default name ``artifact``, which every leg shares: reported on ``uses:``.
- A step whose ``if:`` reads the matrix runs in a chosen subset of legs (usually one) and is not reported.
- Any version of ``actions/upload-artifact`` (``@v3``, ``@v4``, ``@<sha>``) counts; its ``/merge`` sub-action runs
  once after the matrix and is not an upload from a leg.
- No fix: the right matrix keys to add to the name are the author's choice.
"""

from __future__ import annotations

import re
from typing import Dict

import yaml

from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.workflow_yaml import (
    action_of,
    env_map,
    expressions,
    get_item,
    get_value,
    jobs,
    mapping_items,
    scalar_text,
    steps,
)

_VARIES_RE = re.compile(r"\bmatrix\s*[.\[]|\bstrategy\.job-index\b|\bstrategy\[\s*'job-index'")
_ENV_REF_RE = re.compile(r"\benv\.([A-Za-z_][A-Za-z0-9_]*)")


def _single_combination(matrix: yaml.Node) -> bool:
    if not isinstance(matrix, yaml.MappingNode):
        return False
    for key, value in mapping_items(matrix):
        if key.value == "include":
            return False
        if key.value == "exclude":
            continue
        if not isinstance(value, yaml.SequenceNode) or len(value.value) > 1:
            return False
    return True


def _varies_with_matrix(text: str, env: Dict[str, str], depth: int = 0) -> bool:
    for body in expressions(text):
        if _VARIES_RE.search(body):
            return True
        if depth < 3:
            for name in _ENV_REF_RE.findall(body):
                if name in env and _varies_with_matrix(env[name], env, depth + 1):
                    return True
    return False


class MatrixArtifactCollision(Rule):
    triggers = Text(b"upload-artifact")

    def check(self, ctx: Context) -> None:
        workflow_env = env_map(get_value(ctx.root, "env"))
        for _job_id, job in jobs(ctx.root):
            matrix = get_value(get_value(job, "strategy"), "matrix")
            if matrix is None or _single_combination(matrix):
                continue
            job_env = {**workflow_env, **env_map(get_value(job, "env"))}
            for step in steps(job):
                action = action_of(step) or ""
                if action != "actions/upload-artifact":
                    continue
                condition = scalar_text(get_value(step, "if")) or ""
                if _VARIES_RE.search(condition):
                    continue
                env = {**job_env, **env_map(get_value(step, "env"))}
                name_item = get_item(get_value(step, "with"), "name")
                if name_item is None:
                    uses_key = get_item(step, "uses")[0]
                    ctx.report(
                        uses_key,
                        "Artifact uploaded from a matrix job without `with.name`: every leg uploads `artifact`; "
                        "name it after the matrix, e.g. `name: logs-${{ matrix.os }}-${{ matrix.python }}`",
                    )
                    continue
                key, value = name_item
                text = scalar_text(value) or ""
                if _varies_with_matrix(text, env):
                    continue
                ctx.report(
                    key,
                    f"Artifact name `{text}` is the same in every matrix leg, so the legs' uploads collide; "
                    "include the matrix values, e.g. `${{ matrix.python }}`",
                )
