"""MFO006 deployment-name-as-identifier (preview): external names used whole as generated identifiers."""

from __future__ import annotations

import re
import textwrap

import libcst
import pytest

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text
from tests.rules.conftest import Invalid, Valid, apply_one, assert_fix_converges, lint, passes_prefilter, rule_cases

RULE = "MFO006"
PATH = "metaflow_extensions/acme/plugins/acme/acme_deployer_objects.py"

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

INVALID = [
    Invalid(FAKE_FLOW_FROM_IDENTIFIER, rows=[5], message="dotted", path=PATH, why="class-from-identifier"),
    Invalid(PARAMETER_ARGUMENTS, rows=[3], message="parameter name", path=PATH, why="glued-parameter"),
    Invalid(
        """
        def render(self):
            flow_name = self._project_info["flow_name"]
            return "class %sConfig(Config):\\n    pass\\n" % flow_name
        """,
        rows=[4], message="dotted", path=PATH, why="percent-project-name",
    ),
    Invalid(
        """
        def render(identifier):
            return f"def {identifier.lower()}_job():"
        """,
        rows=[3], message="dotted", path=PATH, why="case-change-only",
    ),
    Invalid(
        """
        def fake_flow(identifier):
            return generate_fake_flow_file_contents(flow_name=identifier, param_info={})
        """,
        rows=[3], message="dotted", path=PATH, why="fake-flow-file",
    ),
    Invalid(
        """
        def defaults(parameters):
            return [f"{param.name} = {param.kwargs.get('default')!r}" for param in parameters]
        """,
        rows=[3], message="parameter name", path=PATH, why="assignment-target",
    ),
    Invalid(
        """
        def render(identifier):
            return "class %s(FlowSpec):" % identifier
        """,
        rows=[3], no_fix=True, path=PATH, why="percent template has no fix",
    ),
    Invalid(
        '''
        def generate(identifier, prefix):
            return f"class A:\\n    {prefix}{identifier}: str\\n"
        ''',
        rows=[3], message="`identifier`", path=PATH,
        why="a placeholder glued to the one before it: `{prefix}{identifier}` makes one name",
    ),
]

VALID = [
    # sanitised by a helper, split or replace
    Valid(
        """
        def render(identifier):
            return f"class {identifier.split('.')[-1]}(FlowSpec):"
        """,
        path=PATH, why="split",
    ),
    Valid(
        """
        def render(spec):
            return f"def {_wf_fn(spec.name)}() -> None:"
        """,
        path=PATH, why="helper",
    ),
    # step names are identifiers already
    Valid(
        """
        def render(node):
            return f"def {node.name}(context):"
        """,
        path=PATH, why="step-name",
    ),
    # inside a string of the generated code, or on a shell line
    Valid(
        """
        def render(identifier, params):
            lines = [f"name = '{identifier}_schedule'"]
            lines += [f'cmd += ["--{p.name}", value]' for p in params]
            lines += [f"export PARAM_{p.name}=$1" for p in params]
            return lines
        """,
        path=PATH, why="inside-generated-string-or-shell",
    ),
    # the identifier used as data, not as a name
    Valid(
        """
        def render(identifier):
            return f"DEPLOYMENT = {identifier!r}"
        """,
        path=PATH, why="repr-value",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


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
    (diag,) = lint(source, RULE, path=PATH)
    assert diag.fix is not None and diag.fix.applicability.value == "unsafe"
    fixed = apply_one(text, diag)
    libcst.parse_module(fixed)
    assert replacement in fixed
    assert_fix_converges(text, RULE, PATH, unsafe=True)


def test_stable_runs_without_preview():
    stable = Settings(select=["MFO"], preview=False)
    found = lint_text(textwrap.dedent(FAKE_FLOW_FROM_IDENTIFIER), path=PATH, settings=stable)
    assert [d.code for d in found if d.code == RULE] == [RULE]
    assert not found[0].preview


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
    assert passes_prefilter(RULE, source, path="x.py") is may_report


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

    from mfok_lint.rules.mfo006_deployment_name_as_identifier import DeploymentNameAsIdentifier

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
        screened = passes_prefilter(RULE, source, path="gen.py")
        with monkeypatch.context() as patch:
            patch.setattr(DeploymentNameAsIdentifier, "applies_to_file", lambda self, path, raw: True)
            found = lint(source, RULE, path="gen.py")
        assert screened or not found, source
        reported += bool(found)
        skipped += not screened
    assert cases > 1000 and reported > 200 and skipped > 400, (cases, reported, skipped)
