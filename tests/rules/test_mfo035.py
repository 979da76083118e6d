"""MFO035 container-artifacts-root-owned: a container writes into a host directory as the image's user."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, lint, passes_prefilter, rule_cases

RULE = "MFO035"
PATH = "metaflow_extensions/acme/plugins/acme/acme_worker.py"

# The shape of MFO205's worker container (`docker run -d --name acme-worker -v ...`), started from the
# extension's own code instead of a workflow.
SHELL_WORKER = '''
import subprocess


def start_worker(image):
    subprocess.run(
        f"docker run -d --name acme-worker -v $PWD:$PWD -v /tmp:/tmp -w $PWD {image}",
        shell=True,
        check=True,
    )
'''

ARGV_STEP = """
import os
import subprocess
import sys


def run_in_container(image, flow_file, step_name, run_id, task_id):
    sysroot = os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL") or os.getcwd()
    cmd = ["docker", "run", "--rm", "-v", f"{sysroot}:{sysroot}", "-w", sysroot, image,
           "python", flow_file, "step", step_name, "--run-id", run_id, "--task-id", task_id]
    subprocess.run(cmd, check=True)
"""

SDK_STEP = """
import os

import docker


def run_in_container(image, step_cmd):
    client = docker.from_env()
    root = os.path.join(os.getcwd(), ".metaflow")
    client.containers.run(image, step_cmd, volumes={root: {"bind": root, "mode": "rw"}}, remove=True)
"""

VALID = [
    Valid(SHELL_WORKER.replace("-d --name", '-d --user "$(id -u):$(id -g)" --name'), path=PATH, why="--user $(id -u):$(id -g)"),
    Valid(
        ARGV_STEP.replace('"--rm",', '"--rm", "--user", f"{os.getuid()}:{os.getgid()}",'),
        path=PATH,
        why="argv --user from os.getuid()",
    ),
    Valid(
        SDK_STEP.replace("remove=True", 'remove=True, user=f"{os.getuid()}:{os.getgid()}"'),
        path=PATH,
        why="SDK user=",
    ),
    Valid(SHELL_WORKER.replace("docker run", "podman run"), path=PATH, why="rootless podman maps root to the user"),
    Valid(SHELL_WORKER.replace("-d --name", "-d --userns=keep-id --name"), path=PATH, why="user namespace"),
    Valid(SHELL_WORKER.replace("-d --name", "-d -e PUID=$(id -u) --name"), path=PATH, why="uid for a switching entrypoint"),
    Valid(ARGV_STEP.replace('f"{sysroot}:{sysroot}"', 'f"{sysroot}:{sysroot}:ro"'), path=PATH, why="read-only mount"),
    Valid(
        SDK_STEP.replace('"mode": "rw"', '"mode": "ro"'),
        path=PATH,
        why="SDK read-only mode",
    ),
    Valid(
        ARGV_STEP.replace('"--rm",', '"--rm", *extra_docker_args,'),
        path=PATH,
        why="spliced options could hold --user",
    ),
    Valid(
        SHELL_WORKER.replace("-d --name", "-d {docker_opts} --name").replace('f"docker', '"docker').replace(
            "{image}", "acme/worker:1.4"
        ).replace("shell=True,", "shell=True,  # {docker_opts} filled by format()").replace('"docker run', '"docker run'),
        path=PATH,
        why="a placeholder among the options",
    ),
    Valid(
        ARGV_STEP.replace("cmd = [", "cmd = [").replace(
            "    subprocess.run(cmd, check=True)",
            "    if os.getuid():\n        cmd += []\n    cmd.extend(user_args())\n    subprocess.run(cmd, check=True)",
        ),
        path=PATH,
        why="list extended with something unknown",
    ),
    Valid(
        """
        import subprocess

        def start_db():
            subprocess.run(["docker", "run", "-d", "-v", "/tmp:/tmp", "postgres:16"], check=True)
        """,
        path=PATH,
        why="/tmp mounted into a container that is not a Metaflow worker",
    ),
    Valid(
        """
        import subprocess

        def start_sandbox():
            subprocess.run(["docker", "run", "-d", "-v", "flyte-sandbox:/var/lib/flyte/storage",
                            "cr.flyte.org/flyteorg/flyte-sandbox", "python", "flow.py", "step", "start"])
        """,
        path=PATH,
        why="named volume, no host path",
    ),
    Valid(
        """
        from metaflow._vendor import click

        @click.option("--image", default=None, help="Docker image URI for Flyte task containers.")
        def create(image):
            pass
        """,
        path=PATH,
        why="docker only in help text (metaflow-flyte's CLI)",
    ),
    Valid(
        '''
        import subprocess

        def run(image, workdir):
            subprocess.run(["docker", "run", "--rm", "-v", f"{workdir}:/work", image, "python", "flow.py", "step", "a"])
        ''',
        path=PATH,
        why="a host path the rule cannot place",
    ),
]

INVALID = [
    Invalid(SHELL_WORKER, rows=[7], message="bind-mounts the workspace (`$PWD`)", path=PATH, why="shell text, worker container"),
    Invalid(ARGV_STEP, rows=[9], message="the local datastore (`{sysroot}`)", path=PATH, why="argv list, datastore"),
    Invalid(SDK_STEP, rows=[10], message="`containers.run()` bind-mounts the local datastore", path=PATH, why="SDK volumes dict"),
    Invalid(
        """
        import subprocess
        import sys

        def run(image, flow_file):
            cmd = ["docker", "run", "--rm"]
            cmd += ["-v", "/tmp:/tmp"]
            cmd.append(image)
            cmd += [sys.executable, flow_file, "step", "start"]
            subprocess.run(cmd)
        """,
        rows=[6],
        message="`/tmp`",
        path=PATH,
        why="argv list grown literally",
    ),
    Invalid(
        """
        import os

        import docker
        from docker.types import Mount

        def run(image, flow_file):
            docker.from_env().containers.create(
                image,
                ["python", flow_file, "step", "start"],
                mounts=[Mount(target="/work", source=os.getcwd(), type="bind")],
            )
        """,
        rows=[8],
        message="the workspace",
        path=PATH,
        why="SDK Mount bind of the working directory",
    ),
    Invalid(
        '''
        SCRIPT = """\\
        set -e
        sudo docker run --rm --mount type=bind,source={sysroot},target={sysroot} {image} {step_command}
        """
        ''',
        rows=[4],
        message="the local datastore",
        path=PATH,
        why="generated shell with sudo and --mount",
    ),
    Invalid(
        SHELL_WORKER.replace("-v $PWD:$PWD -v /tmp:/tmp", "-v /tmp:/tmp"),
        rows=[7],
        message="`/tmp`",
        path=PATH,
        why="/tmp into a worker",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_one_finding_per_container():
    found = lint(SHELL_WORKER, RULE, path=PATH)
    assert len(found) == 1  # two mounts, one container


def test_prefilter_wants_docker_text():
    assert passes_prefilter(RULE, SDK_STEP, path=PATH)
    assert passes_prefilter(RULE, "client.containers.run(image)\n", path=PATH)
    assert not passes_prefilter(RULE, SHELL_WORKER.replace("docker", "podman"), path=PATH)
