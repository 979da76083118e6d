"""MFO204 parallel-conda-without-loadfile: conda tests spread over xdist workers file by test."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from mfok_lint.lint.check import lint_text
from mfok_lint.lint.fixes import fix_text

PATH = ".github/workflows/ci.yml"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO204"]) if d.code == "MFO204"]


def positions(source: str):
    return [(d.location.row, d.location.column) for d in lint(source)]


def workflow(script: str, env: str = 'MFOK_CONDA_TESTS: "1"') -> str:
    body = textwrap.indent(textwrap.dedent(script), " " * 10)
    header = f"name: ci\non: [push]\nenv:\n  {env}\n"
    return header + f"jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n{body}"


@pytest.mark.parametrize(
    "option", ["-n auto", "-n 4", "-n4", "-n=4", "--numprocesses 2", "--numprocesses=logical", "-n $WORKERS"]
)
def test_parallel_conda_runs_are_reported_on_the_worker_option(option):
    source = workflow(f"pip install -e .\npytest tests/ {option}\n")
    found = lint(source)
    assert [(d.location.row, d.location.column) for d in found] == [(11, 25)]
    assert found[0].end_location.column - found[0].location.column == len(option)


@pytest.mark.parametrize(
    "script",
    [
        "pytest -n 4 --dist loadfile tests/\n",
        "pytest -n 4 --dist=loadgroup tests/\n",
        "pytest -n 1 tests/\n",
        "pytest -n 0 tests/\n",
        "pytest tests/\n",
        "PYTEST_ADDOPTS='--dist loadfile' pytest -n auto tests/\n",
        'pytest -n auto -m "not conda" tests/\n',
        "# pytest -n auto tests/\n",
        "echo pytest -n auto\n",
    ],
)
def test_grouped_serial_or_conda_free_runs_pass(script):
    assert lint(workflow(script)) == []


def test_without_a_conda_switch_parallel_runs_pass():
    assert lint(workflow("pytest -n auto tests/\n", env="OTHER: '1'")) == []
    assert lint(workflow("pytest -n auto tests/\n", env="MFOK_CONDA_TESTS: '0'")) == []
    # conda's own variables are paths, not switches
    assert lint(workflow("pytest -n auto tests/\n", env="CONDA_PKGS_DIRS: /tmp/pkgs")) == []


@pytest.mark.parametrize(
    "script",
    [
        "pytest -n auto -m conda tests/\n",
        "python -m pytest -n auto -m 'conda and not slow'\n",
        "uv run pytest -n 8 --run-conda\n",
        "pytest -n 2 tests/test_conda_envs.py\n",
        "METAFLOW_CONDA_TEST=1 pytest -n 2 tests/\n",
        "export RUN_CONDA=true\npytest -n 2 tests/\n",
    ],
)
def test_conda_selected_by_command_or_shell_env(script):
    assert len(lint(workflow(script, env="OTHER: '1'"))) == 1


def test_continuation_lines_report_the_physical_line_of_the_option():
    source = workflow("python -m pytest tests/ \\\n  -x \\\n  --numprocesses auto\necho done\n")
    assert positions(source) == [(12, 13)]


def test_conda_switch_from_github_env_and_step_env():
    source = """\
    on: [push]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - run: echo "WITH_CONDA=1" >> "$GITHUB_ENV"
          - run: pytest -n auto
      step-env:
        runs-on: ubuntu-latest
        steps:
          - run: pytest -n auto
            env:
              MFOK_CONDA: "yes"
          - run: pytest -n auto
    """
    assert positions(source) == [(7, 21), (11, 21)]


def test_matrix_values_decide_switch_and_worker_count():
    source = """\
    on: [push]
    jobs:
      test:
        strategy:
          matrix:
            conda: ["0", "1"]
            workers: [1, 4]
        runs-on: ubuntu-latest
        env:
          MFOK_CONDA_TESTS: ${{ matrix.conda }}
        steps:
          - run: pytest -n ${{ matrix.workers }}
      serial:
        strategy:
          matrix:
            workers: [0, 1]
        runs-on: ubuntu-latest
        env:
          MFOK_CONDA_TESTS: "1"
        steps:
          - run: pytest -n ${{ matrix.workers }}
    """
    assert positions(source) == [(12, 21)]


def test_explicit_other_distribution_is_reported_without_a_fix():
    found = lint(workflow("pytest -n 4 --dist loadscope tests/\n"))
    assert len(found) == 1
    assert "--dist loadscope" in found[0].message
    assert found[0].fix is None


def test_fix_adds_dist_loadfile_and_converges():
    source = workflow("pip install -e .\npytest tests/ -n auto -x\n")
    outcome = fix_text(source, PATH, select=["MFO204"])
    assert not outcome.errors
    assert "pytest tests/ -n auto --dist loadfile -x\n" in outcome.text
    yaml.safe_load(outcome.text)
    assert lint_text(outcome.text, path=PATH, select=["MFO204"]) == []
    assert fix_text(outcome.text, PATH, select=["MFO204"]).text == outcome.text
    # nothing but the inserted words changed
    assert outcome.text.replace(" --dist loadfile", "") == source


def test_noqa_on_the_reported_line():
    assert lint(workflow("pytest -n auto tests/  # noqa: MFO204\n")) == []


def test_folded_scripts_and_commented_switches():
    source = """\
    on: [push]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - run: >
              pytest tests/
              -n 4
              -m conda
          - run: |
              # echo "MFOK_CONDA=1" >> "$GITHUB_ENV"
              echo "OTHER=1" >> "$GITHUB_ENV"
          - run: pytest -n 4 tests/
    """
    found = lint(source)
    assert [(d.location.row, d.location.column) for d in found] == [(8, 11)]
    fixed = fix_text(textwrap.dedent(source), PATH, select=["MFO204"]).text
    assert "          -n 4 --dist loadfile\n" in fixed


@pytest.mark.parametrize(
    "script, reported",
    [
        ("timeout 1800 pytest -n 4 tests/\n", True),
        ("conda run -n test pytest -n 4 tests/\n", True),
        ("coverage run -m pytest -n 4 tests/\n", True),
        ("python3.12 -m pytest -n 4 tests/\n", True),
        ("uv pip install pytest pytest-xdist -n 4\n", False),
        ("conda install -n test pytest\n", False),
        ("python -m pip install pytest -n 4\n", False),
    ],
)
def test_wrapped_pytest_commands_and_installs(script, reported):
    assert bool(lint(workflow(script))) is reported
