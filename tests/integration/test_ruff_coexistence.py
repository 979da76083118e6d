"""Real ruff reading our noqa comments: with ``external = ["MFO"]`` it keeps them; MFO901 finds the unused ones."""

import subprocess

from tests.conftest import tool

SOURCE = '''import acme_sdk

from metaflow._vendor import click


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    acme_sdk.Client().start(parameters=run_params)  # noqa: MFO001
    return 1  # noqa: MFO001
'''


def _ruff(cwd, external):
    config = '[tool.ruff.lint]\nselect = ["RUF100", "RUF102"]\npreview = true\n'
    if external:
        config += 'external = ["MFO"]\n'
    (cwd / "pyproject.toml").write_text(config)
    proc = subprocess.run(
        [tool("ruff"), "check", "--no-cache", "--output-format", "json", "."], cwd=cwd, capture_output=True, text=True
    )
    assert proc.returncode in (0, 1), proc.stderr
    import json

    return [(d["code"], d["location"]["row"]) for d in json.loads(proc.stdout)]


def test_ruff_flags_our_codes_without_external(tmp_path):
    (tmp_path / "cli.py").write_text(SOURCE)
    found = _ruff(tmp_path, external=False)
    assert ("RUF102", 9) in found and ("RUF102", 10) in found


def test_ruff_keeps_our_noqa_with_external_and_mfo901_finds_unused(tmp_path):
    (tmp_path / "cli.py").write_text(SOURCE)
    assert _ruff(tmp_path, external=True) == []
    proc = subprocess.run(
        [tool("mfok-lint"), "check", "--no-cache", "--output-format", "concise", "cli.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("cli.py:")]
    assert lines == ["cli.py:10:15: MFO901 [*] Unused `noqa` directive (unused: `MFO001`)"], proc.stdout
    assert proc.returncode == 1
