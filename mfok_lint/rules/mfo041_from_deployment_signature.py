"""MFO041 from-deployment-signature: ``from_deployment`` that Metaflow cannot call as it does.

Metaflow's ``DeployedFlow.from_deployment(identifier, metadata, impl=...)`` and the per-type
``DeployedFlow.from_<type>(identifier, metadata)`` look the provider up and call
``deployed_flow_type().from_deployment(identifier, metadata)`` on the class, positionally. Users also call
``AcmeDeployedFlow.from_deployment(identifier)`` with the metadata left out.

Design decisions:
- A ``from_deployment`` defined in a ``DeployedFlow`` subclass (class model shared with MFO040) must be a
  ``classmethod`` whose parameters after ``cls`` accept ``(identifier)`` and ``(identifier, metadata)``
  positionally: a second positional slot with a default (or ``*args``), every further positional and
  keyword-only parameter defaulted. Parameter names are free, since the calls are positional.
- A plain function is always a finding: called on the class, its ``self`` swallows the identifier. A
  ``staticmethod`` with a usable signature works at runtime and is left alone (it only cannot build
  ``cls``); one with a wrong signature is reported for the signature.
- A name bound by assignment (``from_deployment = classmethod(_impl)``) cannot be checked and is skipped.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from mfok_lint.model.classes import decorator_names, deployer_classes
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context


def signature_problem(func: cst.FunctionDef, skip_first: bool) -> Optional[str]:
    """Why ``func`` cannot be called as ``f(identifier)`` and ``f(identifier, metadata)``, or None."""
    params = func.params
    positional = list(params.posonly_params) + list(params.params)
    if skip_first:
        if not positional:
            if isinstance(params.star_arg, cst.Param):
                positional = []
            else:
                return "it takes no `cls` parameter"
        else:
            positional = positional[1:]
    star = isinstance(params.star_arg, cst.Param)
    if len(positional) < 2 and not star:
        if not positional:
            return "it accepts no positional `identifier`"
        return "it accepts no positional `metadata` (Metaflow passes it as the second argument)"
    if len(positional) >= 2 and positional[1].default is None:
        return "`metadata` has no default (`metadata=None`), so `from_deployment(identifier)` fails"
    for extra in positional[2:]:
        if extra.default is None:
            return f"the extra parameter `{extra.name.value}` has no default"
    for kwonly in params.kwonly_params:
        if kwonly.default is None:
            return f"the keyword-only parameter `{kwonly.name.value}` has no default"
    return None


class FromDeploymentSignature(Rule):
    needs = frozenset({"cst"})
    triggers = Text(b"from_deployment")

    def check(self, ctx: Context) -> None:
        for cls in deployer_classes(ctx):
            if cls.kind != "DeployedFlow":
                continue
            func = cls.members.get("from_deployment")
            if not isinstance(func, cst.FunctionDef):
                continue
            decorators = decorator_names(func)
            if "classmethod" in decorators:
                problem = signature_problem(func, skip_first=True)
            elif "staticmethod" in decorators:
                problem = signature_problem(func, skip_first=False)
            else:
                problem = (
                    "it is not a `classmethod`: Metaflow calls it on the class, so the first parameter receives "
                    "the identifier"
                )
            if problem is not None:
                ctx.report(
                    func.name,
                    message=f"`{cls.name}.from_deployment` cannot be called as `from_deployment(identifier, metadata)`: {problem}",
                )
