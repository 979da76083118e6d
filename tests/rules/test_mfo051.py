"""MFO051 triggered-run-id-invented: the pathspec `trigger` writes must name the run the scheduler starts."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO051"

HEAD = '''
import json
import subprocess
import time
import uuid

from metaflow._vendor import click


@click.group()
def acme():
    pass


@acme.command(help="Trigger a run of the deployed flow.")
@click.option("--deployer-attribute-file", default=None, hidden=True)
@click.pass_obj
def trigger(obj, deployer_attribute_file=None):
'''

VALID = [
    Valid(HEAD + '''    run_id = "acme-%s" % uuid.uuid4().hex
    subprocess.run(["acme", "execute", obj.flow.name, "--tag", "metaflow_run_id=" + run_id], check=True)
    if deployer_attribute_file:
        with open(deployer_attribute_file, "w") as f:
            json.dump({"pathspec": "%s/%s" % (obj.flow.name, run_id), "name": obj.flow.name, "metadata": "{}"}, f)
''', why="the made-up id is handed to the run the scheduler starts"),
    Valid(HEAD + '''    execution = start_execution(obj.flow.name)
    run_id = "acme-%s" % execution["id"]
    if deployer_attribute_file:
        with open(deployer_attribute_file, "w") as f:
            json.dump({"pathspec": "%s/%s" % (obj.flow.name, run_id), "name": obj.flow.name, "metadata": "{}"}, f)
''', why="the id comes from the scheduler's execution"),
    Valid(HEAD + '''    execution = start_execution(obj.flow.name)
    run_id = execution.get("run_id")
    if not run_id:
        run_id = "acme-%s" % uuid.uuid4()
    if deployer_attribute_file:
        with open(deployer_attribute_file, "w") as f:
            json.dump({"pathspec": "%s/%s" % (obj.flow.name, run_id), "name": obj.flow.name, "metadata": "{}"}, f)
''', why="a fallback beside the scheduler's id is not judged"),
]

INVALID = [
    Invalid(HEAD + '''    result = subprocess.run(["acme", "execute", obj.flow.name], check=False)
    if deployer_attribute_file:
        run_id = "acme-%s" % uuid.uuid4()
        pathspec = "%s/%s" % (obj.flow.name, run_id)
        with open(deployer_attribute_file, "w") as f:
            json.dump({"pathspec": pathspec, "name": obj.flow.name, "metadata": "{}"}, f)
''', rows=[21], message="`run_id` is made up here and only written into the triggered run's `pathspec`",
        no_fix=True, why="a fresh uuid written to the attribute file, never given to the run"),
    Invalid(HEAD + '''    start_execution(obj.flow.name)
    stamp = time.time_ns()
    if deployer_attribute_file:
        with open(deployer_attribute_file, "w") as f:
            f.write(json.dumps({"pathspec": "%s/acme-%d" % (obj.flow.name, stamp), "name": obj.flow.name}))
''', rows=[20], why="the clock, written through f.write(json.dumps(...))"),
]

test_cases = rule_cases(RULE, VALID, INVALID)
