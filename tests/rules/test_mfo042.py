"""MFO042 deployed-flow-incomplete: DeployedFlow / DeployerImpl subclasses missing required members."""

from __future__ import annotations

import textwrap

import pytest

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO042"
PATH = "metaflow_extensions/acme/plugins/acme/acme_objects.py"


COMPLETE_FLOW = """
    TYPE = "acme"

    def trigger(self, **kwargs):
        return None

    @classmethod
    def from_deployment(cls, identifier, metadata=None):
        return cls

    @classmethod
    def get_triggered_run(cls, identifier, run_id, metadata=None):
        return None

    @classmethod
    def list_deployed_flows(cls, flow_name=None):
        return iter(())
"""

COMPLETE_DEPLOYER = """
    TYPE = "acme"

    @property
    def deployer_kwargs(self):
        return self._deployer_kwargs

    @staticmethod
    def deployed_flow_type():
        return None

    def create(self, **kwargs):
        return None
"""


def deployed_flow(body: str, header: str = "from metaflow.runner.deployer import DeployedFlow\n", base="DeployedFlow") -> str:
    return header + f"\n\nclass AcmeDeployedFlow({base}):\n" + textwrap.dedent(body).replace("\n", "\n    ").rstrip() + "\n"


def without(body: str, member: str) -> str:
    """Drop one member (its decorator lines included) from a class body."""
    blocks = textwrap.dedent(body).strip("\n").split("\n\n")
    kept = [b for b in blocks if f"def {member}(" not in b and not b.startswith(f"{member} =")]
    return "\n" + "\n\n".join(kept) + "\n"


def deployer(body: str) -> str:
    header = "from metaflow.runner.deployer_impl import DeployerImpl\n\n\nclass AcmeDeployer(DeployerImpl):\n"
    return header + textwrap.indent(body.strip("\n"), "    ") + "\n"


FLOW_MEMBERS = ["TYPE", "trigger", "from_deployment", "get_triggered_run", "list_deployed_flows"]
DEPLOYER_MEMBERS = ["TYPE", "deployer_kwargs", "deployed_flow_type", "create"]

# Each missing member is named, in one finding on the `class` line (row 4).
MISSING_FLOW_MEMBER = [
    Invalid(
        deployed_flow(without(COMPLETE_FLOW, member)), rows=[4], message=f"`{member}`", path=PATH,
        why=f"missing deployed flow member {member}",
    )
    for member in FLOW_MEMBERS
]
MISSING_DEPLOYER_MEMBER = [
    Invalid(
        deployer(without(COMPLETE_DEPLOYER, member)), rows=[4], message=f"`{member}`", path=PATH,
        why=f"missing deployer member {member}",
    )
    for member in DEPLOYER_MEMBERS
]

INVALID = MISSING_FLOW_MEMBER + MISSING_DEPLOYER_MEMBER + [
    Invalid(
        "from metaflow.runner.deployer import DeployedFlow\n\n"
        "class AcmeDeployedFlow(DeployedFlow):\n    TYPE = 'acme'\n",
        rows=[3], message="`trigger`, `from_deployment`, `get_triggered_run`, `list_deployed_flows`", path=PATH,
        why="all missing members in one finding",
    ),
    Invalid(
        deployed_flow(without(COMPLETE_FLOW, "trigger"), header="from metaflow.runner.deployer import DeployedFlow as DF\n", base="DF"),
        rows=[4], message="`trigger`", path=PATH, why="base class imported under another name",
    ),
    Invalid(
        deployed_flow(without(COMPLETE_FLOW, "trigger"), header="import metaflow.runner.deployer as mfd\n", base="mfd.DeployedFlow"),
        rows=[4], message="`trigger`", path=PATH, why="base class through a module alias",
    ),
]

VALID = [
    Valid(
        deployed_flow(without(COMPLETE_FLOW, "trigger"), header="from acme.base import Base as DeployedFlow\n"),
        path=PATH, why="another class imported under the base's name",
    ),
    Valid(deployed_flow(COMPLETE_FLOW), path=PATH, why="complete deployed flow"),
    Valid(deployer(COMPLETE_DEPLOYER), path=PATH, why="complete deployer"),
    Valid(
        """
        from metaflow.runner.deployer import DeployedFlow

        class BaseHttpDeployedFlow(DeployedFlow):
            def trigger(self, **kwargs):
                return None
        """,
        path=PATH, why="abstract-base-named-so",
    ),
    Valid(
        """
        from metaflow.runner.deployer import DeployedFlow
        from .common import CommonLookups

        class AcmeDeployedFlow(CommonLookups, DeployedFlow):
            TYPE = "acme"
        """,
        path=PATH, why="base-imported-from-elsewhere",
    ),
    Valid(
        """
        from metaflow.runner.deployer import DeployedFlow

        class _AcmeCommon(DeployedFlow):
            @classmethod
            def get_triggered_run(cls, identifier, run_id, metadata=None):
                return None

            @classmethod
            def list_deployed_flows(cls, flow_name=None):
                return iter(())

        class AcmeDeployedFlow(_AcmeCommon):
            TYPE = "acme"
            trigger = lambda self, **kwargs: None

            @classmethod
            def from_deployment(cls, identifier, metadata=None):
                return cls
        """,
        path=PATH, why="inherited-from-same-module-base",
    ),
    Valid(
        """
        import sys
        from metaflow.runner.deployer_impl import DeployerImpl

        class AcmeDeployer(DeployerImpl):
            if sys.platform == "win32":
                TYPE = "acme-win"
            else:
                TYPE = "acme"
            deployer_kwargs = property(lambda self: self._deployer_kwargs)
            deployed_flow_type = staticmethod(lambda: None)

            def create(self, **kwargs):
                return None
        """,
        path=PATH, why="members-defined-conditionally",
    ),
    Valid(
        """
        from metaflow.runner.deployer import DeployedFlow

        class LookupMixin:
            @classmethod
            def get_triggered_run(cls, identifier, run_id, metadata=None):
                return None

            @classmethod
            def list_deployed_flows(cls, flow_name=None):
                return iter(())

            @classmethod
            def from_deployment(cls, identifier, metadata=None):
                return cls

        class AcmeDeployedFlow(LookupMixin, DeployedFlow):
            TYPE = "acme"

            def trigger(self, **kwargs):
                return None
        """,
        path=PATH, why="mixin-in-same-module",
    ),
    Valid(
        """
        from metaflow.runner.deployer import TriggeredRun

        class AcmeTriggeredRun(TriggeredRun):
            pass
        """,
        path=PATH, why="triggered-run-has-no-requirements",
    ),
    Valid(
        """
        class DeployedFlowCache:
            pass
        """,
        path=PATH, why="unrelated-class",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_each_finding_names_the_class_and_exactly_one_member():
    for case in MISSING_FLOW_MEMBER:
        (found,) = lint(case.code, RULE, path=PATH)
        assert found.message.count("`") == 4  # the class name and exactly one member


def test_intermediate_base_subclassed_in_the_module_is_judged_through_its_subclass():
    text = """
        from metaflow.runner.deployer import DeployedFlow

        class AcmeCommon(DeployedFlow):
            TYPE = "acme"

        class AcmeDeployedFlow(AcmeCommon):
            def trigger(self, **kwargs):
                return None
        """
    (found,) = lint(text, RULE, path=PATH)
    assert "`AcmeDeployedFlow`" in found.message and "`TYPE`" not in found.message and "`trigger`" not in found.message


def test_metaflow_base_really_lacks_trigger_and_routes_lookups_elsewhere():
    """The facts the rule encodes, read from Metaflow's own classes."""
    from metaflow.runner.deployer import DeployedFlow
    from metaflow.runner.deployer_impl import DeployerImpl

    assert not hasattr(DeployedFlow, "trigger")
    for name in ("from_deployment", "get_triggered_run", "list_deployed_flows"):
        # installed on the base by the metaclass: a dispatcher taking `impl`, not the subclass's own logic
        assert "impl" in getattr(DeployedFlow, name).__func__.__code__.co_varnames
    assert DeployerImpl.TYPE is None and DeployedFlow.TYPE is None
    with pytest.raises(NotImplementedError):
        DeployerImpl.deployed_flow_type()
    with pytest.raises(NotImplementedError):
        DeployerImpl.create(object.__new__(DeployerImpl))
    with pytest.raises(NotImplementedError):
        DeployerImpl.deployer_kwargs.fget(object.__new__(DeployerImpl))
