"""MFO202 env-context-in-env-block: ``${{ env.X }}`` inside a workflow- or job-level ``env:`` map.

GitHub evaluates the workflow ``env:`` map with only ``github``, ``secrets``, ``inputs`` and ``vars`` available,
and a job's ``env:`` with those plus ``needs``, ``strategy`` and ``matrix``: the ``env`` context does not exist
there yet. GitHub rejects the whole workflow file ("Unrecognized named-value: 'env'"), so not one job runs,
and the error surfaces only after the push, never in a local test run.

Design decisions:
- Only the two maps GitHub evaluates before the env context exists are checked. A step's ``env:`` may read the
  workflow and job env (that is how values are layered), and so may ``container.env`` / ``services.*.env``.
- The context is recognised inside ``${{ }}`` bodies as ``env.X`` or ``env['X']`` with single-quoted literals
  blanked first, so ``github.env`` (the GITHUB_ENV file path) and ``'env.x'`` strings do not count.
- A computed map (``env: ${{ fromJSON(...) }}``) is checked as one value, reported on the ``env`` key.
- One finding per entry, on the entry's key. No fix: the right replacement (a literal, ``vars.X``, or moving the
  entry to a step's ``env``) depends on where the value should come from.
"""

from __future__ import annotations

import re
from typing import Iterator, Tuple

import yaml

from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context
from mfok_lint.syntax.workflow_yaml import expressions, get_item, jobs, mapping_items, strip_string_literals

_BRACKET_RE = re.compile(r"(?<![\w.\-])env\s*\[\s*'([A-Za-z_][\w-]*)'\s*\]")
_ENV_CONTEXT_RE = re.compile(r"(?<![\w.\-])env\s*\.\s*([A-Za-z_][\w-]*)")


def _env_references(node: yaml.Node) -> Iterator[str]:
    """Names read from the env context anywhere in a value (nested mappings and lists included)."""
    if isinstance(node, yaml.ScalarNode):
        for body in expressions(node.value):
            # ``env['X']`` is rewritten to ``env.X`` first: blanking literals would otherwise erase the name.
            body = _BRACKET_RE.sub(lambda m: f"env.{m.group(1)}", body)
            for match in _ENV_CONTEXT_RE.finditer(strip_string_literals(body)):
                yield match.group(1)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _env_references(item)
    elif isinstance(node, yaml.MappingNode):
        for _key, value in node.value:
            yield from _env_references(value)


class EnvContextInEnvBlock(Rule):
    triggers = Text(b"env")

    def check(self, ctx: Context) -> None:
        blocks = [("workflow", get_item(ctx.root, "env"))]
        blocks += [(f"job `{job_id.value}`", get_item(job, "env")) for job_id, job in jobs(ctx.root)]
        for level, item in blocks:
            if item is None:
                continue
            env_key, env_value = item
            entries: list[Tuple[yaml.Node, yaml.Node]] = list(mapping_items(env_value))
            if isinstance(env_value, yaml.ScalarNode):
                entries = [(env_key, env_value)]
            for key, value in entries:
                names = list(dict.fromkeys(_env_references(value)))
                if not names:
                    continue
                shown = ", ".join(f"`env.{n}`" for n in names)
                ctx.report(
                    key,
                    f"{shown} read inside the {level} `env:` map, where the `env` context does not exist; "
                    "use a literal, `vars.*`, or set the value in a step's `env:`",
                )
