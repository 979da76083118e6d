"""MFO006 deployment-name-as-identifier (preview): external names used whole as generated identifiers."""

from __future__ import annotations

import re
import textwrap

import libcst
import pytest

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text
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

    assert DeploymentNameAsIdentifier().applies_to_file("x.py", source.encode()) is may_report


_FUZZ_TEXTS = [
    "class ", "def ", "async def ", "_param_", " = ", "==", "\\n", "\n", "    ", "x", "Flow", "'", "{{", "}}", ": ",
    "export ", "$", " ", "(",
]  # fmt: skip
_FUZZ_FIELDS = ["identifier", "self.identifier", "p.name", "param.name", "x_param.NAME", "identifier.lower()", "name"]


def _fuzz_template(rng) -> str:
    """An f-string or ``%`` template of random text and fields, as extensions write them (escapes, conversions,
    ``{x=}``, format specs, implicit concatenation)."""
    parts = []
    for _ in range(rng.randint(1, 5)):
        if rng.random() < 0.55:
            parts.append(rng.choice(_FUZZ_TEXTS))
        else:
            parts.append("{" + rng.choice(_FUZZ_FIELDS) + rng.choice(["", "", "!r", "=", ":>10", "!s:{w}"]) + "}")
    body = "".join(parts)
    if rng.random() < 0.6:
        quote = rng.choice(['"', "'", '"' * 3, "'" * 3])
        if len(quote) == 1:
            body = body.replace("\n", "\\n").replace(quote, "\\" + quote)
        else:
            body = body.replace(quote, "") + (" " if body.endswith(quote[0]) else "")
        literal = rng.choice(["f", "F"]) + quote + body + quote
        if rng.random() < 0.25:
            literal = rng.choice(['"    " ', "'class ' ", '"x" ']) + literal
        if rng.random() < 0.15:
            literal += rng.choice([' "_suffix"', " ' = 1'"])
        return literal
    fmt = re.sub(r"\{[^{}]*\}", "%s", body.replace("{{", "").replace("}}", "")).replace("\n", "\\n").replace('"', '\\"')
    operands = [rng.choice(_FUZZ_FIELDS) for _ in range(max(fmt.count("%s"), 1))]
    return f'"{fmt}" % ({", ".join(operands)},)'


def test_the_screen_never_hides_a_finding_of_generated_templates(monkeypatch):
    """Differential: the rule run without its screen reports nothing the screen would have skipped."""
    import random

    from mfok_lint.lint.check import check_source
    from mfok_lint.prefilter import deployment_names
    from mfok_lint.rules import mfo006_deployment_name_as_identifier as module

    rule = module.DeploymentNameAsIdentifier()
    rng = random.Random(6)
    cases = reported = skipped = 0
    for _ in range(1500):
        template = _fuzz_template(rng)
        source = f"def gen(identifier, name, params):\n    for p in params:\n        T = {template}\n    return T\n"
        try:
            compile(source, "gen.py", "exec")
        except SyntaxError:
            continue
        cases += 1
        screened = deployment_names._may_report(source.encode())
        with monkeypatch.context() as patch:
            patch.setattr(module.DeploymentNameAsIdentifier, "applies_to_file", lambda self, path, raw: True)
            found = [d for d in check_source(source, "gen.py", [rule]) if d.code == "MFO006"]
        assert screened or not found, source
        reported += bool(found)
        skipped += not screened
    assert cases > 1000 and reported > 200 and skipped > 400, (cases, reported, skipped)
