"""MFO104 cli-group-structure: the `CLIS_DESC` target is a click group holding one command named like the `TYPE`.

A package rule: every test lints a small extension package on disk, there being no single snippet to make a case of.
"""

from tests.rules.conftest import ACME_CLI, acme_files, lint

RULE = "MFO104"

CLI = "metaflow_extensions/acme/plugins/acme/acme_cli.py"


def test_real_layout_passes(tmp_path):
    assert lint(acme_files(), RULE, root=tmp_path) == []


def test_two_commands(tmp_path):
    files = acme_files()
    files[CLI] = ACME_CLI + "\n\n@cli.command()\ndef extra():\n    pass\n"
    found = lint(files, RULE, root=tmp_path)
    assert len(found) == 1 and "holds 2 commands (`acme`, `extra`)" in found[0].message
    assert found[0].path.endswith("mfextinit_acme.py") and found[0].location.row == 1


def test_command_named_differently_and_deployer_without_cli(tmp_path):
    files = acme_files()
    files[CLI] = ACME_CLI.replace('@cli.group(help="Acme orchestrator.")', '@cli.group(name="acme-flows")')
    found = lint(files, RULE, root=tmp_path)
    assert len(found) == 1 and "`acme-flows`" in found[0].message
    files[CLI] = ACME_CLI.replace("def acme():", "def acme_flows():")
    files["metaflow_extensions/acme/plugins/mfextinit_acme.py"] = (
        'CLIS_DESC = [("acme-flows", ".acme.acme_cli.cli")]\n'
        'DEPLOYER_IMPL_PROVIDERS_DESC = [("acme", ".acme.acme_deployer.AcmeDeployer")]\n'
    )
    found = lint(files, RULE, root=tmp_path)
    assert len(found) == 1 and found[0].location.row == 2 and "python flow.py acme create" in found[0].message


def test_target_is_a_command_not_a_group(tmp_path):
    files = acme_files()
    files[CLI] = "from metaflow._vendor import click\n\n\n@click.command()\ndef cli():\n    pass\n"
    found = lint(files, RULE, root=tmp_path)
    assert len(found) == 1 and "not a click group" in found[0].message


def test_group_used_elsewhere_is_not_judged(tmp_path):
    files = acme_files()
    files[CLI] = ACME_CLI + "\n\n@cli.command()\ndef extra():\n    pass\n\n\nregister(cli)\n"
    assert lint(files, RULE, root=tmp_path) == []


def test_noqa_on_the_entry_line(tmp_path):
    files = acme_files()
    files[CLI] = ACME_CLI + "\n\n@cli.command()\ndef extra():\n    pass\n"
    files["metaflow_extensions/acme/plugins/mfextinit_acme.py"] = (
        'CLIS_DESC = [("acme", ".acme.acme_cli.cli")]  # noqa: MFO104\n'
        'DEPLOYER_IMPL_PROVIDERS_DESC = [("acme", ".acme.acme_deployer.AcmeDeployer")]\n'
    )
    assert lint(files, RULE, root=tmp_path) == []
