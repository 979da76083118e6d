"""MFO202 env-context-in-env-block: the env context read where GitHub has not built it yet."""

from __future__ import annotations

import textwrap

from mfok_lint.lint.check import lint_text

PATH = ".github/workflows/ci.yml"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO202"]) if d.code == "MFO202"]


def positions(source: str):
    return [(d.location.row, d.location.column) for d in lint(source)]


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
    found = lint(source)
    assert [(d.location.row, d.location.column) for d in found] == [(5, 3), (11, 7)]
    assert "`env.METAFLOW_HOME`" in found[0].message and "workflow" in found[0].message
    assert "job `test`" in found[1].message


def test_step_container_and_service_env_may_read_the_env_context():
    source = """\
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
    """
    assert lint(source) == []


def test_other_contexts_and_string_literals_are_not_the_env_context():
    source = """\
    on: [push]
    env:
      GH_ENV_FILE: ${{ github.env }}
      LABEL: ${{ format('env.{0}', github.ref_name) }}
      TOKEN: ${{ secrets.env }}
      PLAIN: env.HOME is fine outside an expression
      FROM_VARS: ${{ vars.ENV_NAME }}
    jobs: {}
    """
    assert lint(source) == []


def test_several_references_in_one_entry_give_one_finding():
    source = """\
    on: [push]
    env:
      A: x
      B: y
      C: ${{ env.A }}-${{ env.B }}-${{ env.A }}
    jobs: {}
    """
    found = lint(source)
    assert len(found) == 1 and found[0].location.row == 5
    assert "`env.A`, `env.B`" in found[0].message


def test_multiline_value_is_reported_on_its_key():
    source = """\
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
    assert positions(source) == [(6, 7)]


def test_noqa_and_syntax_errors():
    source = """\
    on: [push]
    env:
      A: x
      B: ${{ env.A }}  # noqa: MFO202
    jobs: {}
    """
    assert lint(source) == []
    broken = "on: [push]\nenv:\n  A: [unclosed\n"
    found = lint_text(broken, path=PATH, select=["MFO202", "MFO900"])
    assert [d.code for d in found] == ["MFO900"]
