"""MFO203 miniconda-bin-not-on-path: conda tests after setup-miniconda with only `condabin` on PATH."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = ".github/workflows/ci.yml"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO203"]) if d.code == "MFO203"]


def positions(source: str):
    return [(d.location.row, d.location.column) for d in lint(source)]


def job(*steps: str, env: str = "") -> str:
    body = "".join(textwrap.indent(textwrap.dedent(s), "      ") for s in steps)
    env_block = f"    env:\n      {env}\n" if env else ""
    return f"name: ci\non: [push]\njobs:\n  conda:\n    runs-on: ubuntu-latest\n{env_block}    steps:\n{body}"


SETUP = """\
- uses: conda-incubator/setup-miniconda@v3
  with:
    miniforge-version: latest
"""


def test_conda_tests_without_bin_are_reported_on_the_setup_uses_key():
    source = job("- uses: actions/checkout@v4\n", SETUP, "- run: pytest -m conda tests/\n")
    found = lint(source)
    assert [(d.location.row, d.location.column) for d in found] == [(8, 9)]
    assert "condabin" in found[0].message


@pytest.mark.parametrize(
    "add_path",
    [
        'echo "$CONDA/bin" >> "$GITHUB_PATH"',
        "echo ${CONDA}/bin >> $GITHUB_PATH",
        'echo "${{ env.CONDA }}/bin/" >> ${GITHUB_PATH}',
        'echo "$CONDA_PREFIX/bin" | tee -a "$GITHUB_PATH"',
    ],
)
def test_full_bin_on_github_path_passes(add_path):
    source = job(SETUP, f"- run: {add_path}\n", "- run: pytest -m conda tests/\n")
    assert lint(source) == []


def test_condabin_is_not_enough_and_is_named():
    source = job(SETUP, '- run: echo "$CONDA/condabin" >> "$GITHUB_PATH"\n', "- run: pytest -m conda\n")
    found = lint(source)
    assert len(found) == 1 and "`$CONDA/condabin`" in found[0].message


def test_bin_added_after_the_tests_does_not_count():
    source = job(SETUP, "- run: pytest -m conda\n", '- run: echo "$CONDA/bin" >> "$GITHUB_PATH"\n')
    assert len(lint(source)) == 1


@pytest.mark.parametrize(
    "test_step",
    [
        "- run: pytest tests/\n",
        '- run: pytest -m "not conda" tests/\n',
        "- run: conda build recipe/\n",
        "- run: pytest tests/\n  env:\n    CONDA_PKGS_DIRS: /tmp/pkgs\n",
        "- run: pytest tests/\n"
        "  env:\n"
        "    METAFLOW_PATH_TO_MICROMAMBA: /opt/micromamba/bin/micromamba\n"
        "    MFOK_CONDA: '1'\n",
    ],
)
def test_jobs_that_do_not_run_conda_tests_pass(test_step):
    assert lint(job(SETUP, test_step)) == []


@pytest.mark.parametrize(
    "test_step, env",
    [
        ("- run: pytest tests/\n", 'MFOK_CONDA_TESTS: "true"'),
        ("- run: MFOK_CONDA_TESTS=1 python -m pytest tests/\n", ""),
        ("- run: pytest tests/test_conda_decorator.py\n", ""),
        ("- run: pytest --with-conda tests/\n", ""),
        ("- shell: bash -el {0}\n  run: |\n    pip install -e .\n    pytest -m 'conda or pypi' tests/\n", ""),
    ],
)
def test_ways_conda_tests_are_enabled(test_step, env):
    assert positions(job(SETUP, test_step, env=env)) == [(9 if env else 7, 9)]


def test_conda_tests_before_the_setup_step_do_not_count():
    source = job("- run: pytest -m conda\n", SETUP)
    assert lint(source) == []


def test_job_without_setup_miniconda_passes():
    assert lint(job("- run: pytest -m conda\n")) == []


def test_noqa_on_the_uses_line():
    setup = SETUP.replace("@v3", "@v3  # noqa: MFO203")
    assert lint(job(setup, "- run: pytest -m conda\n")) == []


def test_bin_added_before_the_setup_step_counts():
    source = job('- run: echo "/usr/share/miniconda/bin" >> "$GITHUB_PATH"\n', SETUP, "- run: pytest -m conda\n")
    assert lint(source) == []
