"""MFO201 matrix-artifact-collision: artifact names that every matrix leg shares."""

from __future__ import annotations

import textwrap

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO201"
PATH = ".github/workflows/ci.yml"


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


CONSTANT_NAME = with_upload(
    """\
    - uses: actions/upload-artifact@v4
      with:
        name: scheduler-logs
        path: logs/
    """
)

MISSING_NAME = with_upload(
    """\
    - name: upload logs
      uses: actions/upload-artifact@v3
      with:
        path: logs/
    """
)

SINGLE_COMBINATION = """\
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

COVERAGE = with_upload(
    """\
    - uses: actions/upload-artifact@v4
      with:
        name: coverage
    """
)

INVALID = [
    Invalid(CONSTANT_NAME, rows=[16], message="scheduler-logs", path=PATH, why="constant name, on the name key"),
    Invalid(MISSING_NAME, rows=[15], message="`artifact`", path=PATH, why="missing name, on uses"),
    Invalid(
        with_upload(
            """\
            - uses: actions/upload-artifact@v4
              env:
                LEG: logs
              with:
                name: ${{ env.LEG }}
            """
        ),
        rows=[18], path=PATH, why="name through env that is constant",
    ),
    Invalid(
        with_upload(
            """\
            - uses: actions/upload-artifact@v4
              with:
                name: logs-${{ github.run_id }}-${{ runner.os }}
            """
        ),
        rows=[16], path=PATH, why="other expressions do not make the name unique",
    ),
    Invalid(
        SINGLE_COMBINATION.replace(
            'python: ["3.12"]', 'python: ["3.12"]\n        include:\n          - python: "3.13"'
        ),
        rows=[13], path=PATH, why="a single combination plus an include is two",
    ),
    Invalid(
        """\
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
        """,
        rows=[15], path=PATH, why="computed matrix counts and every job is checked",
    ),
    Invalid(COVERAGE, rows=[16], path="ci/.github/workflows/test.yaml", why="a workflow path below the root"),
]

VALID = [
    Valid(
        with_upload(
            f"""\
            - uses: actions/upload-artifact@v4
              with:
                name: "{name}"
                path: logs/
            """
        ),
        path=PATH, why=f"name varies with the matrix: {name}",
    )
    for name in [
        "logs-${{ matrix.os }}-${{ matrix.python }}",
        "logs-${{ strategy.job-index }}",
        "${{ format('logs-{0}', matrix.python) }}",
        "logs-${{ matrix['python'] }}",
    ]
] + [
    Valid(
        with_upload(
            """\
            - uses: actions/upload-artifact@v4
              env:
                LEG: py${{ matrix.python }}-${{ matrix.os }}
              with:
                name: logs-${{ env.LEG }}
            """
        ),
        path=PATH, why="name through env set from the matrix",
    ),
    Valid(
        with_upload(
            """\
            - uses: actions/upload-artifact@v4
              if: matrix.os == 'ubuntu-latest' && matrix.python == '3.12'
              with:
                name: coverage
            """
        ),
        path=PATH, why="upload restricted to one leg",
    ),
    Valid(
        """\
        on: [push]
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@v4
                with:
                  name: dist
        """,
        path=PATH, why="job without matrix",
    ),
    Valid(SINGLE_COMBINATION, path=PATH, why="single combination matrix"),
    Valid(
        with_upload(
            """\
            - uses: actions/upload-artifact@v4
              with:
                name: coverage  # noqa: MFO201
            """
        ),
        path=PATH, why="noqa on the reported line suppresses",
    ),
    Valid(COVERAGE, path="docs/example.yml", why="only workflow paths are linted as workflows"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_reports_point_at_the_name_key_or_at_uses():
    assert [(d.location.row, d.location.column) for d in lint(CONSTANT_NAME, RULE, path=PATH)] == [(16, 11)]
    assert [(d.location.row, d.location.column) for d in lint(MISSING_NAME, RULE, path=PATH)] == [(15, 9)]
