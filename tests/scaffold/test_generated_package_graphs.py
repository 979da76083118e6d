"""The generated package on the graph shapes and outcomes Metaflow's own UX suite found it wrong on.

Real Metaflow, real runs through ``Deployer(flow).NAME()``, the generated package found through PYTHONPATH
as an installed namespace package would be, and a private Metaflow home and datastore per module:
- start and end steps named by ``@step(start=True)`` / ``@step(end=True)`` (and a one-step flow);
- a foreach whose body has several steps, and a split inside one branch of another split;
- a failing flow: ``trigger()`` returns, ``status`` and ``run.successful`` tell the failure;
- ``@conda``/``@pypi``: refused at ``create`` with the reason, and nothing deployed.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from mfok_runtime.scaffold.generator import write_package

pytestmark = pytest.mark.slow

NAME = "graph_sched"

DRIVER = textwrap.dedent(
    '''
    import json
    import sys
    import time

    from metaflow import Deployer, namespace

    flow_file, name, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    top = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    result = {}
    try:
        deployed = getattr(Deployer(flow_file, **top), name)().create()
    except Exception as exc:  # the refusal cases: create must fail, and say why
        result["create_error"] = "%s: %s" % (type(exc).__name__, exc)
        print("RESULT " + json.dumps(result))
        sys.exit(0)
    result["deployed"] = deployed.name
    triggered = deployed.trigger()
    result["status"] = triggered.wait_for_completion(check_interval=1, timeout=240)
    result["status_again"] = triggered.status
    namespace(None)
    deadline = time.monotonic() + 60
    while triggered.run is None and time.monotonic() < deadline:
        time.sleep(1)
    run = triggered.run
    result["successful"] = run.successful
    result["steps"] = {step.id: sorted(task.id for task in step) for step in run}
    if mode == "ok":
        result["endpoints"] = list(run._graph_endpoints)
        result["end_task"] = run.end_task.pathspec if run.end_task is not None else None
        result["data"] = {
            step.id: {k: step.task[k].data for k in ("result", "labels", "sub_labels", "results") if k in step.task}
            for step in run
        }
    else:
        result["stderr"] = {step.id: [task.stderr for task in step] for step in run}
    print("RESULT " + json.dumps(result))
    '''
)

CUSTOM_STEPS = '''
from metaflow import FlowSpec, step


class CustomStepsFlow(FlowSpec):
    @step(start=True)
    def begin(self):
        self.message = "begin"
        self.next(self.middle)

    @step
    def middle(self):
        self.message += " -> middle"
        self.next(self.finish)

    @step(end=True)
    def finish(self):
        self.result = self.message + " -> finish"


if __name__ == "__main__":
    CustomStepsFlow()
'''

SINGLE_STEP = '''
from metaflow import FlowSpec, step


class OneStepFlow(FlowSpec):
    @step(start=True, end=True)
    def only(self):
        self.result = 42


if __name__ == "__main__":
    OneStepFlow()
'''

SHAPES = '''
from metaflow import FlowSpec, step


class ShapesFlow(FlowSpec):
    """start -> [outer_a, outer_b]; outer_a -> [inner_x, inner_y] -> inner_join; outer_b -> foreach
    -> body_one -> body_two -> body_three -> gather; inner_join, gather -> outer_join -> end."""

    @step
    def start(self):
        self.next(self.outer_a, self.outer_b)

    @step
    def outer_a(self):
        self.label = "a"
        self.next(self.inner_x, self.inner_y)

    @step
    def inner_x(self):
        self.sub_label = "x"
        self.next(self.inner_join)

    @step
    def inner_y(self):
        self.sub_label = "y"
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.sub_labels = sorted(i.sub_label for i in inputs)
        self.label = inputs[0].label
        self.next(self.outer_join)

    @step
    def outer_b(self):
        self.label = "b"
        self.items = [1, 2, 3, 4]
        self.next(self.body_one, foreach="items")

    @step
    def body_one(self):
        self.value = self.input * 10
        self.next(self.body_two)

    @step
    def body_two(self):
        self.value += 1
        self.next(self.body_three)

    @step
    def body_three(self):
        self.value *= 2
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.results = [i.value for i in inputs]
        self.label = inputs[0].label
        self.next(self.outer_join)

    @step
    def outer_join(self, inputs):
        self.labels = sorted(i.label for i in inputs)
        self.sub_labels = inputs.inner_join.sub_labels
        self.results = inputs.gather.results
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ShapesFlow()
'''

FAILING = '''
from metaflow import FlowSpec, step


class FailingFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.breaks)

    @step
    def breaks(self):
        raise RuntimeError("this step fails on purpose")
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    FailingFlow()
'''

CONDA = '''
from metaflow import FlowSpec, conda, step


class CondaStepFlow(FlowSpec):
    @conda(packages={"six": "1.16.0"})
    @step
    def start(self):
        import six  # noqa: F401

        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    CondaStepFlow()
'''

PYPI = '''
from metaflow import FlowSpec, pypi, step


class PypiStepFlow(FlowSpec):
    @pypi(packages={"six": "1.16.0"})
    @step
    def start(self):
        import six  # noqa: F401

        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    PypiStepFlow()
'''


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("graphs")
    package = write_package(NAME, output_dir=str(root / "src"))
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(filter(None, [package, os.environ.get("PYTHONPATH")])),
            "METAFLOW_HOME": str(root / "metaflow_home"),
            "METAFLOW_DATASTORE_SYSROOT_LOCAL": str(root / "sysroot"),
            "METAFLOW_CLIENT_CACHE_PATH": str(root / "client_cache"),
            "METAFLOW_DEFAULT_METADATA": "local",
            "METAFLOW_DEFAULT_DATASTORE": "local",
            "USER": os.environ.get("USER") or "graphs",
        }
    )
    env.pop("METAFLOW_PROFILE", None)
    work = root / "work"
    work.mkdir()
    (work / "driver.py").write_text(DRIVER)
    return {"root": root, "env": env, "work": work, "package": package}


def _drive(workspace, flow_source, file_name, mode="ok", top=None):
    (workspace["work"] / file_name).write_text(flow_source)
    command = [sys.executable, "driver.py", file_name, NAME, mode]
    if top:
        command.append(json.dumps(top))
    result = subprocess.run(command, cwd=str(workspace["work"]), env=workspace["env"], capture_output=True,
                            text=True, timeout=420)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    line = next(text for text in result.stdout.splitlines() if text.startswith("RESULT "))
    return json.loads(line[len("RESULT "):]), result


def test_custom_start_and_end_steps_come_from_the_graph(workspace):
    result, _ = _drive(workspace, CUSTOM_STEPS, "custom_steps_flow.py")
    assert result["status"] == "SUCCEEDED", result
    assert result["successful"] is True
    assert set(result["steps"]) == {"begin", "middle", "finish"}
    assert result["endpoints"] == ["begin", "finish"]
    assert result["end_task"] and result["end_task"].split("/")[2] == "finish"
    assert result["data"]["finish"]["result"] == "begin -> middle -> finish"

    single, _ = _drive(workspace, SINGLE_STEP, "one_step_flow.py")
    assert single["status"] == "SUCCEEDED", single
    assert single["successful"] is True
    assert set(single["steps"]) == {"only"} and len(single["steps"]["only"]) == 1
    assert single["endpoints"] == ["only", "only"]
    assert single["data"]["only"]["result"] == 42


def test_multi_step_foreach_body_and_split_inside_a_branch(workspace):
    result, _ = _drive(workspace, SHAPES, "shapes_flow.py")
    assert result["status"] == "SUCCEEDED", result
    assert result["successful"] is True
    steps = result["steps"]
    assert set(steps) == {"start", "outer_a", "inner_x", "inner_y", "inner_join", "outer_b", "body_one",
                          "body_two", "body_three", "gather", "outer_join", "end"}
    for body in ("body_one", "body_two", "body_three"):
        assert len(steps[body]) == 4, (body, steps[body])
    assert all(len(steps[s]) == 1 for s in steps if not s.startswith("body_"))
    # each split's value went through all three body steps, and the join kept split order
    assert result["data"]["gather"]["results"] == [22, 42, 62, 82]
    assert result["data"]["inner_join"]["sub_labels"] == ["x", "y"]
    assert result["data"]["outer_join"]["labels"] == ["a", "b"]
    assert result["data"]["outer_join"]["sub_labels"] == ["x", "y"]
    assert result["data"]["outer_join"]["results"] == [22, 42, 62, 82]


def test_a_failing_flow_reports_failed_through_the_triggered_run(workspace):
    result, _ = _drive(workspace, FAILING, "failing_flow.py", mode="fail")
    assert "create_error" not in result
    assert result["status"] == "FAILED" and result["status_again"] == "FAILED", result
    assert result["successful"] is False
    assert "end" not in result["steps"]
    assert any("this step fails on purpose" in text for text in result["stderr"]["breaks"]), result["stderr"]


@pytest.mark.parametrize(
    "source, file_name, environment, flow_name",
    [(CONDA, "conda_step_flow.py", "conda", "CondaStepFlow"), (PYPI, "pypi_step_flow.py", "pypi", "PypiStepFlow")],
)
def test_conda_and_pypi_steps_are_refused_at_create(workspace, source, file_name, environment, flow_name):
    result, process = _drive(workspace, source, file_name, top={"environment": environment})
    assert "create_error" in result, result
    output = process.stdout + process.stderr
    assert "--environment %s is not supported by the local %s client" % (environment, NAME) in output
    assert "micromamba" in output and "disabled=True" in output
    assert "step(s) end, start need" in output

    # the CLI says the same in one headline and exits non-zero; nothing was deployed
    cli = subprocess.run(
        [sys.executable, file_name, "--environment", environment, NAME, "create"],
        cwd=str(workspace["work"]), env=workspace["env"], capture_output=True, text=True, timeout=300,
    )
    assert cli.returncode != 0
    assert "Not supported by %s" % NAME in cli.stderr + cli.stdout
    assert "Traceback" not in cli.stderr
    deployments = os.path.join(workspace["env"]["METAFLOW_HOME"], NAME, "deployments")
    stored = os.listdir(deployments) if os.path.isdir(deployments) else []
    assert not any(flow_name in entry for entry in stored), stored


def test_conda_decorator_without_a_conda_environment_fails_at_create_with_metaflows_reason(workspace):
    result, process = _drive(workspace, CONDA, "conda_step_flow.py")
    assert "create_error" in result, result
    assert "@conda decorator requires --environment=conda" in process.stdout + process.stderr
