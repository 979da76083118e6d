"""MFO025 manual-retry-loop: the extension re-runs a step in its own loop instead of the scheduler's retry.

``@retry`` belongs to the scheduler: its native retry re-schedules the task (possibly on another worker),
shows each attempt in its UI, applies back-off, and hands Metaflow the attempt number through
``--retry-count``. A loop around the step command inside one task hides the attempts from the scheduler,
keeps retrying on the same (possibly broken) worker, and multiplies the task's timeout by the number of
attempts.

Design decisions:
- Recognised loops: ``for <name> in range(...)`` and ``while <test>``, where the loop variable (or a name in
  the ``while`` test) is named for retries (``retry``, ``retries``, ``retry_count``, ``attempt``, ``tries``)
  and whose body both launches a child process (``subprocess.*``, ``Popen``, ``os.system``,
  ``asyncio.create_subprocess_*``) and leaves the loop early (``break``/``return``/``continue``), i.e. the
  shape of "run, stop on success, else go again".
- The file must build a Metaflow ``step`` command (the shared command model); emitted scripts are checked
  too, and for them the command may come in through a placeholder (``step_cmd = {step_cmd_list}``).
- Preview: some schedulers have no native retry at all, and for them a loop is the only way to honour
  ``@retry``. Such extensions silence the finding with ``# noqa: MFO025`` on the loop, which records the
  decision where the loop is.
"""

from __future__ import annotations

import ast
import re
from typing import List, Optional

from mfok_lint.model.processes import is_process_launch, own_body, step_units
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context

_RETRY_NAME = re.compile(r"(?:^|_)(?:retry|retries|retry_count|attempts?|tries|try_count)(?:$|_)", re.IGNORECASE)


class ManualRetryLoop(Rule):
    needs = frozenset({"commands", "code_strings"})
    triggers = Text(b"retr", b"attempt", b"tries")

    def check(self, ctx: Context) -> None:
        for unit in step_units(ctx, ("retr", "attempt", "tries"), whole_file=True):
            for loop, name in _retry_loops(unit.tree):
                prefix = "Generated code: " if unit.generated else ""
                ctx.report(
                    unit.locate(_header(loop)),
                    message=f"{prefix}the step command is re-run in a loop over `{name}`; map `@retry` to the "
                    "scheduler's native retry and pass its attempt number as `--retry-count`",
                )


def _header(loop: ast.AST) -> ast.AST:
    return loop.target if isinstance(loop, ast.For) else loop.test


def _retry_loops(tree: ast.AST):
    for node in ast.walk(tree):
        name = _retry_variable(node)
        if name is None:
            continue
        body = [n for stmt in node.body for n in [stmt, *own_body(stmt)]]
        launches = any(isinstance(n, ast.Call) and is_process_launch(n) for n in body)
        leaves = any(isinstance(n, (ast.Break, ast.Return, ast.Continue)) for n in body)
        if launches and leaves:
            yield node, name


def _retry_variable(node: ast.AST) -> Optional[str]:
    if isinstance(node, (ast.For, ast.AsyncFor)):
        iterable = node.iter
        if not (isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and iterable.func.id == "range"):
            return None
        if isinstance(node.target, ast.Name) and _RETRY_NAME.search(node.target.id):
            return node.target.id
        return None
    if isinstance(node, ast.While):
        names: List[str] = [n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)]
        names += [n.attr for n in ast.walk(node.test) if isinstance(n, ast.Attribute)]
        for name in names:
            if _RETRY_NAME.search(name):
                return name
    return None
