"""MFO202 env-context-in-env-block: the env context read where GitHub has not built it yet."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO202"
PATH = ".github/workflows/ci.yml"

MULTILINE_VALUE = """\
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    env:
      SCRIPT: |
        echo start
        echo ${{ env.HOME }}
    steps:
      - run: echo
"""

INVALID = [
    Invalid(
        """\
        on: [push]
        env:
          A: x
          B: y
          C: ${{ env.A }}-${{ env.B }}-${{ env.A }}
        jobs: {}
        """,
        rows=[5], message="`env.A`, `env.B`", path=PATH, why="several references in one entry give one finding",
    ),
    Invalid(MULTILINE_VALUE, rows=[6], path=PATH, why="multiline value is reported on its key"),
]

VALID = [
    Valid(
        """\
        on: [push]
        env:
          BASE: /opt
        jobs:
          test:
            runs-on: ubuntu-latest
            container:
              image: python:3.12
              env:
                A: ${{ env.BASE }}
            services:
              db:
                image: postgres
                env:
                  B: ${{ env.BASE }}
            steps:
              - run: echo "$C"
                env:
                  C: ${{ env.BASE }}/x
        """,
        path=PATH, why="step, container and service env may read the env context",
    ),
    Valid(
        """\
        on: [push]
        env:
          GH_ENV_FILE: ${{ github.env }}
          LABEL: ${{ format('env.{0}', github.ref_name) }}
          TOKEN: ${{ secrets.env }}
          PLAIN: env.HOME is fine outside an expression
          FROM_VARS: ${{ vars.ENV_NAME }}
        jobs: {}
        """,
        path=PATH, why="other contexts and string literals are not the env context",
    ),
    Valid(
        """\
        on: [push]
        env:
          A: x
          B: ${{ env.A }}  # noqa: MFO202
        jobs: {}
        """,
        path=PATH, why="noqa",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_workflow_and_job_env_maps_are_reported_on_the_entry_key():
    source = """\
    name: ci
    on: [push]
    env:
      METAFLOW_HOME: /tmp/mf
      SYSROOT: ${{ env.METAFLOW_HOME }}/datastore
    jobs:
      test:
        runs-on: ubuntu-latest
        env:
          PY: ${{ matrix.python }}
          CACHE: "${{ env['METAFLOW_HOME'] }}/cache"
        steps:
          - run: pytest
    """
    found = lint(source, RULE, path=PATH)
    assert [(d.location.row, d.location.column) for d in found] == [(5, 3), (11, 7)]
    assert "`env.METAFLOW_HOME`" in found[0].message and "workflow" in found[0].message
    assert "job `test`" in found[1].message


def test_multiline_value_is_reported_on_its_key():
    assert [(d.location.row, d.location.column) for d in lint(MULTILINE_VALUE, RULE, path=PATH)] == [(6, 7)]


def test_syntax_errors():
    broken = "on: [push]\nenv:\n  A: [unclosed\n"
    found = lint(broken, [RULE, "MFO900"], path=PATH)
    assert [d.code for d in found] == ["MFO900"]
