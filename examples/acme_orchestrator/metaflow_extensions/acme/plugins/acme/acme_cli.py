import json

from metaflow._vendor import click

from .acme_client import AcmeClient
from .acme_compiler import compile_workflow


@click.group()
def cli():
    pass


@cli.group(help="Deploy and trigger flows on Acme.")
@click.pass_obj
def acme(obj):
    pass


@acme.command(help="Compile the flow and register it with Acme.")
@click.option("--branch", default=None)
@click.option("--deployer-attribute-file", default=None, hidden=True)
@click.pass_obj
def create(obj, branch, deployer_attribute_file):
    spec = compile_workflow(obj.flow, obj.graph, obj.environment, branch=branch)
    name = AcmeClient().register(spec)
    if deployer_attribute_file:
        with open(deployer_attribute_file, "w") as f:
            json.dump({"name": name, "flow_name": obj.flow.name, "metadata": "{}"}, f)


@acme.command(help="Trigger a deployed flow.")
@click.option("--run-param", "run_params", multiple=True, default=None)
@click.option("--deployer-attribute-file", default=None, hidden=True)
@click.pass_obj
def trigger(obj, run_params, deployer_attribute_file):
    payload = {"flow": obj.flow.name, "parameters": run_params}
    run_id = AcmeClient().start(json.dumps(payload))
    if deployer_attribute_file:
        with open(deployer_attribute_file, "w") as f:
            json.dump({"name": obj.flow.name, "metadata": "{}", "pathspec": f"{obj.flow.name}/{run_id}"}, f)
