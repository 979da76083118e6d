"""MFO205 docker-worker-mounts (preview): worker containers that cannot see the runner's workspace and /tmp."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text

PATH = ".github/workflows/e2e.yml"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO205"]) if d.code == "MFO205"]


def run_step(script: str) -> str:
    body = textwrap.indent(textwrap.dedent(script), " " * 10)
    header = "on: [push]\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n"
    return header + f"    steps:\n      - uses: actions/checkout@v4\n      - run: |\n{body}"


def test_is_preview_only():
    source = run_step("docker run -d acme/worker\n")
    assert lint_text(source, path=PATH, settings=Settings(select=["MFO"], preview=False)) == []
    assert [d.code for d in lint_text(source, path=PATH, settings=Settings(select=["MFO"], preview=True))] == ["MFO205"]
    assert len(lint(source)) == 1


def test_missing_tmp_is_reported_on_the_docker_word():
    source = run_step(
        """\
        echo starting
        docker run -d --name acme-worker \\
          -v "$GITHUB_WORKSPACE:$GITHUB_WORKSPACE" \\
          acme/worker:1.4
        """
    )
    found = lint(source)
    assert [(d.location.row, d.location.column) for d in found] == [(9, 11)]
    assert "`/tmp` is not mounted" in found[0].message and "workspace" not in found[0].message


@pytest.mark.parametrize(
    "command",
    [
        'docker run -d -v "$GITHUB_WORKSPACE:$GITHUB_WORKSPACE" -v /tmp:/tmp acme/worker',
        "docker run -d -v ${{ github.workspace }}:${{ github.workspace }}:ro --volume=/tmp:/tmp acme/worker",
        "docker run -d --mount type=bind,source=$(pwd),target=$(pwd) --mount type=bind,src=/tmp,dst=/tmp/ acme/worker",
        "docker container run -d -v $PWD:$PWD -v /tmp:/tmp kestra/kestra:latest server local",
    ],
)
def test_both_mounts_at_host_paths_pass(command):
    assert lint(run_step(command + "\n")) == []


def test_workspace_at_another_path_is_reported():
    found = lint(run_step("docker run -d -v $(pwd):/app -v /tmp:/tmp ghcr.io/windmill-labs/windmill:main\n"))
    assert len(found) == 1
    assert "mounted at `/app`, not at its host path" in found[0].message


@pytest.mark.parametrize(
    "command",
    [
        "docker run -d --name db -p 5432:5432 postgres:16",
        "docker run --rm -e WORKERS=4 python:3.12 python -c 'print(1)'",
        "docker build -t acme/worker .",
        "docker pull acme/worker",
        "echo docker run acme/worker",
    ],
)
def test_non_worker_containers_and_other_docker_commands_pass(command):
    assert lint(run_step(command + "\n")) == []


@pytest.mark.parametrize(
    "command",
    [
        "docker run -d acme/runner celery worker",
        "docker run -d --name flow-agent acme/base",
        "docker run -d apache/airflow:2.9.0 standalone",
    ],
)
def test_workers_recognised_by_command_name_or_image(command):
    assert len(lint(run_step(command + "\n"))) == 1


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
    found = lint(source)
    assert [(d.location.row, d.location.column) for d in found] == [(8, 7), (17, 7)]
    assert "the workspace is not mounted" in found[0].message
    assert "the workspace is not mounted; `/tmp` is not mounted" in found[1].message


def test_noqa_on_the_docker_line():
    assert lint(run_step("docker run -d acme/worker  # noqa: MFO205\n")) == []
