"""MFO040 deployer-kwargs-assigned: writes to the read-only `deployer_kwargs` property of a DeployerImpl."""

from __future__ import annotations

import textwrap

import pytest

from tests.rules.conftest import Invalid, Valid, apply_one, assert_fix_converges, lint, rule_cases

RULE = "MFO040"
PATH = "metaflow_extensions/acme/plugins/acme/acme_deployer.py"


WITH_BACKING_PROPERTY = """
from metaflow.runner.deployer_impl import DeployerImpl


class AcmeDeployer(DeployerImpl):
    TYPE = "acme"

    def __init__(self, deployer_kwargs, **kwargs):
        self.deployer_kwargs = deployer_kwargs
        super().__init__(**kwargs)

    @property
    def deployer_kwargs(self):
        \"\"\"The options of `python flow.py acme`.\"\"\"
        return self._deployer_kwargs
"""

NO_PROPERTY = """
from metaflow.runner import deployer_impl


class AcmeDeployer(deployer_impl.DeployerImpl):
    TYPE = "acme"

    def __init__(self, deployer_kwargs, **kwargs):
        self.deployer_kwargs = dict(deployer_kwargs)
        super().__init__(**kwargs)
"""

ALIASED_BASE_AUGMENTED = """
from metaflow.runner.deployer_impl import DeployerImpl as Base


class AcmeDeployer(Base):
    TYPE = "acme"

    def add(self, **more):
        self.deployer_kwargs |= more

    @property
    def deployer_kwargs(self):
        return self._kwargs
"""

SETATTR = """
from metaflow.runner.deployer_impl import DeployerImpl


class AcmeDeployer(DeployerImpl):
    TYPE = "acme"

    def __init__(this, deployer_kwargs, **kwargs):
        setattr(this, "deployer_kwargs", deployer_kwargs)
        super().__init__(**kwargs)
"""

THROUGH_LOCAL_BASE = """
from metaflow.runner.deployer_impl import DeployerImpl


class _AcmeBase(DeployerImpl):
    pass


class AcmeDeployer(_AcmeBase):
    TYPE = "acme"

    def __init__(self, deployer_kwargs, **kwargs):
        if deployer_kwargs:
            self.deployer_kwargs = deployer_kwargs
        super().__init__(**kwargs)
"""


INVALID = [
    Invalid(
        WITH_BACKING_PROPERTY, rows=[9], message="read-only property",
        fixed=WITH_BACKING_PROPERTY.replace(
            "self.deployer_kwargs = deployer_kwargs", "self._deployer_kwargs = deployer_kwargs"
        ),
        path=PATH, why="backing-property: reported on `self.deployer_kwargs = deployer_kwargs`, fixed",
    ),
    Invalid(
        NO_PROPERTY, rows=[9], message="read-only property", no_fix=True, path=PATH,
        why="no-property-dotted-base: reported on `self.deployer_kwargs = dict(...)`, no fix",
    ),
    Invalid(
        ALIASED_BASE_AUGMENTED, rows=[9], message="read-only property",
        fixed=ALIASED_BASE_AUGMENTED.replace("self.deployer_kwargs |= more", "self._kwargs |= more"),
        path=PATH, why="aliased-base-augmented: reported on `self.deployer_kwargs |= more`, fixed",
    ),
    Invalid(
        SETATTR, rows=[9], message="read-only property", no_fix=True, path=PATH,
        why="setattr: reported on `setattr(this, ...)`, no fix",
    ),
    Invalid(
        THROUGH_LOCAL_BASE, rows=[14], message="read-only property", no_fix=True, path=PATH,
        why="same-module-base: reported on `self.deployer_kwargs = deployer_kwargs`, no fix",
    ),
]

VALID = [
    Valid(
        """
        from metaflow.runner.deployer_impl import DeployerImpl

        class AcmeDeployer(DeployerImpl):
            TYPE = "acme"

            def __init__(self, deployer_kwargs, **kwargs):
                self._deployer_kwargs = deployer_kwargs
                super().__init__(**kwargs)

            @property
            def deployer_kwargs(self):
                return self._deployer_kwargs
        """,
        path=PATH, why="backing-field",
    ),
    Valid(
        """
        from metaflow.runner.deployer_impl import DeployerImpl

        class AcmeDeployer(DeployerImpl):
            TYPE = "acme"

            def __init__(self, deployer_kwargs, **kwargs):
                self.deployer_kwargs = deployer_kwargs
                super().__init__(**kwargs)

            @property
            def deployer_kwargs(self):
                return self._deployer_kwargs

            @deployer_kwargs.setter
            def deployer_kwargs(self, value):
                self._deployer_kwargs = value
        """,
        path=PATH, why="setter-defined",
    ),
    Valid(
        """
        from metaflow.runner.deployer_impl import DeployerImpl

        class AcmeDeployer(DeployerImpl):
            TYPE = "acme"
            deployer_kwargs = None

            def __init__(self, deployer_kwargs, **kwargs):
                self.deployer_kwargs = deployer_kwargs
                super().__init__(**kwargs)
        """,
        path=PATH, why="class-attribute-shadows-property",
    ),
    Valid(
        """
        class AcmeSettings:
            def __init__(self, deployer_kwargs):
                self.deployer_kwargs = deployer_kwargs
        """,
        path=PATH, why="not-a-deployer",
    ),
    Valid(
        """
        from metaflow.runner.deployer_impl import DeployerImpl

        class AcmeDeployer(DeployerImpl):
            TYPE = "acme"

            def clone(self, other):
                other.deployer_kwargs = {}
                self.deployer_kwargs.update(x=1)
        """,
        path=PATH, why="other-object",
    ),
    Valid(
        """
        from metaflow.runner.deployer_impl import DeployerImpl

        class AcmeDeployer(DeployerImpl):
            TYPE = "acme"

            def extend(self, **more):
                self.deployer_kwargs["extra"] = more
        """,
        path=PATH, why="mutating-not-assigning",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize("source", [WITH_BACKING_PROPERTY, ALIASED_BASE_AUGMENTED], ids=["assign", "augmented"])
def test_fix_targets_the_backing_field(source):
    text = textwrap.dedent(source)
    (found,) = lint(text, RULE, path=PATH)
    fixed = apply_one(text, found)
    field = "_deployer_kwargs" if "_deployer_kwargs" in text else "_kwargs"
    assert f"self.{field} " in fixed.splitlines()[found.location.row - 1]
    assert_fix_converges(text, RULE, PATH)


def _load_class(source: str, name: str):
    namespace: dict = {}
    exec(compile(textwrap.dedent(source), "<acme>", "exec"), namespace)
    return namespace[name]


FLOW = """
from metaflow import FlowSpec, step


class HelloFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    HelloFlow()
"""


def test_the_reported_assignment_fails_on_metaflows_deployer_impl_and_the_fixed_one_works(tmp_path, monkeypatch):
    """Builds the deployer on Metaflow's real base class, before and after the fix."""
    monkeypatch.setenv("METAFLOW_HOME", str(tmp_path))
    flow_file = tmp_path / "hello_flow.py"
    flow_file.write_text(FLOW)
    text = textwrap.dedent(WITH_BACKING_PROPERTY)
    broken = _load_class(text, "AcmeDeployer")
    with pytest.raises(AttributeError, match="deployer_kwargs"):
        broken({"name": "hello"}, flow_file=str(flow_file), cwd=str(tmp_path), show_output=False)
    fixed = _load_class(apply_one(text, lint(text, RULE, path=PATH)[0]), "AcmeDeployer")
    deployer = fixed({"name": "hello"}, flow_file=str(flow_file), cwd=str(tmp_path), show_output=False)
    assert deployer.deployer_kwargs == {"name": "hello"}
    assert deployer.flow_file == str(flow_file)
