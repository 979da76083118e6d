"""MFO042 deployed-flow-incomplete: DeployedFlow / DeployerImpl subclasses missing required members."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_objects.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO042"]) if d.code == "MFO042"]


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


@pytest.mark.parametrize("member", ["TYPE", "trigger", "from_deployment", "get_triggered_run", "list_deployed_flows"])
def test_each_missing_deployed_flow_member_is_named(member):
    found = lint(deployed_flow(without(COMPLETE_FLOW, member)))
    assert len(found) == 1
    assert f"`{member}`" in found[0].message
    assert found[0].message.count("`") == 4  # the class name and exactly one member


@pytest.mark.parametrize("member", ["TYPE", "deployer_kwargs", "deployed_flow_type", "create"])
def test_each_missing_deployer_member_is_named(member):
    text = "from metaflow.runner.deployer_impl import DeployerImpl\n\n\nclass AcmeDeployer(DeployerImpl):\n" + textwrap.indent(
        without(COMPLETE_DEPLOYER, member).strip("\n"), "    "
    ) + "\n"
    found = lint(text)
    assert len(found) == 1, text
    assert f"`{member}`" in found[0].message
    assert text.splitlines()[found[0].location.row - 1].startswith("class AcmeDeployer(")


def test_all_missing_members_in_one_finding():
    (found,) = lint("from metaflow.runner.deployer import DeployedFlow\n\nclass AcmeDeployedFlow(DeployedFlow):\n    TYPE = 'acme'\n")
    for member in ("trigger", "from_deployment", "get_triggered_run", "list_deployed_flows"):
        assert f"`{member}`" in found.message


def test_complete_classes_are_not_reported():
    assert lint(deployed_flow(COMPLETE_FLOW)) == []
    text = "from metaflow.runner.deployer_impl import DeployerImpl\n\n\nclass AcmeDeployer(DeployerImpl):\n" + textwrap.indent(
        COMPLETE_DEPLOYER.strip("\n"), "    "
    ) + "\n"
    assert lint(text) == []


VALID = {
    "inherited-from-same-module-base": """
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
    "mixin-in-same-module": """
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
    "base-imported-from-elsewhere": """
        from metaflow.runner.deployer import DeployedFlow
        from .common import CommonLookups

        class AcmeDeployedFlow(CommonLookups, DeployedFlow):
            TYPE = "acme"
        """,
    "abstract-base-named-so": """
        from metaflow.runner.deployer import DeployedFlow

        class BaseHttpDeployedFlow(DeployedFlow):
            def trigger(self, **kwargs):
                return None
        """,
    "members-defined-conditionally": """
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
    "triggered-run-has-no-requirements": """
        from metaflow.runner.deployer import TriggeredRun

        class AcmeTriggeredRun(TriggeredRun):
            pass
        """,
    "unrelated-class": """
        class DeployedFlowCache:
            pass
        """,
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_not_reported(name):
    assert lint(VALID[name]) == []


def test_intermediate_base_subclassed_in_the_module_is_judged_through_its_subclass():
    text = """
        from metaflow.runner.deployer import DeployedFlow

        class AcmeCommon(DeployedFlow):
            TYPE = "acme"

        class AcmeDeployedFlow(AcmeCommon):
            def trigger(self, **kwargs):
                return None
        """
    (found,) = lint(text)
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
