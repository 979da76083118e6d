"""MFO201 matrix-artifact-collision: artifact names that every matrix leg shares."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = ".github/workflows/ci.yml"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO201"]) if d.code == "MFO201"]


def rows(source: str):
    return [d.location.row for d in lint(source)]


MATRIX_JOB = """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ${{{{ matrix.os }}}}
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-latest, macos-latest]
        python: ["3.10", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - run: pytest tests/
{upload}
"""


def with_upload(upload: str) -> str:
    return MATRIX_JOB.format(upload=textwrap.indent(textwrap.dedent(upload), "      "))


def test_constant_name_is_reported_on_the_name_key():
    source = with_upload(
        """\
        - uses: actions/upload-artifact@v4
          with:
            name: scheduler-logs
            path: logs/
        """
    )
    found = lint(source)
    assert [(d.location.row, d.location.column) for d in found] == [(16, 11)]
    assert "scheduler-logs" in found[0].message


def test_missing_name_is_reported_on_uses():
    source = with_upload(
        """\
        - name: upload logs
          uses: actions/upload-artifact@v3
          with:
            path: logs/
        """
    )
    found = lint(source)
    assert [(d.location.row, d.location.column) for d in found] == [(15, 9)]
    assert "`artifact`" in found[0].message


@pytest.mark.parametrize(
    "name",
    [
        "logs-${{ matrix.os }}-${{ matrix.python }}",
        "logs-${{ strategy.job-index }}",
        "${{ format('logs-{0}', matrix.python) }}",
        "logs-${{ matrix['python'] }}",
    ],
)
def test_names_that_vary_with_the_matrix_pass(name):
    source = with_upload(
        f"""\
        - uses: actions/upload-artifact@v4
          with:
            name: "{name}"
            path: logs/
        """
    )
    assert lint(source) == []


def test_name_through_env_set_from_the_matrix_passes():
    source = with_upload(
        """\
        - uses: actions/upload-artifact@v4
          env:
            LEG: py${{ matrix.python }}-${{ matrix.os }}
          with:
            name: logs-${{ env.LEG }}
        """
    )
    assert lint(source) == []


def test_name_through_env_that_is_constant_is_reported():
    source = with_upload(
        """\
        - uses: actions/upload-artifact@v4
          env:
            LEG: logs
          with:
            name: ${{ env.LEG }}
        """
    )
    assert rows(source) == [18]


def test_upload_restricted_to_one_leg_passes():
    source = with_upload(
        """\
        - uses: actions/upload-artifact@v4
          if: matrix.os == 'ubuntu-latest' && matrix.python == '3.12'
          with:
            name: coverage
        """
    )
    assert lint(source) == []


def test_other_expressions_do_not_make_the_name_unique():
    source = with_upload(
        """\
        - uses: actions/upload-artifact@v4
          with:
            name: logs-${{ github.run_id }}-${{ runner.os }}
        """
    )
    assert rows(source) == [16]


def test_job_without_matrix_passes():
    source = """\
    on: [push]
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/upload-artifact@v4
            with:
              name: dist
    """
    assert lint(source) == []


def test_single_combination_matrix_passes_but_include_counts():
    single = """\
    on: [push]
    jobs:
      build:
        strategy:
          matrix:
            python: ["3.12"]
        runs-on: ubuntu-latest
        steps:
          - uses: actions/upload-artifact@v4
            with:
              name: dist
    """
    assert lint(single) == []
    with_include = single.replace(
        'python: ["3.12"]', 'python: ["3.12"]\n            include:\n              - python: "3.13"'
    )
    assert rows(with_include) == [13]


def test_computed_matrix_counts_and_every_job_is_checked():
    source = """\
    on: [push]
    jobs:
      plan:
        runs-on: ubuntu-latest
        steps:
          - run: echo plan
      test:
        needs: plan
        strategy:
          matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}
        runs-on: ubuntu-latest
        steps:
          - uses: actions/upload-artifact@2c7a0c4a1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f
            with:
              name: results
          - uses: actions/upload-artifact/merge@v4
          - uses: actions/download-artifact@v4
            with:
              name: results
    """
    assert rows(source) == [15]


def test_noqa_on_the_reported_line_suppresses():
    source = with_upload(
        """\
        - uses: actions/upload-artifact@v4
          with:
            name: coverage  # noqa: MFO201
        """
    )
    assert lint(source) == []


def test_only_workflow_paths_are_linted_as_workflows():
    source = with_upload(
        """\
        - uses: actions/upload-artifact@v4
          with:
            name: coverage
        """
    )
    assert lint_text(source, path="docs/example.yml", select=["MFO201"]) == []
    assert [d.code for d in lint_text(source, path="ci/.github/workflows/test.yaml", select=["MFO201"])] == ["MFO201"]
