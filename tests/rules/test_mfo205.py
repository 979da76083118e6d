"""MFO205 docker-worker-mounts (preview): worker containers that cannot see the runner's workspace and /tmp."""

from __future__ import annotations

import textwrap

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text
from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO205"
PATH = ".github/workflows/e2e.yml"


def run_step(script: str) -> str:
    body = textwrap.indent(textwrap.dedent(script), " " * 10)
    header = "on: [push]\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n"
    return header + f"    steps:\n      - uses: actions/checkout@v4\n      - run: |\n{body}"


MISSING_TMP = run_step(
    """\
    echo starting
    docker run -d --name acme-worker \\
      -v "$GITHUB_WORKSPACE:$GITHUB_WORKSPACE" \\
      acme/worker:1.4
    """
)

INVALID = [
    Invalid(MISSING_TMP, rows=[9], message="`/tmp` is not mounted", path=PATH, why="missing /tmp"),
    Invalid(
        run_step("docker run -d -v $(pwd):/app -v /tmp:/tmp ghcr.io/windmill-labs/windmill:main\n"),
        rows=[8], message="mounted at `/app`, not at its host path", path=PATH, why="workspace at another path",
    ),
] + [
    Invalid(run_step(command + "\n"), rows=[8], path=PATH, why=f"worker recognised by command name or image: {command}")
    for command in [
        "docker run -d acme/runner celery worker",
        "docker run -d --name flow-agent acme/base",
        "docker run -d apache/airflow:2.9.0 standalone",
    ]
]

VALID = [
    Valid(run_step(command + "\n"), path=PATH, why=f"both mounts at host paths: {command}")
    for command in [
        'docker run -d -v "$GITHUB_WORKSPACE:$GITHUB_WORKSPACE" -v /tmp:/tmp acme/worker',
        "docker run -d -v ${{ github.workspace }}:${{ github.workspace }}:ro --volume=/tmp:/tmp acme/worker",
        "docker run -d --mount type=bind,source=$(pwd),target=$(pwd) --mount type=bind,src=/tmp,dst=/tmp/ acme/worker",
        "docker container run -d -v $PWD:$PWD -v /tmp:/tmp kestra/kestra:latest server local",
    ]
] + [
    Valid(run_step(command + "\n"), path=PATH, why=f"not a worker or not a run: {command}")
    for command in [
        "docker run -d --name db -p 5432:5432 postgres:16",
        "docker run --rm -e WORKERS=4 python:3.12 python -c 'print(1)'",
        "docker build -t acme/worker .",
        "docker pull acme/worker",
        "echo docker run acme/worker",
    ]
] + [
    Valid(run_step("docker run -d acme/worker  # noqa: MFO205\n"), path=PATH, why="noqa on the docker line"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_is_preview_only():
    """Run by settings, not by the shared ``lint`` (which always selects, so always includes preview rules)."""
    source = run_step("docker run -d acme/worker\n")
    assert lint_text(source, path=PATH, settings=Settings(select=["MFO"], preview=False)) == []
    assert [d.code for d in lint_text(source, path=PATH, settings=Settings(select=["MFO"], preview=True))] == [RULE]
    assert len(lint(source, RULE, path=PATH)) == 1


def test_missing_tmp_is_reported_on_the_docker_word():
    found = lint(MISSING_TMP, RULE, path=PATH)
    assert [(d.location.row, d.location.column) for d in found] == [(9, 11)]
    assert "`/tmp` is not mounted" in found[0].message and "workspace" not in found[0].message


def test_services_are_checked_on_their_key():
    source = """\
    on: [push]
    jobs:
      e2e:
        runs-on: ubuntu-latest
        services:
          postgres:
            image: postgres:16
          kestra:
            image: kestra/kestra:latest
            volumes:
              - /tmp:/tmp
          worker:
            image: acme/worker:1
            volumes:
              - ${{ github.workspace }}:${{ github.workspace }}
            options: -v /tmp:/tmp --health-cmd "true"
          agent:
            image: acme/agent:1
        container:
          image: acme/worker:1
        steps:
          - run: pytest tests/e2e
    """
    found = lint(source, RULE, path=PATH)
    assert [(d.location.row, d.location.column) for d in found] == [(8, 7), (17, 7)]
    assert "the workspace is not mounted" in found[0].message
    assert "the workspace is not mounted; `/tmp` is not mounted" in found[1].message
