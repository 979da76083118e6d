"""MFO042 deployed-flow-incomplete: a deployer class that leaves out members Metaflow needs.

What Metaflow 2.19 requires (``metaflow/runner/deployer.py``, ``deployer_impl.py``):
- ``DeployerImpl``: ``TYPE`` (``__init__`` raises ``ValueError`` while it is ``None``), ``deployer_kwargs`` and
  ``deployed_flow_type`` (both raise ``NotImplementedError`` in the base), ``create`` (raises
  ``NotImplementedError``; subclasses call ``self._create(TheDeployedFlow, **kwargs)``).
- ``DeployedFlow``: ``trigger`` (the base has none: ``AttributeError``), ``from_deployment``,
  ``get_triggered_run`` and ``list_deployed_flows`` (the metaclass puts dispatchers on the base that route
  to the provider named by ``impl``, default argo-workflows, so an unimplemented one silently asks the
  wrong orchestrator), and ``TYPE`` (matched against the deployer's for stub generation and dispatch).

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

from mfok_lint.model.classes import DeployerClass, deployer_classes
from mfok_lint.prefilter import Text
from mfok_lint.rules.base import Rule
from mfok_lint.rules.context import Context

REQUIRED = {
    "DeployedFlow": ("TYPE", "trigger", "from_deployment", "get_triggered_run", "list_deployed_flows"),
    "DeployerImpl": ("TYPE", "deployer_kwargs", "deployed_flow_type", "create"),
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
            missing: List[str] = [member for member in required if cls.member(member) is None]
            if missing:
                listed = ", ".join(f"`{m}`" for m in missing)
                ctx.report(cls.node.name, message=f"`{cls.name}` ({cls.kind} subclass) does not define {listed}")
