"""MFO030 trigger-blocks-before-attribute-file: statement order inside the `trigger` click command."""

from __future__ import annotations

import re
import textwrap

import libcst

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO030"
PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"

HEAD = '''
import json
import time

from metaflow._vendor import click


@click.group()
def acme():
    pass


@acme.command(help="Trigger a run.")
@click.option("--deployer-attribute-file", default=None, hidden=True)
@click.option("--run-param", "run_params", multiple=True)
@click.pass_obj
def trigger(obj, deployer_attribute_file=None, run_params=()):
'''

WRITE = """
if deployer_attribute_file:
    with open(deployer_attribute_file, "w") as f:
        json.dump({"pathspec": pathspec, "name": obj.flow.name, "metadata": "{}"}, f)
"""


def trigger(body: str, head: str = HEAD, extra: str = "") -> str:
    """The module: ``head`` (a click command's signature), ``body`` as its statements (a line ``WRITE_ATTRIBUTES``
    becomes the write of the attribute file), then ``extra`` at module level."""
    body = textwrap.dedent(body)
    body = re.sub(r"(?m)^( *)WRITE_ATTRIBUTES$", lambda m: textwrap.indent(WRITE.strip("\n"), m.group(1)), body)
    return head + textwrap.indent(body, "    ") + textwrap.dedent(extra)


WAIT_THEN_WRITE = """
run_id = client.start(run_params)
while client.state(run_id) == "RUNNING":
    time.sleep(5)
pathspec = obj.flow.name + "/" + run_id
WRITE_ATTRIBUTES
"""

INVALID = [
    Invalid(trigger(WAIT_THEN_WRITE), rows=[20], message="polling loop", path=PATH, why="polling-loop"),
    Invalid(
        trigger(
            """
            result = execute_job(job, instance=instance)
            pathspec = "%s/%s" % (obj.flow.name, result.run_id)
            WRITE_ATTRIBUTES
            """
        ),
        rows=[19], message="execute_job", path=PATH, why="in-process-job",
    ),
    Invalid(
        trigger(
            """
            run_id = _submit(run_params)
            pathspec = obj.flow.name + "/" + run_id
            WRITE_ATTRIBUTES
            """,
            extra='''

            def _submit(params):
                run_id = client.start(params)
                _wait_for_completion(run_id)
                return run_id


            def _wait_for_completion(run_id):
                while not client.done(run_id):
                    time.sleep(2)
            ''',
        ),
        rows=[19], message="_submit", path=PATH, why="helper-chain",
    ),
    Invalid(
        trigger(
            """
            handle = start(run_params)
            handle.result()
            pathspec = obj.flow.name + "/" + handle.id
            _write_attributes(deployer_attribute_file, pathspec)
            """
        ),
        rows=[20], message="handle.result", path=PATH, why="handle-result-then-helper-write",
    ),
    Invalid(
        trigger(
            WAIT_THEN_WRITE,
            head=HEAD.replace('@acme.command(help="Trigger a run.")', '@acme.command("trigger")').replace(
                "def trigger(", "def trigger_cmd("
            ),
        ),
        rows=[20], path=PATH, why="the command named trigger, whatever its function is called",
    ),
    Invalid(
        trigger(
            """
            result = execute_in_process(job)
            with open(attr_file, "w") as f:
                json.dump({"pathspec": result.id}, f)
            """,
            head=HEAD.replace(
                '"--deployer-attribute-file", default', '"--deployer-attribute-file", "attr_file", default'
            ).replace("deployer_attribute_file=None", "attr_file=None"),
        ),
        rows=[19], path=PATH, why="custom destination name",
    ),
]

VALID = [
    Valid(
        trigger(
            """
            run_id = client.start(run_params)
            pathspec = obj.flow.name + "/" + run_id
            WRITE_ATTRIBUTES
            while client.state(run_id) == "RUNNING":
                time.sleep(5)
            """
        ),
        path=PATH, why="write-then-wait: submit, write the file, then follow the run: the right order",
    ),
    Valid(
        trigger(
            """
            out = subprocess.run(["gh", "workflow", "run", "x.yml"], capture_output=True, check=True)
            pathspec = obj.flow.name + "/" + parse(out.stdout)
            WRITE_ATTRIBUTES
            """
        ),
        path=PATH, why="submission-subprocess: waiting for the submission subprocess is needed to learn the run id",
    ),
    Valid(
        trigger(
            """
            if remote:
                pathspec = submit()
                while not done(pathspec):
                    time.sleep(1)
            else:
                pathspec = local_id()
                if deployer_attribute_file:
                    with open(deployer_attribute_file, "w") as f:
                        json.dump({"pathspec": pathspec}, f)
            """
        ),
        path=PATH, why="exclusive-branches: the wait and the write sit on different sides of one `if`",
    ),
    Valid(
        trigger(
            """
            if dry_run:
                wait_for_run(obj)
                return
            pathspec = submit()
            WRITE_ATTRIBUTES
            """
        ),
        path=PATH, why="early-return: a waiting branch that returns never reaches the write",
    ),
    Valid(
        trigger(
            """
            def follow():
                while True:
                    time.sleep(1)
            pathspec = submit()
            WRITE_ATTRIBUTES
            """
        ),
        path=PATH, why="nested-def: a sleeping loop inside a nested function that is never called before the write",
    ),
    Valid(
        trigger(
            WAIT_THEN_WRITE,
            head=HEAD.replace(
                '@acme.command(help="Trigger a run.")', '@acme.command(name="run", help="Run and wait.")'
            ),
        ),
        path=PATH, why="other commands may wait",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_every_case_parses():
    """A case that does not parse would pass "not reported" vacuously."""
    for case in VALID + INVALID:
        libcst.parse_module(textwrap.dedent(case.code))


def test_the_message_points_at_deployer_trigger():
    for case in INVALID:
        (found,) = lint(case.code, RULE, path=case.path)
        assert "Deployer.trigger()" in found.message
