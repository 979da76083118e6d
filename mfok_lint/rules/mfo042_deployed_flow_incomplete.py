"""MFO042 deployed-flow-incomplete: a deployer class that leaves out members Metaflow needs.

What Metaflow requires from 2.12.29, when the subclass API of ``runner/deployer_impl.py`` began (before, the
base ``DeployerImpl.create`` did the work and extensions attached methods to a plain ``DeployedFlow``):
- ``DeployerImpl``: ``TYPE`` (``__init__`` raises ``ValueError`` while it is ``None``), ``deployer_kwargs`` and
  ``deployed_flow_type`` (both raise ``NotImplementedError`` in the base), ``create`` (raises
  ``NotImplementedError``; subclasses call ``self._create(TheDeployedFlow, **kwargs)``).
- ``DeployedFlow``: ``trigger`` (the base has none: ``AttributeError``), ``from_deployment``,
  ``get_triggered_run`` and ``list_deployed_flows`` (the metaclass puts dispatchers on the base that route
  to the provider named by ``impl``, default argo-workflows, so an unimplemented one silently asks the
  wrong orchestrator), and ``TYPE`` (matched against the deployer's for stub generation and dispatch).
  ``list_deployed_flows`` is called from 2.16.5 and ``get_triggered_run`` from 2.16.7
  (``core.metaflow_contract``): a class is asked for them only when the releases it targets reach those.

Design decisions:
- Members count when defined at class level (method, property, assignment, also inside ``if``/``try``) by
  the class or by any class of the same module it inherits from. A class with a base we cannot look into
  (imported from elsewhere other than Metaflow's own classes, or built by a metaclass) is skipped, and so is
  a class another class of the module inherits from, or one named as abstract (``Base...``/``Abstract...``/
  leading underscore): those are intermediate bases, completed by their subclasses.
- One finding per class, on its name, listing every missing member.
"""

from __future__ import annotations

from typing import List

from mfok_lint.core.metaflow_contract import fact_range
from mfok_lint.model.classes import DeployerClass, deployer_classes
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context

# member -> the contract fact that makes Metaflow call it (None: every release the rule checks)
REQUIRED = {
    "DeployedFlow": {
        "TYPE": None, "trigger": None, "from_deployment": None,
        "get_triggered_run": "get_triggered_run", "list_deployed_flows": "list_deployed_flows",
    },
    "DeployerImpl": {"TYPE": None, "deployer_kwargs": None, "deployed_flow_type": None, "create": None},
}


def _looks_abstract(cls: DeployerClass) -> bool:
    name = cls.name
    return name.startswith("_") or name.startswith("Base") or name.startswith("Abstract") or name.endswith("Base")


class DeployedFlowIncomplete(Rule):
    needs = frozenset({"cst"})
    triggers = Text(b"DeployedFlow", b"DeployerImpl")

    def check(self, ctx: Context) -> None:
        for cls in deployer_classes(ctx):
            required = REQUIRED.get(cls.kind or "")
            if required is None or cls.subclassed_here or _looks_abstract(cls) or not cls.sees_all_bases():
                continue
            missing: List[str] = [
                member
                for member, fact in required.items()
                if (fact is None or ctx.metaflow.ever(fact)) and cls.member(member) is None
            ]
            if missing:
                listed = ", ".join(f"`{m}`" for m in missing)
                later = [m for m in missing if required[m] is not None and not ctx.metaflow.always(required[m])]
                note = "".join(
                    f"; Metaflow calls `{m}` from {fact_range(required[m])[0]} (the code targets {ctx.metaflow})"
                    for m in later
                )
                ctx.report(cls.node.name, message=f"`{cls.name}` ({cls.kind} subclass) does not define {listed}{note}")
