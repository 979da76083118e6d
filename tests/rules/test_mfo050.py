"""MFO050 run-params-dropped: a command that parses `--run-param` must send the values with the run."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO050"

HEAD = '''
from metaflow._vendor import click


@click.group()
def cli():
    pass


@cli.group(help="Acme orchestrator.")
def acme():
    pass


@acme.command(help="Trigger a run of the deployed flow.")
@click.option("--acme-host", default="http://localhost:8080")
@click.option("--run-param", "run_params", multiple=True, default=None)
@click.pass_obj
def trigger(obj, acme_host, run_params):
'''

PARSE = '''    params = {}
    for kv in run_params:
        k, _, v = kv.partition("=")
        params[k.strip()] = v.strip()
    client = make_client(acme_host)
'''

VALID = [
    Valid(HEAD + PARSE + '''    run_id = client.start_execution(obj.flow.name, inputs=params)
    obj.echo("Started %s" % run_id)
''', why="the parsed values go with the run"),
    Valid(HEAD + PARSE + '''    body = {"flow": obj.flow.name, "inputs": params}
    client.post("/executions", json=body)
''', why="sent inside a request body built from them"),
    Valid(HEAD + '''    if run_params:
        raise click.UsageError("Acme runs take no parameters yet")
    make_client(acme_host).start_execution(obj.flow.name)
''', why="the command refuses parameters on purpose"),
    Valid(HEAD + '''    ctx = click.get_current_context()
    make_client(acme_host).start_execution(obj.flow.name, inputs=ctx.params["run_params"])
''', why="read another way"),
    Valid(HEAD.replace('@click.option("--run-param", "run_params", multiple=True, default=None)\n', "")
          .replace(", run_params)", ")") + '''    make_client(acme_host).start_execution(obj.flow.name)
''', why="no --run-param declared"),
]

INVALID = [
    Invalid(HEAD + PARSE + '''    obj.echo("Triggering %s with %s" % (obj.flow.name, params))
    execution_id = start_execution(client, obj.flow.name)
    obj.echo("Started %s" % execution_id)
''', rows=[26], message="`start_execution(...)` starts the run without the parameters parsed from `--run-param`",
        no_fix=True, why="parsed into a dict, logged, and left out of the call that starts the run"),
    Invalid(HEAD + '''    make_client(acme_host).submit(obj.flow.name)
''', rows=[19], message="never reads `run_params`", why="declared and never read"),
    Invalid(HEAD + PARSE + '''    obj.echo("Parameters: %s" % params)
''', rows=[21], message="never leave `trigger`", why="read into locals only, with no call that starts a run"),
]

test_cases = rule_cases(RULE, VALID, INVALID)
