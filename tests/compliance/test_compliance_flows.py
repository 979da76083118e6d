"""The shipped flows, run by Metaflow's own local runtime: they pass where the capability works.

This is the baseline every scheduler result is judged against: a flow that passes here and fails on a
scheduler points at the scheduler's extension, not at the flow.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mfok_runtime.capabilities import Cap
from mfok_runtime.compliance.harness import FLOWS_DIR

SUITE = Path(FLOWS_DIR).parent / "suite.py"


def suite_module_ast():
    # Parsed, not imported: importing would need the plugin's markers registered in this session.
    import ast

    return ast.parse(SUITE.read_text())


def suite_run_params():
    import ast

    for node in suite_module_ast().body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "RUN_PARAMS":
            return ast.literal_eval(node.value)
    raise AssertionError("suite.py defines no RUN_PARAMS")

CLEAN_RUN = [
    "linear_flow.py",
    "branch_flow.py",
    "branch_after_foreach_flow.py",
    "foreach_flow.py",
    "nested_foreach_flow.py",
    "retry_flow.py",
    "catch_flow.py",
    "timeout_catch_flow.py",
    "resources_flow.py",
    "from_deployment_flow.py",
    "schedule_flow.py",
    "custom_steps_flow.py",
    "split_in_branch_flow.py",
    "multi_body_foreach_flow.py",
]


@pytest.fixture
def flow_env(tmp_path):
    env = dict(os.environ)
    env.update(
        HOME=str(tmp_path), USER="mfok-test", METAFLOW_DATASTORE_SYSROOT_LOCAL=str(tmp_path),
        METAFLOW_DEFAULT_METADATA="local", METAFLOW_DEFAULT_DATASTORE="local",
    )
    return env


def run_flow(name, env, cwd, *args, top=()):
    return subprocess.run([sys.executable, os.path.join(FLOWS_DIR, name), *top, "run", *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def artifact(env, flow, step, name):
    code = (
        "from metaflow import Flow, namespace; namespace(None);"
        "import json; print(json.dumps(getattr(Flow(%r).latest_run[%r].task.data, %r)))" % (flow, step, name)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout)


def test_every_capability_has_a_test_and_a_flow():
    import ast

    tests = {node.name[len("test_"):].upper() for node in suite_module_ast().body
             if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    assert tests == {cap.value for cap in Cap}
    shipped = {p.name for p in Path(FLOWS_DIR).glob("*_flow.py")}
    assert set(CLEAN_RUN) | {"timeout_flow.py", "project_flow.py", "config_flow.py", "params_flow.py",
                             "conda_flow.py", "resume_flow.py", "fail_flow.py"} == shipped


@pytest.mark.slow
@pytest.mark.parametrize("name", CLEAN_RUN)
def test_flow_passes_on_the_local_runtime(name, flow_env, tmp_path):
    result = run_flow(name, flow_env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.slow
def test_timeout_flow_fails_at_its_limit(flow_env, tmp_path):
    result = run_flow("timeout_flow.py", flow_env, tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Step slow timed out after 0 hours, 0 minutes, 4 seconds" in output, output[-2000:]


@pytest.mark.slow
def test_project_flow_sees_the_branch_everywhere(flow_env, tmp_path):
    result = run_flow("project_flow.py", flow_env, tmp_path, top=("--branch", "probe"))
    assert result.returncode == 0, result.stderr[-3000:]
    seen = artifact(flow_env, "MfokProjectFlow", "end", "seen")
    assert set(seen.values()) == {"test.probe"} and len(seen) == 9


@pytest.mark.slow
def test_config_flow_with_default_and_override(flow_env, tmp_path):
    assert run_flow("config_flow.py", flow_env, tmp_path).returncode == 0
    override = json.dumps({"greeting": "overridden, with = and 'quotes'", "fanout": 3})
    result = run_flow("config_flow.py", flow_env, tmp_path, top=("--config-value", "cfg", override))
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(artifact(flow_env, "MfokConfigFlow", "end", "seen").values()) == {"overridden, with = and 'quotes'"}


@pytest.mark.slow
def test_params_flow_receives_every_type(flow_env, tmp_path):
    values = suite_run_params()
    args = []
    for key, value in values.items():
        text = json.dumps(value) if isinstance(value, dict) else str(value)
        args += ["--" + key, text]
    result = run_flow("params_flow.py", flow_env, tmp_path, *args)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = artifact(flow_env, "MfokParamsFlow", "end", "seen")
    assert seen["start"] == seen["end"] == values


@pytest.mark.slow
def test_resume_flow_fails_until_the_marker_exists(flow_env, tmp_path):
    marker = tmp_path / "marker"
    flow_env["MFOK_RESUME_MARKER"] = str(marker)
    assert run_flow("resume_flow.py", flow_env, tmp_path).returncode != 0
    marker.write_text("ok")
    resumed = subprocess.run([sys.executable, os.path.join(FLOWS_DIR, "resume_flow.py"), "resume"],
                             capture_output=True, text=True, env=flow_env, cwd=tmp_path, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]


@pytest.mark.slow
def test_fail_flow_fails_at_boom(flow_env, tmp_path):
    result = run_flow("fail_flow.py", flow_env, tmp_path)
    assert result.returncode != 0
    assert "planned failure in boom" in result.stdout + result.stderr


@pytest.mark.slow
def test_custom_steps_flow_ends_at_finish(flow_env, tmp_path):
    assert run_flow("custom_steps_flow.py", flow_env, tmp_path).returncode == 0
    assert artifact(flow_env, "MfokCustomStepsFlow", "finish", "trail") == ["begin", "process", "finish"]


@pytest.mark.slow
def test_conda_flow_stops_where_micromamba_is_needed(flow_env, tmp_path):
    """On this machine the conda flow's local run fails exactly where the suite skips CONDA."""
    from mfok_runtime.compliance.infra import missing_infrastructure

    result = run_flow("conda_flow.py", flow_env, tmp_path, top=("--environment", "conda"))
    if result.returncode == 0:
        pytest.skip("micromamba and a conda channel are reachable here: the flow ran in its environment")
    missing = missing_infrastructure(result.stdout + result.stderr)
    assert missing is not None and "conda channel" in missing[0], (result.stdout + result.stderr)[-2000:]
