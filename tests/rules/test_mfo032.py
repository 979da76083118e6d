"""MFO032 fatal-secondary-api-call (preview): unguarded follow-up scheduler calls in `create`."""

from __future__ import annotations

import textwrap

import libcst

from mfok_lint.lint.check import lint_text
from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO032"
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


def create(body: str, extra: str = "", head: str = HEAD) -> str:
    """The module: ``head`` (the `create` command's signature), ``body`` as its statements, ``extra`` after it."""
    return head + textwrap.indent(textwrap.dedent(body), "    ") + textwrap.dedent(extra)


INVALID = [
    Invalid(
        create(
            """
            workflow = client.deploy(spec)
            client.create_schedule(workflow.id, cron)
            """
        ),
        rows=[16], message="`create_schedule()`", path=PATH, why="schedule-after-deploy",
    ),
    Invalid(
        create(
            """
            client.upload_flow(spec)
            for old in client.list_versions(spec.name)[:-5]:
                client.delete_version(old)
            """
        ),
        rows=[16], message="`list_versions()`", path=PATH, why="listing-after-upload",
    ),
    Invalid(
        create(
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
        ),
        rows=[24], message="`read_automations()`", path=PATH, why="through-helpers",
    ),
]

VALID = [
    Valid(
        create(
            """
            client.deploy(spec)
            try:
                client.create_schedule(spec.name, cron)
            except Exception as exc:
                obj.echo("Schedule not updated: %s" % exc)
            """
        ),
        path=PATH, why="guarded follow-up",
    ),
    Valid(
        create(
            """
            existing = client.list_flows()
            client.deploy(spec, replace=spec.name in existing)
            """
        ),
        path=PATH, why="listing-first: listing before the deployment exists fails early and cleanly",
    ),
    Valid(
        create(
            """
            with open("flow.yaml", "w") as f:
                f.write(compile_flow(obj))
            obj.echo("schedule: %s" % cron)
            """
        ),
        path=PATH, why="no-deploy: no remote deployment at all, a compiler writing a file",
    ),
    Valid(
        create(
            "client.deploy(spec)\nclient.create_schedule(spec)\n",
            head=HEAD.replace('@acme.command(help="Deploy.")', '@acme.command(name="sync")'),
        ),
        path=PATH, why="only the create command",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_every_case_parses():
    """A case that does not parse would pass "not reported" vacuously."""
    for case in VALID + INVALID:
        libcst.parse_module(textwrap.dedent(case.code))


def test_findings_are_marked_preview():
    for case in INVALID:
        (found,) = lint(case.code, RULE, path=case.path)
        assert found.preview


def test_preview_rule_is_off_by_default():
    """Without a selection (no preview), the rule does not run: the shared ``lint`` always selects."""
    source = HEAD + "    client.deploy(spec)\n    client.create_schedule(spec)\n"
    assert [d for d in lint_text(source, path=PATH) if d.code == RULE] == []
