"""MFO006 deployment-name-as-identifier (preview): external names used whole as generated identifiers."""

from __future__ import annotations

import textwrap

import libcst
import pytest

from mfok_lint.engine import lint_text
from mfok_lint.settings import Settings
from tests.rules.fixcheck import apply_one, assert_fix_converges

PATH = "metaflow_extensions/acme/plugins/acme/acme_deployer_objects.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO006"]) if d.code == "MFO006"]


FAKE_FLOW_FROM_IDENTIFIER = '''
class AcmeDeployedFlow:
    @classmethod
    def from_deployment(cls, identifier, metadata=None):
        source = f"from metaflow import FlowSpec\\n\\nclass {identifier}(FlowSpec):\\n    pass\\n"
        return source
'''

PARAMETER_ARGUMENTS = """
def signature(spec):
    return "".join(f", _param_{p.name}: str" for p in spec.parameters)
"""


@pytest.mark.parametrize(
    "source, expected",
    [
        (FAKE_FLOW_FROM_IDENTIFIER, "dotted"),
        (PARAMETER_ARGUMENTS, "parameter name"),
        (
            """
            def render(self):
                flow_name = self._project_info["flow_name"]
                return "class %sConfig(Config):\\n    pass\\n" % flow_name
            """,
            "dotted",
        ),
        (
            """
            def render(identifier):
                return f"def {identifier.lower()}_job():"
            """,
            "dotted",
        ),
        (
            """
            def fake_flow(identifier):
                return generate_fake_flow_file_contents(flow_name=identifier, param_info={})
            """,
            "dotted",
        ),
        (
            """
            def defaults(parameters):
                return [f"{param.name} = {param.kwargs.get('default')!r}" for param in parameters]
            """,
            "parameter name",
        ),
    ],
    ids=[
        "class-from-identifier", "glued-parameter", "percent-project-name", "case-change-only", "fake-flow-file",
        "assignment-target",
    ],
)
def test_reports_external_names(source, expected):
    found = lint(source)
    assert len(found) == 1, found
    assert expected in found[0].message


@pytest.mark.parametrize(
    "source",
    [
        # sanitised by a helper, split or replace
        """
        def render(identifier):
            return f"class {identifier.split('.')[-1]}(FlowSpec):"
        """,
        """
        def render(spec):
            return f"def {_wf_fn(spec.name)}() -> None:"
        """,
        # step names are identifiers already
        """
        def render(node):
            return f"def {node.name}(context):"
        """,
        # inside a string of the generated code, or on a shell line
        """
        def render(identifier, params):
            lines = [f"name = '{identifier}_schedule'"]
            lines += [f'cmd += ["--{p.name}", value]' for p in params]
            lines += [f"export PARAM_{p.name}=$1" for p in params]
            return lines
        """,
        # the identifier used as data, not as a name
        """
        def render(identifier):
            return f"DEPLOYMENT = {identifier!r}"
        """,
    ],
    ids=["split", "helper", "step-name", "inside-generated-string-or-shell", "repr-value"],
)
def test_clean_code(source):
    assert lint(source) == []


@pytest.mark.parametrize(
    "source, replacement",
    [
        (FAKE_FLOW_FROM_IDENTIFIER, "{identifier.split('.')[-1]}"),
        (PARAMETER_ARGUMENTS, "{p.name.replace('-', '_')}"),
    ],
    ids=["dotted", "parameter"],
)
def test_unsafe_fix(source, replacement):
    text = textwrap.dedent(source)
    (diag,) = lint(source)
    assert diag.fix is not None and diag.fix.applicability.value == "unsafe"
    fixed = apply_one(text, diag)
    libcst.parse_module(fixed)
    assert replacement in fixed
    assert_fix_converges(text, "MFO006", PATH, unsafe=True)


def test_percent_template_has_no_fix():
    source = """
    def render(identifier):
        return "class %s(FlowSpec):" % identifier
    """
    (diag,) = lint(source)
    assert diag.fix is None


def test_stable_runs_without_preview():
    stable = Settings(select=["MFO"], preview=False)
    found = lint_text(textwrap.dedent(FAKE_FLOW_FROM_IDENTIFIER), path=PATH, settings=stable)
    assert [d.code for d in found if d.code == "MFO006"] == ["MFO006"]
    assert not found[0].preview


def test_a_placeholder_glued_to_the_one_before_it_is_reported():
    """The previous hole counts as identifier characters: ``{prefix}{identifier}`` makes one name."""
    source = '''
    def generate(identifier, prefix):
        return f"class A:\\n    {prefix}{identifier}: str\\n"
    '''
    (found,) = lint(source)
    assert "`identifier`" in found.message


@pytest.mark.parametrize(
    "source, may_report",
    [
        ('name = "x"\nTEMPLATE = f"class {name}(FlowSpec):"\n', False),  # no placeholder can hold an external name
        ('"""Builds a class from the deployment identifier."""\nname = "x"\nT = f"class {name}:"\n', False),
        ("T = f'class {name.replace(\".\", \"_\")}:'\n", False),  # a sanitising call
        ('deployment = self.identifier\nT = f"class {deployment}:"\n', True),  # through an assignment
        ('from .config import NAME\nT = f"class {NAME}:"\n', True),  # its value is in another module
        ("for p in (\n    flow_items  # the params\n):\n    T = f'_param_{p.name}: str'\n", True),
        ("for p in steps:\n    T = f'_param_{p.name}: str'\n", False),
        ('T = f"class {info}:" % 1\nx = project_info["flow_name"]\n', True),
        ("T = 'class %s:' % (flow.identifier.lower(),)\n", True),
        ("generate_fake_flow_file_contents(flow_name=self.identifier)\n", True),
    ],
)
def test_the_screen_before_the_parse(source, may_report):
    from mfok_lint.rules.mfo006_deployment_name_as_identifier import DeploymentNameAsIdentifier

    assert DeploymentNameAsIdentifier().applies_to(source.encode()) is may_report
