"""MFO046 unvendored-click: extension CLIs must use `metaflow._vendor.click`."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.fixes import fix_text
from tests.rules.conftest import Invalid, Valid, apply_one, assert_fix_converges, lint, rule_cases

RULE = "MFO046"
PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"


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


# (source, its click import, what the unsafe fix puts there, label); the finding is on the import (row 2)
IMPORTS = [
    (IMPORT_CLICK, "import click", "from metaflow._vendor import click", "import"),
    (ALIASED, "import click as c", "from metaflow._vendor import click as c", "alias"),
    (FROM_CLICK, "from click import group, option", "from metaflow._vendor.click import group, option", "from-import"),
    (SUBCOMMAND_ONLY, "import click", "from metaflow._vendor import click", "subcommand-of-imported-group"),
]

INVALID = [
    Invalid(
        source, rows=[2], message="`click`", fixed=source.replace(line, replacement, 1), unsafe=True, path=PATH,
        why=f"{why}, unsafe fix",
    )
    for source, line, replacement, why in IMPORTS
] + [
    Invalid(
        "import click.testing\n\n@click.command()\ndef acme():\n    pass\n", rows=[1], no_fix=True, path=PATH,
        why="testing submodule gets no fix",
    ),
]

VALID = [
    Valid(IMPORT_CLICK.replace("import click", "from metaflow._vendor import click"), path=PATH, why="vendored"),
    Valid(
        """
        import click

        def report(message):
            click.echo(message)
        """,
        path=PATH, why="helpers-only",
    ),
] + [
    Valid(IMPORT_CLICK, path=path, why=f"outside the extension or in tests: {path}")
    for path in [
        "tools/acme_cli.py",
        "metaflow_extensions/acme/tests/test_cli.py",
        "metaflow_extensions/acme/plugins/acme/conftest.py",
    ]
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize("source, replacement", [(i[0], i[2]) for i in IMPORTS], ids=[i[3] for i in IMPORTS])
def test_the_fix_is_unsafe(source, replacement):
    text = textwrap.dedent(source)
    (found,) = lint(text, RULE, path=PATH)
    assert "click" in text.splitlines()[found.location.row - 1]
    assert found.fix.applicability.value == "unsafe"
    assert replacement in apply_one(text, found).splitlines()
    assert fix_text(text, PATH, select=[RULE]).text == text  # not applied without --unsafe-fixes
    assert_fix_converges(text, RULE, PATH, unsafe=True)


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


# ---- the targeted releases: Metaflow vendors click from 2.5.1 -------------------------------------------------------


def _fixed_for(source: str, oldest: str, newest: str):
    from mfok_lint.core.metaflow_contract import MetaflowRange, MetaflowVersion

    targeted = MetaflowRange(MetaflowVersion.parse(oldest), MetaflowVersion.parse(newest))
    outcome = fix_text(textwrap.dedent(source), PATH, select=[RULE], unsafe_fixes=True, metaflow=targeted)
    assert not outcome.errors, outcome.errors
    compile(outcome.text, PATH, "exec")
    return outcome.text


def test_code_for_releases_before_2_5_1_keeps_the_pypi_click():
    # Metaflow 2.5.0 and earlier build their own CLI on the PyPI click: there is nothing to report or fix
    for source, _, _, _ in IMPORTS:
        assert _fixed_for(source, "2.4.0", "2.5.0") == textwrap.dedent(source)


@pytest.mark.parametrize("source, line, replacement", [i[:3] for i in IMPORTS], ids=[i[3] for i in IMPORTS])
def test_code_for_releases_across_2_5_1_falls_back_to_the_pypi_click(source, line, replacement):
    fixed = _fixed_for(source, "2.4.0", "2.19.39")
    assert (
        "try:  # Metaflow 2.5.1 and later build their CLI on a vendored click\n"
        f"    {replacement}\n"
        "except ImportError:  # Metaflow 2.5.0 and earlier use the PyPI click\n"
        f"    {line}\n"
    ) in fixed
    # the fallback import is not a finding: the fix converges
    assert _fixed_for(fixed, "2.4.0", "2.19.39") == fixed


def test_fallback_fix_keeps_an_indented_multi_line_import_inside_its_block():
    source = """
    def make_cli():
        from click import (
            group,
        )

        @group()
        def acme():
            pass

        return acme
    """
    fixed = _fixed_for(source, "2.4.0", "2.19.39")
    assert "    try:  # Metaflow 2.5.1" in fixed and "        from metaflow._vendor.click import (\n" in fixed
    assert "    except ImportError:" in fixed and "        from click import (\n" in fixed


def test_fallback_fix_needs_the_import_alone_on_its_line():
    source = "import click; import os\n\n\n@click.group()\ndef acme():\n    pass\n"
    (found,) = [d for d in _lint_range(source, "2.4.0", "2.19.39")]
    assert found.fix is None
    (found,) = [d for d in _lint_range(source, "2.19.39", "2.19.39")]
    assert found.fix is not None


def _lint_range(source: str, oldest: str, newest: str):
    from mfok_lint.core.metaflow_contract import MetaflowRange, MetaflowVersion
    from mfok_lint.lint.check import _rules_for, check_source

    targeted = MetaflowRange(MetaflowVersion.parse(oldest), MetaflowVersion.parse(newest))
    return [d for d in check_source(source, PATH, _rules_for(PATH, None, [RULE]), metaflow=targeted) if d.code == RULE]


def test_a_pypi_fallback_is_reported_only_where_every_targeted_release_vendors_click():
    source = """
    try:
        from metaflow._vendor import click
    except ImportError:
        import click


    @click.group()
    def acme():
        pass
    """
    assert _lint_range(textwrap.dedent(source), "2.4.0", "2.19.39") == []
    # judged against 2.19.39 alone, as before the rule knew releases: the fallback is dead code importing PyPI click
    (found,) = lint(textwrap.dedent(source), RULE, path=PATH)
    assert found.location.row == 5
