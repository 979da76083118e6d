"""MFO204 parallel-conda-without-loadfile: conda tests spread over xdist workers file by test."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from mfok_lint.lint.fixes import fix_text
from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO204"
PATH = ".github/workflows/ci.yml"


def positions(source: str):
    return [(d.location.row, d.location.column) for d in lint(source, RULE, path=PATH)]


def workflow(script: str, env: str = 'MFOK_CONDA_TESTS: "1"') -> str:
    body = textwrap.indent(textwrap.dedent(script), " " * 10)
    header = f"name: ci\non: [push]\nenv:\n  {env}\n"
    return header + f"jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n{body}"


def label(script: str) -> str:
    return script.strip().replace("\n", "; ")


OPTIONS = ["-n auto", "-n 4", "-n4", "-n=4", "--numprocesses 2", "--numprocesses=logical", "-n $WORKERS"]

CONTINUATION_LINES = workflow("python -m pytest tests/ \\\n  -x \\\n  --numprocesses auto\necho done\n")

SWITCH_FROM_GITHUB_ENV_AND_STEP_ENV = """\
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

MATRIX_VALUES = """\
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

FOLDED_SCRIPTS = """\
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

def action_step(uses: str, inputs: str, env: str = 'MFOK_CONDA_TESTS: "1"') -> str:
    """A workflow whose one step is an action given ``inputs`` (YAML lines of its ``with:`` map)."""
    body = textwrap.indent(textwrap.dedent(inputs), " " * 10)
    header = f"name: ci\non: [push]\nenv:\n  {env}\n"
    return header + f"jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {uses}\n        with:\n{body}"


# Options given to an action's inputs are options all the same: a retry wrapper's command, an xvfb action's
# script, a pytest action's arguments.
ACTION_INPUTS = [
    ("nick-fields/retry@v3", "timeout_minutes: 30\nmax_attempts: 2\ncommand: python -m pytest tests/ -n auto\n", 13),
    ("GabrielBB/xvfb-action@v1", "run: pytest -n 2 tests/\noptions: -screen 0 1024x768x24\n", 11),
    ("coactions/setup-xvfb@v1", "run: |\n  pip install -e .\n  pytest -n 4 tests/\n", 13),
    ("dariocurr/pytest-summary@v2", "options: -n 4\npaths: tests/\n", 11),
    ("acme/run-tests@v1", "pytest-args: --cov -n auto\n", 11),
]

INVALID = [
    Invalid(action_step(uses, inputs), rows=[row], path=PATH, why=f"options in an action's inputs: {uses}")
    for uses, inputs, row in ACTION_INPUTS
] + [
    Invalid(
        workflow(f"pip install -e .\npytest tests/ {option}\n"), rows=[11], path=PATH, why=f"worker option {option}"
    )
    for option in OPTIONS
] + [
    Invalid(
        workflow(script, env="OTHER: '1'"), rows=[row], path=PATH,
        why=f"conda selected by command or shell env: {label(script)}",
    )
    for script, row in [
        ("pytest -n auto -m conda tests/\n", 10),
        ("python -m pytest -n auto -m 'conda and not slow'\n", 10),
        ("uv run pytest -n 8 --run-conda\n", 10),
        ("pytest -n 2 tests/test_conda_envs.py\n", 10),
        ("METAFLOW_CONDA_TEST=1 pytest -n 2 tests/\n", 10),
        ("export RUN_CONDA=true\npytest -n 2 tests/\n", 11),
    ]
] + [
    Invalid(workflow(script), rows=[10], path=PATH, why=f"wrapped pytest command: {label(script)}")
    for script in [
        "timeout 1800 pytest -n 4 tests/\n",
        "conda run -n test pytest -n 4 tests/\n",
        "coverage run -m pytest -n 4 tests/\n",
        "python3.12 -m pytest -n 4 tests/\n",
    ]
] + [
    Invalid(CONTINUATION_LINES, rows=[12], path=PATH, why="continuation lines report the physical line of the option"),
    Invalid(
        SWITCH_FROM_GITHUB_ENV_AND_STEP_ENV, rows=[7, 11], path=PATH, why="conda switch from GITHUB_ENV and step env"
    ),
    Invalid(MATRIX_VALUES, rows=[12], path=PATH, why="matrix values decide switch and worker count"),
    Invalid(
        workflow("pytest -n 4 --dist loadscope tests/\n"), rows=[10], message="--dist loadscope", no_fix=True,
        path=PATH,
        why="explicit other distribution is reported without a fix",
    ),
    Invalid(FOLDED_SCRIPTS, rows=[8], path=PATH, why="folded scripts and commented switches"),
]

VALID = [
    Valid(action_step(uses, inputs), path=PATH, why=f"action inputs: {uses}: {label(inputs)}")
    for uses, inputs in [
        ("nick-fields/retry@v3", "command: python -m pytest tests/ -n auto --dist loadfile\n"),
        ("nick-fields/retry@v3", "shell: pwsh\ncommand: pytest -n auto\n"),
        ("actions/github-script@v7", "script: |\n  pytest -n 4\n"),
        ("GabrielBB/xvfb-action@v1", "run: pytest tests/\noptions: -n 4\n"),
        ("codecov/codecov-action@v4", "files: coverage.xml\nfail_ci_if_error: false\n"),
        ("irongut/CodeCoverageSummary@v1.3.0", 'filename: coverage.xml\nthresholds: "50 80"\n'),
        ("dariocurr/pytest-summary@v2", "options: -n 4 -m 'not conda'\n"),
    ]
] + [
    Valid(workflow(script), path=PATH, why=f"grouped, serial or conda-free: {label(script)}")
    for script in [
        "pytest -n 4 --dist loadfile tests/\n",
        "pytest -n 4 --dist=loadgroup tests/\n",
        "pytest -n 1 tests/\n",
        "pytest -n 0 tests/\n",
        "pytest tests/\n",
        "PYTEST_ADDOPTS='--dist loadfile' pytest -n auto tests/\n",
        'pytest -n auto -m "not conda" tests/\n',
        "# pytest -n auto tests/\n",
        "echo pytest -n auto\n",
    ]
] + [
    Valid(workflow("pytest -n auto tests/\n", env="OTHER: '1'"), path=PATH, why="without a conda switch"),
    Valid(workflow("pytest -n auto tests/\n", env="MFOK_CONDA_TESTS: '0'"), path=PATH, why="conda switch off"),
    Valid(
        workflow("pytest -n auto tests/\n", env="CONDA_PKGS_DIRS: /tmp/pkgs"), path=PATH,
        why="conda's own variables are paths, not switches",
    ),
    Valid(workflow("pytest -n auto tests/  # noqa: MFO204\n"), path=PATH, why="noqa on the reported line"),
] + [
    Valid(workflow(script), path=PATH, why=f"installs are not pytest: {label(script)}")
    for script in [
        "uv pip install pytest pytest-xdist -n 4\n",
        "conda install -n test pytest\n",
        "python -m pip install pytest -n 4\n",
    ]
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize("option", OPTIONS)
def test_parallel_conda_runs_are_reported_on_the_worker_option(option):
    found = lint(workflow(f"pip install -e .\npytest tests/ {option}\n"), RULE, path=PATH)
    assert [(d.location.row, d.location.column) for d in found] == [(11, 25)]
    assert found[0].end_location.column - found[0].location.column == len(option)


def test_continuation_lines_report_the_physical_line_of_the_option():
    assert positions(CONTINUATION_LINES) == [(12, 13)]


def test_conda_switch_from_github_env_and_step_env():
    assert positions(SWITCH_FROM_GITHUB_ENV_AND_STEP_ENV) == [(7, 21), (11, 21)]


def test_matrix_values_decide_switch_and_worker_count():
    assert positions(MATRIX_VALUES) == [(12, 21)]


def test_fix_adds_dist_loadfile_and_converges():
    """A workflow fix, so checked by hand: ``assert_fix`` reads its result as Python."""
    source = workflow("pip install -e .\npytest tests/ -n auto -x\n")
    outcome = fix_text(source, PATH, select=[RULE])
    assert not outcome.errors
    assert "pytest tests/ -n auto --dist loadfile -x\n" in outcome.text
    yaml.safe_load(outcome.text)
    assert lint(outcome.text, RULE, path=PATH) == []
    assert fix_text(outcome.text, PATH, select=[RULE]).text == outcome.text
    # nothing but the inserted words changed
    assert outcome.text.replace(" --dist loadfile", "") == source


def test_fix_in_an_action_input():
    source = action_step("dariocurr/pytest-summary@v2", "options: -n 4 -m conda\n", env="OTHER: '1'")
    outcome = fix_text(source, PATH, select=[RULE])
    assert "options: -n 4 --dist loadfile -m conda\n" in outcome.text
    assert lint(outcome.text, RULE, path=PATH) == []


def test_folded_scripts_and_commented_switches():
    assert positions(FOLDED_SCRIPTS) == [(8, 11)]
    fixed = fix_text(textwrap.dedent(FOLDED_SCRIPTS), PATH, select=[RULE]).text
    assert "          -n 4 --dist loadfile\n" in fixed
