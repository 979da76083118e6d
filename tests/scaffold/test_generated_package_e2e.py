"""The generated package, installed in a fresh virtualenv, runs a real flow through Metaflow's Deployer.

The virtualenv has no system site-packages: metaflow comes from the package index and the extension from
`pip install -e`, exactly as a user would install them. HOME, METAFLOW_HOME and the local datastore are
private to the test.
"""

import json
import os
import subprocess
import sys
import textwrap
from importlib import metadata

import pytest

from mfok_runtime.scaffold.generator import write_package

pytestmark = pytest.mark.slow

NAME = "e2e_sched"

FLOW = textwrap.dedent(
    '''
    import os

    from metaflow import Config, FlowSpec, Parameter, current, environment, project, resources, retry, step, timeout


    @project(name="scaffold_e2e")
    class ScaffoldE2EFlow(FlowSpec):
        alpha = Parameter("alpha", type=int, default=1)
        label = Parameter("label", default="none")
        settings = Config("settings", default_value={"greeting": "hello"})

        def _record(self):
            self.branch_seen = current.branch_name
            self.greeting_seen = self.settings.greeting
            self.env_seen = os.environ.get("E2E_VAR")
            self.attempt_seen = current.retry_count

        @environment(vars={"E2E_VAR": "from-decorator"})
        @step
        def start(self):
            self._record()
            self.items = [1, 2, 3]
            self.next(self.left, self.right)

        @resources(cpu=1, memory=256)
        @step
        def left(self):
            self._record()
            self.side = "left"
            self.next(self.meet)

        @timeout(seconds=60)
        @step
        def right(self):
            self._record()
            self.side = "right"
            self.next(self.meet)

        @step
        def meet(self, inputs):
            self._record()
            self.sides = sorted(i.side for i in inputs)
            self.items = inputs[0].items
            self.next(self.fan)

        @step
        def fan(self):
            self._record()
            self.next(self.square, foreach="items")

        @retry(times=2, minutes_between_retries=0)
        @step
        def square(self):
            self._record()
            if self.input == 2 and current.retry_count == 0:
                raise RuntimeError("first attempt fails on purpose")
            self.value = self.input * self.input * self.alpha
            self.next(self.gather)

        @step
        def gather(self, inputs):
            self._record()
            self.values = [i.value for i in inputs]
            self.attempts = [i.attempt_seen for i in inputs]
            self.next(self.end)

        @step
        def end(self):
            self._record()


    if __name__ == "__main__":
        ScaffoldE2EFlow()
    '''
)

DRIVER = textwrap.dedent(
    '''
    import json
    import sys

    from metaflow import Deployer, Flow, Task, namespace
    from metaflow.runner.deployer import DeployedFlow

    flow_file, name = sys.argv[1], sys.argv[2]
    result = {}


    def describe(triggered):
        status = triggered.wait_for_completion(check_interval=1, timeout=150)
        namespace(None)
        run = Flow("ScaffoldE2EFlow")[triggered.run_id]
        steps = {}
        for step in run:
            steps[step.id] = [
                {
                    "id": task.id,
                    "successful": task.successful,
                    "branch": task["branch_seen"].data,
                    "greeting": task["greeting_seen"].data,
                    "env": task["env_seen"].data,
                    "attempt": task.current_attempt,
                }
                for task in step
            ]
        return {
            "status": status,
            "pathspec": triggered.pathspec,
            "successful": run.successful,
            "finished": run.finished,
            "steps": steps,
            "values": run["gather"].task["values"].data,
            "attempts": run["gather"].task["attempts"].data,
            "sides": run["meet"].task["sides"].data,
            "first_attempt_stderr": "".join(
                Task(t.pathspec, attempt=0, _namespace_check=False).stderr for t in run["square"]
            ),
        }


    deployer = Deployer(flow_file, branch="nightly", config_value=[("settings", {"greeting": "bonjour"})])
    deployed = getattr(deployer, name)().create()
    result["deployed_name"] = deployed.name
    result["first"] = describe(deployed.trigger(alpha=3, label="one"))

    again = DeployedFlow.from_deployment(deployed.name, impl=name)
    result["reattached_flow_name"] = again.flow_name
    result["second"] = describe(again.trigger(alpha=1))
    result["listed"] = [d.name for d in DeployedFlow.list_deployed_flows("ScaffoldE2EFlow", impl=name)]
    print("RESULT " + json.dumps(result))
    '''
)


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, "%s failed:\n%s\n%s" % (command, result.stdout[-5000:], result.stderr[-5000:])
    return result


def _metaflow_requirement():
    # the version the rest of the suite runs against; any 2.19+ would do
    try:
        return "metaflow==%s" % metadata.version("metaflow")
    except metadata.PackageNotFoundError:
        return "metaflow>=2.19"


def test_generated_extension_runs_a_flow_from_a_fresh_virtualenv(tmp_path):
    package = write_package(NAME, output_dir=str(tmp_path / "src"))
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.path.dirname(python) + os.pathsep + os.environ.get("PATH", ""),
        "HOME": str(home),
        "USER": "e2e",
        "METAFLOW_HOME": str(tmp_path / "metaflow_home"),
        "METAFLOW_DATASTORE_SYSROOT_LOCAL": str(tmp_path / "sysroot"),
        "METAFLOW_CLIENT_CACHE_PATH": str(tmp_path / "client_cache"),
        "METAFLOW_DEFAULT_METADATA": "local",
        "METAFLOW_DEFAULT_DATASTORE": "local",
        "TMPDIR": str(tmp_path),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    for passthrough in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE", "SSL_CERT_FILE"):
        if passthrough in os.environ:
            env[passthrough] = os.environ[passthrough]
    _run([python, "-m", "pip", "install", "-q", _metaflow_requirement()], env=env, timeout=300)
    _run([python, "-m", "pip", "install", "-q", "--no-deps", "-e", package], env=env, timeout=300)

    # no mfok and no site-packages of ours leak into the fresh environment
    probe_code = "import importlib.util as u; print(u.find_spec('mfok_runtime') is None)"
    probe = _run([python, "-c", probe_code], env=env, cwd=str(home))
    assert probe.stdout.strip() == "True"

    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "e2e_flow.py").write_text(FLOW)
    (workdir / "driver.py").write_text(DRIVER)
    driven = _run([python, "driver.py", "e2e_flow.py", NAME], env=env, cwd=str(workdir), timeout=400)
    line = next(text for text in driven.stdout.splitlines() if text.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])

    assert result["deployed_name"] == "scaffold_e2e.test.nightly.ScaffoldE2EFlow"
    assert result["reattached_flow_name"] == "ScaffoldE2EFlow"
    assert result["listed"] == ["scaffold_e2e.test.nightly.ScaffoldE2EFlow"]

    for label, alpha in (("first", 3), ("second", 1)):
        run = result[label]
        assert run["status"] == "SUCCEEDED", run
        assert run["successful"] and run["finished"]
        assert run["pathspec"].startswith("ScaffoldE2EFlow/%s-" % NAME)
        steps = run["steps"]
        assert set(steps) == {"start", "left", "right", "meet", "fan", "square", "gather", "end"}
        assert len(steps["square"]) == 3
        for step_name, tasks in steps.items():
            for task in tasks:
                assert task["successful"], (step_name, task)
                assert not task["id"].isdigit(), task["id"]
                assert task["branch"] == "test.nightly", (step_name, task)
                assert task["greeting"] == "bonjour", (step_name, task)
        assert [t["env"] for t in steps["start"]] == ["from-decorator"]
        assert all(t["env"] is None for t in steps["end"])
        assert run["sides"] == ["left", "right"]
        assert run["values"] == [alpha * 1, alpha * 4, alpha * 9]
        # the split that failed once ran again as attempt 1, and the task knew it
        assert run["attempts"] == [0, 1, 0]
        assert sorted(t["attempt"] for t in steps["square"]) == [0, 0, 1]
        # the failed attempt's output reached Metaflow's log store
        assert "first attempt fails on purpose" in run["first_attempt_stderr"]
