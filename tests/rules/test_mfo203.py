"""MFO203 miniconda-bin-not-on-path: conda tests after setup-miniconda with only `condabin` on PATH."""

from __future__ import annotations

import textwrap

import pytest

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO203"
PATH = ".github/workflows/ci.yml"


def job(*steps: str, env: str = "") -> str:
    body = "".join(textwrap.indent(textwrap.dedent(s), "      ") for s in steps)
    env_block = f"    env:\n      {env}\n" if env else ""
    return f"name: ci\non: [push]\njobs:\n  conda:\n    runs-on: ubuntu-latest\n{env_block}    steps:\n{body}"


SETUP = """\
- uses: conda-incubator/setup-miniconda@v3
  with:
    miniforge-version: latest
"""


# Reported on the `uses` key of the setup step (column 9): its row is 7, or 9 after a job `env` block.
ON_SETUP_USES = [
    Invalid(
        job("- uses: actions/checkout@v4\n", SETUP, "- run: pytest -m conda tests/\n"), rows=[8], message="condabin",
        path=PATH, why="conda tests without bin",
    ),
] + [
    Invalid(job(SETUP, test_step, env=env), rows=[9 if env else 7], path=PATH, why=f"conda tests enabled by {why}")
    for test_step, env, why in [
        ("- run: pytest tests/\n", 'MFOK_CONDA_TESTS: "true"', "the job env"),
        ("- run: MFOK_CONDA_TESTS=1 python -m pytest tests/\n", "", "the command's env"),
        ("- run: pytest tests/test_conda_decorator.py\n", "", "a conda test file"),
        ("- run: pytest --with-conda tests/\n", "", "a pytest option"),
        (
            "- shell: bash -el {0}\n  run: |\n    pip install -e .\n    pytest -m 'conda or pypi' tests/\n",
            "",
            "a marker",
        ),
    ]
]

INVALID = ON_SETUP_USES + [
    Invalid(
        job(SETUP, "- uses: nick-fields/retry@v3\n  with:\n    max_attempts: 2\n    command: pytest -m conda tests/\n"),
        rows=[7], path=PATH, why="conda tests run by an action's command input",
    ),
    Invalid(
        job(SETUP, '- run: echo "$CONDA/condabin" >> "$GITHUB_PATH"\n', "- run: pytest -m conda\n"),
        rows=[7], message="`$CONDA/condabin`", path=PATH, why="condabin is not enough and is named",
    ),
    Invalid(
        job(SETUP, "- run: pytest -m conda\n", '- run: echo "$CONDA/bin" >> "$GITHUB_PATH"\n'),
        rows=[7], path=PATH, why="bin added after the tests does not count",
    ),
]

VALID = [
    Valid(
        job(SETUP, f"- run: {add_path}\n", "- run: pytest -m conda tests/\n"), path=PATH,
        why=f"full bin on GITHUB_PATH: {add_path}",
    )
    for add_path in [
        'echo "$CONDA/bin" >> "$GITHUB_PATH"',
        "echo ${CONDA}/bin >> $GITHUB_PATH",
        'echo "${{ env.CONDA }}/bin/" >> ${GITHUB_PATH}',
        'echo "$CONDA_PREFIX/bin" | tee -a "$GITHUB_PATH"',
    ]
] + [
    Valid(job(SETUP, test_step), path=PATH, why=f"no conda tests: {why}")
    for test_step, why in [
        ("- run: pytest tests/\n", "plain pytest"),
        ('- run: pytest -m "not conda" tests/\n', "not conda"),
        ("- run: conda build recipe/\n", "conda build"),
        ("- run: pytest tests/\n  env:\n    CONDA_PKGS_DIRS: /tmp/pkgs\n", "a conda path variable"),
        (
            (
                "- run: pytest tests/\n"
                "  env:\n"
                "    METAFLOW_PATH_TO_MICROMAMBA: /opt/micromamba/bin/micromamba\n"
                "    MFOK_CONDA: '1'\n"
            ),
            "a micromamba path and MFOK_CONDA",
        ),
    ]
] + [
    Valid(job("- run: pytest -m conda\n", SETUP), path=PATH, why="conda tests before the setup step do not count"),
    Valid(job("- run: pytest -m conda\n"), path=PATH, why="job without setup-miniconda"),
    Valid(
        job(SETUP.replace("@v3", "@v3  # noqa: MFO203"), "- run: pytest -m conda\n"), path=PATH,
        why="noqa on the uses line",
    ),
    Valid(
        job('- run: echo "/usr/share/miniconda/bin" >> "$GITHUB_PATH"\n', SETUP, "- run: pytest -m conda\n"),
        path=PATH, why="bin added before the setup step counts",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize("case", ON_SETUP_USES, ids=lambda case: case.why)
def test_reported_on_the_setup_uses_key(case):
    assert [(d.location.row, d.location.column) for d in lint(case.code, RULE, path=PATH)] == [(case.rows[0], 9)]
