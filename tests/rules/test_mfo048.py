"""MFO048 deployer-option-undeclared: the Deployer's keywords must be parameters of the command it calls."""

from __future__ import annotations

import textwrap

from tests.rules.conftest import Invalid, Valid, acme_files, lint, rule_cases

RULE = "MFO048"

# One module holding what an extension usually spreads over three: the group and its commands, the deployer, and
# the deployed flow that calls `trigger` through Metaflow's click API.
HEAD = """
from metaflow._vendor import click
from metaflow.runner.deployer import DeployedFlow
from metaflow.runner.deployer_impl import DeployerImpl
from metaflow.runner.utils import get_lower_level_group


@click.group()
def cli():
    pass


@cli.group(help="Acme orchestrator.")
def acme():
    pass


class AcmeDeployer(DeployerImpl):
    TYPE = "acme"

    def create(self, **kwargs):
        return self._create(AcmeDeployedFlow, **kwargs)
"""

CREATE_OK = """

@acme.command(help="Deploy the flow.")
@click.option("--deployer-attribute-file", default=None, hidden=True)
@click.option("--branch", default=None)
@click.pass_obj
def create(obj, deployer_attribute_file=None, branch=None):
    pass
"""

TRIGGER = """

@acme.command(help="Start a run.")
@click.option("--deployer-attribute-file", default=None, hidden=True)
@click.option("--run-param", "run_params", multiple=True, default=None)
@click.option("--production/--no-production", default=False)
@click.pass_obj
def trigger(obj, deployer_attribute_file=None, run_params=None, production=False):
    pass
"""


def deployed_flow(call: str) -> str:
    return """

class AcmeDeployedFlow(DeployedFlow):
    TYPE = "acme"

    def trigger(self, **kwargs):
        run_params = list("%s=%s" % kv for kv in kwargs.items())
        with temporary_fifo() as (attribute_file_path, attribute_file_fd):
""" + textwrap.indent(textwrap.dedent(call).strip("\n"), " " * 12) + "\n"


def module(*parts: str) -> str:
    return HEAD + "".join(parts)


VALID = [
    Valid(
        module(CREATE_OK, TRIGGER, deployed_flow("""
            command = get_lower_level_group(
                self.deployer.api, self.deployer.top_level_kwargs, self.deployer.TYPE, self.deployer.deployer_kwargs
            ).trigger(deployer_attribute_file=attribute_file_path, run_params=run_params, production=True)
        """)),
        why="every keyword is a parameter name (`run_params` from its explicit name, `production` from a flag pair)",
    ),
    Valid(
        module(CREATE_OK, TRIGGER, deployed_flow("""
            command = get_lower_level_group(
                self.deployer.api, self.deployer.top_level_kwargs, self.deployer.TYPE, self.deployer.deployer_kwargs
            ).trigger(deployer_attribute_file=attribute_file_path, **kwargs)
        """)),
        why="the caller's own keywords are not known here",
    ),
    Valid(
        module(CREATE_OK, TRIGGER, deployed_flow("""
            trigger_kwargs = dict(name=self.name, deployer_attribute_file=attribute_file_path)
            trigger_kwargs.pop("name")
            command = get_lower_level_group(
                self.deployer.api, self.deployer.top_level_kwargs, self.deployer.TYPE, self.deployer.deployer_kwargs
            ).trigger(**trigger_kwargs)
        """)),
        why="a key popped before the call is not passed",
    ),
    Valid(
        module(CREATE_OK, """

@acme.command(help="Start a run.")
@parameters.add_custom_parameters(deploy_mode=False)
@click.option("--deployer-attribute-file", default=None, hidden=True)
@click.pass_obj
def trigger(obj, deployer_attribute_file=None, **kwargs):
    pass
""", deployed_flow("""
            command = get_lower_level_group(
                self.deployer.api, self.deployer.top_level_kwargs, self.deployer.TYPE, self.deployer.deployer_kwargs
            ).trigger(deployer_attribute_file=attribute_file_path, alpha=5)
        """)),
        why="a decorator that adds the flow's parameters may declare the keyword",
    ),
    Valid(
        module("""

@acme.command(help="Compile the flow to a file.")
@click.argument("output_file")
@click.pass_obj
def create(obj, output_file):
    pass
""").replace("return self._create(AcmeDeployedFlow, **kwargs)", "return run_create_myself(self, **kwargs)"),
        why="a deployer that runs create itself is judged at its own call, not here",
    ),
    Valid(
        """
        from metaflow._vendor import click


        @click.group()
        def cli():
            pass


        @cli.group()
        def acme():
            pass


        @acme.command()
        @click.argument("output_file")
        def create(output_file):
            pass
        """,
        why="no deployer in the package: nothing calls create with the attribute file",
    ),
]

INVALID = [
    Invalid(
        module(CREATE_OK, TRIGGER, deployed_flow("""
            command = get_lower_level_group(
                self.deployer.api, self.deployer.top_level_kwargs, self.deployer.TYPE, self.deployer.deployer_kwargs
            ).trigger(
                name=self.name,
                deployer_attribute_file=attribute_file_path,
                run_params=run_params,
            )
        """)),
        rows=[51],
        message="`name=` is passed to the `acme trigger` command, which declares no parameter `name`",
        no_fix=True,
        why="a literal keyword the trigger command does not declare",
    ),
    Invalid(
        module(CREATE_OK, TRIGGER, deployed_flow("""
            trigger_kwargs = {"deployer_attribute_file": attribute_file_path}
            if self.deployer.branch:
                trigger_kwargs["branch"] = self.deployer.branch
            command = get_lower_level_group(
                self.deployer.api, self.deployer.top_level_kwargs, self.deployer.TYPE, self.deployer.deployer_kwargs
            ).trigger(**trigger_kwargs)
        """)),
        rows=[50],
        message="`branch=`",
        why="a key of the dict splatted into the call",
    ),
    Invalid(
        module(TRIGGER, """

@acme.command(help="Compile this flow to an Acme workflow file.")
@click.argument("output_file", required=True)
@click.option("--tag", "tags", multiple=True, default=None)
@click.pass_obj
def create(obj, output_file, tags):
    pass
"""),
        rows=[38],
        message="`acme create` declares no `--deployer-attribute-file`",
        why="the create command Metaflow's _create calls",
    ),
    Invalid(
        """
        from metaflow._vendor import click
        from metaflow.runner.utils import get_lower_level_group


        @click.group()
        def cli():
            pass


        @cli.group(name="acme")
        def acme_group():
            pass


        @click.command()
        @click.option("--deployer-attribute-file", default=None)
        def terminate(deployer_attribute_file=None):
            pass


        acme_group.add_command(terminate)


        def stop(deployer, run_id):
            return get_lower_level_group(deployer.api, {}, "acme", {}).terminate(run_id=run_id)
        """,
        rows=[26],
        message="`acme terminate`",
        why="a literal TYPE and a command added with add_command",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


OBJECTS = """
from metaflow.runner.deployer import DeployedFlow
from metaflow.runner.utils import get_lower_level_group


class AcmeDeployedFlow(DeployedFlow):
    TYPE = "acme"

    def trigger(self, **kwargs):
        return get_lower_level_group(
            self.deployer.api, self.deployer.top_level_kwargs, self.deployer.TYPE, self.deployer.deployer_kwargs
        ).trigger(name=self.name, deployer_attribute_file="/tmp/fifo")
"""

CLI_WITH_TRIGGER = """
from metaflow._vendor import click


@click.group()
def cli():
    pass


@cli.group(help="Acme orchestrator.")
def acme():
    pass


@acme.command()
@click.option("--deployer-attribute-file", default=None, hidden=True)
def trigger(deployer_attribute_file=None):
    pass
"""


PLUGIN = "metaflow_extensions__acme__plugins__acme__"


def test_trigger_command_in_another_module(tmp_path):
    files = acme_files(**{PLUGIN + "acme_cli.py": CLI_WITH_TRIGGER, PLUGIN + "acme_deployer_objects.py": OBJECTS})
    found = lint(files, RULE, root=tmp_path)
    assert [(d.location.row, d.path.endswith("acme_deployer_objects.py")) for d in found] == [(12, True)]


def test_declared_in_another_module_is_clean(tmp_path):
    cli = CLI_WITH_TRIGGER.replace(
        '@click.option("--deployer-attribute-file"', '@click.option("--name", default=None)\n@click.option("--deployer-attribute-file"'
    )
    files = acme_files(**{PLUGIN + "acme_cli.py": cli, PLUGIN + "acme_deployer_objects.py": OBJECTS})
    assert lint(files, RULE, root=tmp_path) == []
