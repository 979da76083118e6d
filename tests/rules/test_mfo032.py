"""MFO032 fatal-secondary-api-call (preview): unguarded follow-up scheduler calls in `create`."""

from __future__ import annotations

import textwrap

import libcst
import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"

HEAD = '''
from metaflow._vendor import click


@click.group()
def acme():
    pass


@acme.command(help="Deploy.")
@click.option("--deployer-attribute-file", default=None, hidden=True)
@click.pass_obj
def create(obj, deployer_attribute_file=None):
'''


def lint(body: str, extra: str = "", head: str = HEAD):
    source = head + textwrap.indent(textwrap.dedent(body), "    ") + textwrap.dedent(extra)
    libcst.parse_module(source)  # a case that does not parse would pass "not reported" vacuously
    return [d for d in lint_text(source, path=PATH, select=["MFO032"]) if d.code == "MFO032"]


@pytest.mark.parametrize(
    "body, extra, method",
    [
        (
            """
            workflow = client.deploy(spec)
            client.create_schedule(workflow.id, cron)
            """,
            "",
            "create_schedule",
        ),
        (
            """
            client.upload_flow(spec)
            for old in client.list_versions(spec.name)[:-5]:
                client.delete_version(old)
            """,
            "",
            "list_versions",
        ),
        (
            """
            _push(client, spec)
            _refresh(client, spec)
            """,
            '''

            def _push(client, spec):
                return client.register(spec)


            def _refresh(client, spec):
                return client.read_automations()
            ''',
            "read_automations",
        ),
    ],
    ids=["schedule-after-deploy", "listing-after-upload", "through-helpers"],
)
def test_reported(body, extra, method):
    (found,) = lint(body, extra)
    assert f"`{method}()`" in found.message
    assert found.preview


@pytest.mark.parametrize(
    "body",
    [
        # Guarded follow-up.
        """
        client.deploy(spec)
        try:
            client.create_schedule(spec.name, cron)
        except Exception as exc:
            obj.echo("Schedule not updated: %s" % exc)
        """,
        # Listing *before* the deployment exists fails early and cleanly.
        """
        existing = client.list_flows()
        client.deploy(spec, replace=spec.name in existing)
        """,
        # No remote deployment at all: a compiler writing a file.
        """
        with open("flow.yaml", "w") as f:
            f.write(compile_flow(obj))
        obj.echo("schedule: %s" % cron)
        """,
    ],
    ids=["guarded", "listing-first", "no-deploy"],
)
def test_not_reported(body):
    assert lint(body) == []


def test_only_the_create_command():
    head = HEAD.replace('@acme.command(help="Deploy.")', '@acme.command(name="sync")')
    assert lint("client.deploy(spec)\nclient.create_schedule(spec)\n", head=head) == []


def test_preview_rule_is_off_by_default():
    source = HEAD + "    client.deploy(spec)\n    client.create_schedule(spec)\n"
    assert [d for d in lint_text(source, path=PATH) if d.code == "MFO032"] == []
