"""MFO030 trigger-blocks-before-attribute-file: statement order inside the `trigger` click command."""

from __future__ import annotations

import re
import textwrap

import libcst
import pytest

from mfok_lint.lint.check import lint_text

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


def lint(body: str, head: str = HEAD, extra: str = ""):
    body = textwrap.dedent(body)
    body = re.sub(r"(?m)^( *)WRITE_ATTRIBUTES$", lambda m: textwrap.indent(WRITE.strip("\n"), m.group(1)), body)
    source = head + textwrap.indent(body, "    ") + textwrap.dedent(extra)
    libcst.parse_module(source)  # a case that does not parse would pass "not reported" vacuously
    return [d for d in lint_text(source, path=PATH, select=["MFO030"]) if d.code == "MFO030"]


WRITE = """
if deployer_attribute_file:
    with open(deployer_attribute_file, "w") as f:
        json.dump({"pathspec": pathspec, "name": obj.flow.name, "metadata": "{}"}, f)
"""


@pytest.mark.parametrize(
    "body, extra, reason",
    [
        (
            """
            run_id = client.start(run_params)
            while client.state(run_id) == "RUNNING":
                time.sleep(5)
            pathspec = obj.flow.name + "/" + run_id
            WRITE_ATTRIBUTES
            """,
            "",
            "polling loop",
        ),
        (
            """
            result = execute_job(job, instance=instance)
            pathspec = "%s/%s" % (obj.flow.name, result.run_id)
            WRITE_ATTRIBUTES
            """,
            "",
            "execute_job",
        ),
        (
            """
            run_id = _submit(run_params)
            pathspec = obj.flow.name + "/" + run_id
            WRITE_ATTRIBUTES
            """,
            '''

            def _submit(params):
                run_id = client.start(params)
                _wait_for_completion(run_id)
                return run_id


            def _wait_for_completion(run_id):
                while not client.done(run_id):
                    time.sleep(2)
            ''',
            "_submit",
        ),
        (
            """
            handle = start(run_params)
            handle.result()
            pathspec = obj.flow.name + "/" + handle.id
            _write_attributes(deployer_attribute_file, pathspec)
            """,
            "",
            "handle.result",
        ),
    ],
    ids=["polling-loop", "in-process-job", "helper-chain", "handle-result-then-helper-write"],
)
def test_reported(body, extra, reason):
    (found,) = lint(body, extra=extra)
    assert reason in found.message
    assert "Deployer.trigger()" in found.message


@pytest.mark.parametrize(
    "body, extra",
    [
        # Submit, write the file, then follow the run: the right order.
        (
            """
            run_id = client.start(run_params)
            pathspec = obj.flow.name + "/" + run_id
            WRITE_ATTRIBUTES
            while client.state(run_id) == "RUNNING":
                time.sleep(5)
            """,
            "",
        ),
        # Waiting for the submission subprocess is needed to learn the run id.
        (
            """
            out = subprocess.run(["gh", "workflow", "run", "x.yml"], capture_output=True, check=True)
            pathspec = obj.flow.name + "/" + parse(out.stdout)
            WRITE_ATTRIBUTES
            """,
            "",
        ),
        # The wait and the write sit on different sides of one `if`.
        (
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
            """,
            "",
        ),
        # A waiting branch that returns never reaches the write.
        (
            """
            if dry_run:
                wait_for_run(obj)
                return
            pathspec = submit()
            WRITE_ATTRIBUTES
            """,
            "",
        ),
        # A sleeping loop inside a nested function that is never called before the write.
        (
            """
            def follow():
                while True:
                    time.sleep(1)
            pathspec = submit()
            WRITE_ATTRIBUTES
            """,
            "",
        ),
    ],
    ids=["write-then-wait", "submission-subprocess", "exclusive-branches", "early-return", "nested-def"],
)
def test_not_reported(body, extra):
    assert lint(body, extra=extra) == []


def test_other_commands_may_wait():
    head = HEAD.replace('@acme.command(help="Trigger a run.")', '@acme.command(name="run", help="Run and wait.")')
    body = """
    run_id = client.start(run_params)
    while client.state(run_id) == "RUNNING":
        time.sleep(5)
    pathspec = obj.flow.name + "/" + run_id
    WRITE_ATTRIBUTES
    """
    assert lint(body, head=head) == []
    renamed = HEAD.replace('@acme.command(help="Trigger a run.")', '@acme.command("trigger")').replace(
        "def trigger(", "def trigger_cmd("
    )
    assert len(lint(body, head=renamed)) == 1


def test_custom_destination_name():
    head = HEAD.replace('"--deployer-attribute-file", default', '"--deployer-attribute-file", "attr_file", default')
    head = head.replace("deployer_attribute_file=None", "attr_file=None")
    body = """
    result = execute_in_process(job)
    with open(attr_file, "w") as f:
        json.dump({"pathspec": result.id}, f)
    """
    assert len(lint(body, head=head)) == 1
