"""MFO046 unvendored-click: extension CLIs must use `metaflow._vendor.click`."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text
from mfok_lint.lint.fixes import fix_text
from tests.rules.fixcheck import apply_one, assert_fix_converges

PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"


def lint(source: str, path: str = PATH):
    return [d for d in lint_text(textwrap.dedent(source), path=path, select=["MFO046"]) if d.code == "MFO046"]


IMPORT_CLICK = """
import click


@click.group()
def cli():
    pass


@cli.group(help="Commands related to Acme.")
def acme():
    pass
"""

ALIASED = """
import click as c


@c.command()
def acme():
    pass
"""

FROM_CLICK = """
from click import group, option


@group()
def acme():
    pass
"""

SUBCOMMAND_ONLY = """
import click
from .acme_group import acme


@acme.command()
@click.pass_obj
def create(obj):
    pass
"""


@pytest.mark.parametrize(
    "source, replacement",
    [
        (IMPORT_CLICK, "from metaflow._vendor import click"),
        (ALIASED, "from metaflow._vendor import click as c"),
        (FROM_CLICK, "from metaflow._vendor.click import group, option"),
        (SUBCOMMAND_ONLY, "from metaflow._vendor import click"),
    ],
    ids=["import", "alias", "from-import", "subcommand-of-imported-group"],
)
def test_reported_with_unsafe_fix(source, replacement):
    text = textwrap.dedent(source)
    (found,) = lint(text)
    assert "click" in text.splitlines()[found.location.row - 1]
    assert found.fix.applicability.value == "unsafe"
    assert replacement in apply_one(text, found).splitlines()
    assert fix_text(text, PATH, select=["MFO046"]).text == text  # not applied without --unsafe-fixes
    assert_fix_converges(text, "MFO046", PATH, unsafe=True)


VALID = {
    "vendored": IMPORT_CLICK.replace("import click", "from metaflow._vendor import click"),
    "helpers-only": """
        import click

        def report(message):
            click.echo(message)
        """,
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_not_reported(name):
    assert lint(VALID[name]) == []


@pytest.mark.parametrize(
    "path",
    ["tools/acme_cli.py", "metaflow_extensions/acme/tests/test_cli.py", "metaflow_extensions/acme/plugins/acme/conftest.py"],
)
def test_outside_the_extension_or_in_tests_is_not_reported(path):
    assert lint(IMPORT_CLICK, path=path) == []


def test_testing_submodule_gets_no_fix():
    (found,) = lint("import click.testing\n\n@click.command()\ndef acme():\n    pass\n")
    assert found.fix is None


def test_a_pypi_click_command_cannot_see_metaflows_vendored_context():
    """The failure: inside Metaflow's (vendored) CLI, the PyPI click has no current context."""
    import click as pypi_click
    from metaflow._vendor import click as vendored_click
    from metaflow._vendor.click.testing import CliRunner

    assert pypi_click.Group is not vendored_click.Group

    @vendored_click.group()
    @vendored_click.pass_context
    def flow_cli(ctx):
        ctx.obj = "metaflow-state"

    @flow_cli.command()
    @pypi_click.pass_obj
    def acme(obj):
        return obj

    result = CliRunner().invoke(flow_cli, ["acme"])
    assert isinstance(result.exception, RuntimeError)
    assert "no active click context" in str(result.exception).lower()
