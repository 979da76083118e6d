"""MFO047 from-deployment-identifier-mismatch: ``from_deployment`` must accept the name ``create`` writes."""

from __future__ import annotations

import textwrap

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO047"
PATH = "metaflow_extensions/acme/plugins/acme/acme_deployer_objects.py"

HEADER = """\
import json

from metaflow._vendor import click
from metaflow.runner.deployer import DeployedFlow


@click.group()
def acme():
    pass

"""

# ``{name}``: the "name" value create writes; ``{setup}``: lines of create before the write.
CREATE = """
@acme.command(help="Deploy the flow to Acme.")
@click.option("--name", default=None, help="Deployment name.")
@click.option("--deployer-attribute-file", default=None, hidden=True)
@click.pass_obj
def create(obj, name=None, deployer_attribute_file=None):
{setup}    if deployer_attribute_file:
        with open(deployer_attribute_file, "w") as f:
            json.dump({{"name": {name}, "flow_name": obj.flow.name, "metadata": "{{}}"}}, f)

"""

# ``{body}``: the body of from_deployment (8 spaces of indent).
FROM_DEPLOYMENT = """
class AcmeDeployedFlow(DeployedFlow):
    TYPE = "acme"

    @classmethod
    def from_deployment(cls, identifier, metadata=None):
{body}
"""

LOADS = """\
        info = json.loads(identifier)
        return cls(deployer=_rebuild(info["flow_file"], info["name"], metadata))
"""


def module(name: str = "obj.flow.name", body: str = LOADS, setup: str = "") -> str:
    return HEADER + CREATE.format(name=name, setup=setup) + FROM_DEPLOYMENT.format(body=body.rstrip("\n"))


def row_of(source: str, fragment: str) -> int:
    [row] = [n for n, line in enumerate(source.splitlines(), 1) if fragment in line]
    return row


def invalid(source: str, why: str) -> Invalid:
    return Invalid(source, rows=[row_of(source, "json.loads(identifier)")], no_fix=True, path=PATH, why=why)


RERAISED = """\
        try:
            info = json.loads(identifier)
        except (json.JSONDecodeError, TypeError) as exc:
            raise ValueError("expected the JSON of deployed_flow.id: %r" % identifier) from exc
        return cls(deployer=_rebuild(info["flow_file"], info["name"], metadata))
"""

FALLBACK = """\
        try:
            info = json.loads(identifier)
        except json.JSONDecodeError:
            info = _lookup_by_name(identifier)
        return cls(deployer=_rebuild(info["flow_file"], info["name"], metadata))
"""

SHAPE_TEST = """\
        if identifier.lstrip().startswith("{"):
            info = json.loads(identifier)
        else:
            info = _lookup_by_name(identifier)
        return cls(deployer=_rebuild(info["flow_file"], info["name"], metadata))
"""

BY_NAME = """\
        return cls(deployer=_rebuild(_lookup_by_name(identifier)["flow_file"], identifier, metadata))
"""

HELPER = """
def _deployment_name(name, flow_name):
    if name:
        return name.lower()
    return flow_name

"""

INVALID = [
    invalid(module(), "the flow's name"),
    invalid(module(name="name or obj.graph.name"), "a click option or the graph's name"),
    invalid(module(setup="    flow_name = obj.flow.name\n", name="flow_name"), "a local set from the flow's name"),
    invalid(module(name='"acme-%s" % obj.flow.name.lower()'), "a %-template of the flow's name"),
    invalid(module(body=RERAISED), "decode error re-raised as ValueError: still no way through"),
    invalid(
        module(setup="    deployment = _deployment_name(name, obj.flow.name)\n", name="deployment").replace(
            "\n@acme.command", HELPER + "\n@acme.command", 1
        ),
        "a helper of the module returning a click option or the flow's name",
    ),
]

VALID = [
    Valid(module(name='json.dumps({"name": obj.flow.name, "flow_file": obj.flow_file})'), path=PATH,
          why="create writes the JSON identifier as the name"),
    Valid(module(setup="    deployment_id = _client().deploy(obj.flow.name)\n", name="deployment_id"), path=PATH,
          why="name returned by the scheduler's client: shape unknown"),
    Valid(module(name='f"{project}_{obj.flow.name}"'.replace("project", "obj.project_name")), path=PATH,
          why="f-string starting with an unknown value"),
    Valid(module(body=FALLBACK), path=PATH, why="a decode error falls back to a name lookup"),
    Valid(module(body=SHAPE_TEST), path=PATH, why="the identifier's shape is tested first"),
    Valid(module(body=BY_NAME), path=PATH, why="from_deployment takes the name"),
    Valid(HEADER + FROM_DEPLOYMENT.format(body=LOADS.rstrip("\n")), path=PATH,
          why="no create writes the attribute file in the package"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_create_in_a_sibling_module(tmp_path):
    """The real layout: create in the CLI module, from_deployment in the deployer objects beside it."""
    cli = HEADER + CREATE.format(name="name or obj.flow.name", setup="")
    objects = "import json\nfrom metaflow.runner.deployer import DeployedFlow\n" + FROM_DEPLOYMENT.format(
        body=LOADS.rstrip("\n")
    )
    files = {
        "metaflow_extensions/acme/plugins/acme/acme_cli.py": cli,
        "metaflow_extensions/acme/plugins/acme/acme_deployer_objects.py": objects,
    }
    found = lint(files, RULE, root=tmp_path)
    assert [(d.path.rsplit("/", 1)[-1], d.location.row) for d in found] == [
        ("acme_deployer_objects.py", row_of(textwrap.dedent(objects), "json.loads(identifier)"))
    ]
    assert "`acme_cli.py:" in found[0].message


def test_create_in_another_directory_is_not_read(tmp_path):
    cli = HEADER + CREATE.format(name="obj.flow.name", setup="")
    objects = "import json\nfrom metaflow.runner.deployer import DeployedFlow\n" + FROM_DEPLOYMENT.format(
        body=LOADS.rstrip("\n")
    )
    files = {
        "metaflow_extensions/acme/plugins/acme/cli/acme_cli.py": cli,
        "metaflow_extensions/acme/plugins/acme/acme_deployer_objects.py": objects,
    }
    assert lint(files, RULE, root=tmp_path) == []
