"""mfok-lint's fixes, run on the Metaflow releases they target.

For each release below, a virtualenv holds exactly ``metaflow==X`` and this checkout (installed with
``--no-deps``, plus mfok's own dependencies other than Metaflow; cached under ``~/.cache/mfok-metaflow-venvs``, or
``$MFOK_METAFLOW_VENVS``, one per release and Python). In it:

1. ``mfok-run scaffold`` writes a working extension package;
2. real bugs that have fixes are planted in it (``plant``): the compiler's ``METAFLOW_FLOW_CONFIG_VALUE`` handling
   removed (MFO002), step and init commands built at deploy time without ``--branch`` (MFO003), ``--environment``
   (MFO007) and ``--max-user-code-retries`` (MFO015), ``deployer_kwargs`` assigned (MFO040), a sibling module
   imported as top-level (MFO043) and the PyPI ``click`` (MFO046);
3. ``mfok-lint check`` reports exactly those findings, judged against the release (``--target-metaflow-version
   X``), or against the releases the package's ``metaflow>=...`` requirement allows;
4. ``mfok-lint check --fix --unsafe-fixes`` removes every finding and leaves files that parse;
5. the fixed package is installed and a real flow goes through ``Deployer(flow).NAME().create()`` and one
   ``.trigger()``, to completion, and each fix is shown to *work* in the tasks: the config's deploy-time value
   (``--config-value`` at create) reaches every task (MFO002), ``current.branch_name`` is the deployer's branch
   (MFO003), a ``@retry`` + ``@catch`` step re-runs its body after the first attempt fails instead of being
   swallowed by ``@catch`` (MFO015); the other fixes are needed for ``create`` or ``trigger`` to succeed at all.

The releases: 2.12.34, the oldest the generated package supports (``docs/scaffold.md``); 2.12.37, the first with
configs; 2.19.9, the last before the flow state's shape changed (``FlowStateItems``, 2.19.10); 2.19.39, the newest
known. The tasks see the config value only through what the compiler put in the workflow: the variable passed to
``create`` is removed from the deployer's environment before ``trigger``, as a scheduler's workers would not have it.
A control run on the newest release shows that the same flow, with the bugs left in, fails those checks.

MFO046's fix for code that also targets releases before 2.5.1 (which have no vendored click) runs on 2.5.0 as well.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from mfok_lint.core.metaflow_contract import has

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[2]
VENVS = Path(os.environ.get("MFOK_METAFLOW_VENVS", Path.home() / ".cache" / "mfok-metaflow-venvs"))

OLDEST_SUPPORTED, FIRST_WITH_CONFIGS, LAST_BEFORE_FLOW_STATE_ITEMS, NEWEST = "2.12.34", "2.12.37", "2.19.9", "2.19.39"
RELEASES = [OLDEST_SUPPORTED, FIRST_WITH_CONFIGS, LAST_BEFORE_FLOW_STATE_ITEMS, NEWEST]

NAME = "fixruns"
FLOW_NAME = "FixRunsFlow"
PLUGIN = f"metaflow_extensions/{NAME}/plugins/{NAME}"
COMPILER, DEPLOYER, CLI = f"{PLUGIN}/compiler.py", f"{PLUGIN}/{NAME}_deployer.py", f"{PLUGIN}/{NAME}_cli.py"
DEFAULT_CONFIG, DEPLOYED_CONFIG = {"greeting": "hello"}, {"greeting": "bonjour"}


# ---- virtualenvs: one per release, cached ---------------------------------------------------------------------------


def _run(command: List[str], timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert result.returncode == 0, "%s failed (%s):\n%s\n%s" % (
        " ".join(map(str, command)), result.returncode, result.stdout[-6000:], result.stderr[-6000:]
    )
    return result


def _mfok_dependencies() -> List[str]:
    """mfok's own requirements except Metaflow, which stays at the release under test."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python before 3.11, where mfok depends on tomli
        import tomli as tomllib

    with open(CHECKOUT / "pyproject.toml", "rb") as handle:
        requirements = tomllib.load(handle)["project"]["dependencies"]
    return [r for r in requirements if not r.replace(" ", "").lower().startswith("metaflow")]


# What a cached venv holds besides metaflow and mfok's dependencies: the build backend of mfok and of the generated
# package, so that editable installs need no isolated build environment (seconds instead of a quarter minute each).
# Metaflow up to the 2.9 line imports pkg_resources without declaring setuptools, which dropped it in 81.
BUILD_TOOLS = ["setuptools>=68,<81", "wheel"]
READY = ".ready-2"  # bump when the recipe changes: older venvs are rebuilt


def release_venv(release: str) -> Path:
    """A virtualenv with metaflow==release and this checkout. Created once (a marker is written last, so an
    interrupted creation starts over); mfok is reinstalled, editable, when it points elsewhere."""
    venv = VENVS / f"metaflow-{release}-py{sys.version_info.major}.{sys.version_info.minor}"
    python = venv / "bin" / "python"
    if not (venv / READY).exists():
        if venv.exists():
            shutil.rmtree(venv)
        VENVS.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "venv", str(venv)])
        _run([str(python), "-m", "pip", "install", "-q", f"metaflow=={release}", *_mfok_dependencies(), *BUILD_TOOLS])
        (venv / READY).write_text(release + "\n")
    probe = (
        "import importlib.metadata as m, os, mfok_lint; "
        "print(m.version('metaflow')); print(os.path.dirname(os.path.dirname(os.path.abspath(mfok_lint.__file__))))"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=str(venv))
    lines = result.stdout.split()
    if result.returncode != 0 or len(lines) != 2 or Path(lines[1]) != CHECKOUT:
        _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(CHECKOUT)])
        lines = _run([str(python), "-c", probe], cwd=str(venv)).stdout.split()
    assert lines == [release, str(CHECKOUT)], f"{venv}: expected metaflow {release} and mfok from {CHECKOUT}: {lines}"
    return venv


# ---- the package: generated, bugs planted -------------------------------------------------------------------------


def uninstall_package(venv: Path) -> None:
    """Remove the extension a previous run installed: the venv is reused, and the scaffold refuses a name that the
    installed Metaflow already registers."""
    _run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "-y", "-q", f"metaflow-{NAME}"])


def generate(venv: Path, where: Path) -> Path:
    uninstall_package(venv)
    _run([str(venv / "bin" / "mfok-run"), "scaffold", NAME, "--output-dir", str(where)])
    return where / NAME


def _replace(package: Path, rel: str, old: str, new: str) -> None:
    path = package / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{rel}: the generated code changed; cannot plant the bug at:\n{old}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# Step and init commands written at deploy time, as many extensions do (Airflow- and Argo-style templates filled in
# by the scheduler), instead of the scaffold's run-time builders. The bugs: neither command forwards --branch or
# --environment, and the step command never sends the user-code retries it reads.
PLANTED_TEMPLATES = '''
def _command_templates(obj: Any, steps: Dict[str, Any], branch: Optional[str] = None) -> Dict[str, Any]:
    """Every command of a run, written at deploy time; {placeholders} stand for what only the scheduler knows."""
    metadata_type = _portable(obj.metadata.TYPE, PORTABLE_METADATA_TYPES, "metadata provider")
    datastore_type = _portable(obj.flow_datastore.TYPE, PORTABLE_DATASTORE_TYPES, "datastore")
    flow_file = os.path.abspath(sys.argv[0])
    datastore_root = obj.flow_datastore.datastore_root
    init = [
        sys.executable,
        flow_file,
        "--quiet",
        "--no-pylint",
        "--metadata",
        metadata_type,
        "--datastore",
        datastore_type,
        "--datastore-root",
        datastore_root,
        "init",
        "--run-id",
        "{run_id}",
        "--task-id",
        "{task_id}",
    ]
    step_templates = {}
    for name, step in steps.items():
        max_user_code_retries = step["max_user_code_retries"]
        command = [
            sys.executable,
            flow_file,
            "--quiet",
            "--no-pylint",
            "--metadata",
            metadata_type,
            "--datastore",
            datastore_type,
            "--datastore-root",
            datastore_root,
            "step",
            name,
            "--run-id",
            "{run_id}",
            "--task-id",
            "{task_id}",
            "--input-paths",
            "{input_paths}",
            "--retry-count",
            "{attempt}",
        ]
        step_templates[name] = command
    return {"init": init, "steps": step_templates}


def _fill(template: List[str], **values: Any) -> List[str]:
    return [part.format(**values) if part.startswith("{") else part for part in template]


'''


def plant(package: Path) -> None:
    """Plant the bugs; each anchor must be in the generated code exactly once."""
    # MFO002: no config handling at all
    _replace(package, COMPILER, '''    config_env = _config_values(obj.flow)
    if config_env:
        env["METAFLOW_FLOW_CONFIG_VALUE"] = json.dumps(config_env)
''', "")
    text = (package / COMPILER).read_text(encoding="utf-8")
    start = text.index("\ndef _config_values(")
    (package / COMPILER).write_text(text[:start] + text[text.index("\ndef ", start + 1):], encoding="utf-8")
    # MFO003, MFO007, MFO015: deploy-time command templates
    _replace(package, COMPILER, '''        "top_level_options": _top_level_options(obj),
''', '''        "top_level_options": _top_level_options(obj),
        "templates": _command_templates(obj, steps, branch=_project_options(flow).get("branch")),
''')
    _replace(package, COMPILER, "\ndef _workflow_environment(", PLANTED_TEMPLATES + "def _workflow_environment(")
    _replace(package, COMPILER, '''    command = _entrypoint(workflow) + list(workflow["top_level_options"])
    command += ["init", "--run-id", run_id, "--task-id", task_id]
''', '''    command = _fill(workflow["templates"]["init"], run_id=run_id, task_id=task_id)
''')
    _replace(package, COMPILER, '''    command = _entrypoint(workflow) + list(workflow["top_level_options"])
    for spec in step["with"]:
        command += ["--with", spec]
    command += [
        "step",
        step_name,
        "--run-id",
        run_id,
        "--task-id",
        task_id,
        "--input-paths",
        input_paths,
        "--retry-count",
        str(attempt),
        "--max-user-code-retries",
        str(step["max_user_code_retries"]),
    ]
''', '''    command = _fill(
        workflow["templates"]["steps"][step_name],
        run_id=run_id,
        task_id=task_id,
        input_paths=input_paths,
        attempt=attempt,
    )
    at = command.index("step")
    for spec in reversed(step["with"]):
        command[at:at] = ["--with", spec]
''')
    # MFO040: the read-only property assigned
    _replace(package, DEPLOYER, "        self._deployer_kwargs = deployer_kwargs\n", "        self.deployer_kwargs = deployer_kwargs\n")
    # MFO043 and MFO046: a sibling imported as top-level, the PyPI click
    _replace(package, CLI, "from .client import DeploymentRefused, get_client\n", "from client import DeploymentRefused, get_client\n")
    _replace(package, CLI, "from metaflow._vendor import click\n", "import click\n")


def declare_metaflow(package: Path, requirement: str) -> None:
    _replace(package, "pyproject.toml", 'dependencies = ["metaflow>=2.12.34"]', f'dependencies = ["{requirement}"]')


def expected_findings(targets_configs: bool) -> Dict[Tuple[str, str], int]:
    found = {
        (COMPILER, "MFO003"): 2,  # init and step
        (COMPILER, "MFO007"): 2,
        (COMPILER, "MFO015"): 1,
        (DEPLOYER, "MFO040"): 1,
        (CLI, "MFO043"): 1,
        (CLI, "MFO046"): 1,
    }
    if targets_configs:
        found[(COMPILER, "MFO002")] = 1
    return found


# ---- lint and fix, with the venv's mfok-lint ----------------------------------------------------------------------


def lint(venv: Path, package: Path, target: Optional[str], *extra: str) -> Dict[Tuple[str, str], int]:
    command = [str(venv / "bin" / "mfok-lint"), "check", "--no-cache", "--output-format", "json", *extra]
    if target is not None:
        command += ["--target-metaflow-version", target]
    result = subprocess.run(command + ["."], capture_output=True, text=True, cwd=str(package), timeout=300)
    assert result.returncode in (0, 1), result.stderr[-3000:]
    counts: Dict[Tuple[str, str], int] = {}
    for finding in json.loads(result.stdout or "[]"):
        key = (os.path.relpath(finding["filename"], package), finding["code"])
        counts[key] = counts.get(key, 0) + 1
    return counts


def fix(venv: Path, package: Path, target: Optional[str]) -> None:
    lint(venv, package, target, "--fix", "--unsafe-fixes")
    for path in package.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def inserted_config_block(package: Path) -> str:
    """The compiler's task-environment builder, where MFO002's fix lands. The fix must sit at the function's level:
    the builder stores its first METAFLOW_* key under ``if ... TYPE == "local":``, and a block inside that branch
    would forward configs with the local datastore only, which the runs here (local datastore) cannot see."""
    tree = ast.parse((package / COMPILER).read_text(encoding="utf-8"))
    (function,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_workflow_environment"]
    source = ast.unparse(function)
    if "METAFLOW_FLOW_CONFIG_VALUE" in source:
        top_level = [ast.unparse(statement) for statement in function.body]
        assert any(s.startswith("if _flow_configs:") for s in top_level), source
    return source


# ---- a real flow through the fixed package --------------------------------------------------------------------------


def flow_source(with_config: bool) -> str:
    config = f'    settings = Config("settings", default_value={DEFAULT_CONFIG!r})\n' if with_config else ""
    greeting = "self.settings.greeting" if with_config else "None"
    return textwrap.dedent(
        '''
        from metaflow import {imports}FlowSpec, catch, current, project, retry, step


        @project(name="fixruns")
        class {flow}(FlowSpec):
        {config}
            def _record(self):
                self.branch_seen = current.branch_name
                self.greeting_seen = {greeting}

            @step
            def start(self):
                self._record()
                self.next(self.flaky)

            @catch(var="caught")
            @retry(times=1, minutes_between_retries=0)
            @step
            def flaky(self):
                self._record()
                self.attempt_seen = current.retry_count
                if current.retry_count == 0:
                    raise RuntimeError("the first attempt fails on purpose")
                self.value = 42
                self.next(self.end)

            @step
            def end(self):
                self._record()


        if __name__ == "__main__":
            {flow}()
        '''
    ).format(
        imports="Config, " if with_config else "", flow=FLOW_NAME, config=config, greeting=greeting
    )


DRIVER = textwrap.dedent(
    '''
    import json
    import sys

    from metaflow import Deployer, Flow, namespace

    flow_file, impl, config_value = sys.argv[1], sys.argv[2], sys.argv[3]
    # --config-value at create, through the option's environment variable: every release with configs reads it
    env = {"METAFLOW_FLOW_CONFIG_VALUE": config_value} if config_value else {}
    deployed = getattr(Deployer(flow_file, branch="nightly", env=env), impl)().create()
    # the tasks must get it from the compiled workflow, not from the deploying process
    deployed.deployer.env_vars.pop("METAFLOW_FLOW_CONFIG_VALUE", None)
    triggered = deployed.trigger()
    status = triggered.wait_for_completion(check_interval=1, timeout=300)
    namespace(None)
    run = Flow(sys.argv[4])[triggered.run_id]


    def artifact(task, name):
        try:
            return task[name].data
        except KeyError:
            return None


    steps = {}
    for step in run:
        steps[step.id] = [
            {
                "branch": artifact(task, "branch_seen"),
                "greeting": artifact(task, "greeting_seen"),
                "value": artifact(task, "value"),
                "caught": None if artifact(task, "caught") is None else str(artifact(task, "caught")),
                "attempt": task.current_attempt,
            }
            for task in step
        ]
    print("RESULT " + json.dumps(
        {"status": status, "name": deployed.name, "successful": run.successful, "steps": steps}
    ))
    '''
)


def run_flow(venv: Path, package: Path, work: Path, with_config: bool) -> dict:
    """Install the package into the release's venv and run the flow through its Deployer."""
    uninstall_package(venv)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(package)])
    try:
        return _drive(venv, work, with_config)
    finally:
        uninstall_package(venv)


def _drive(venv: Path, work: Path, with_config: bool) -> dict:
    work.mkdir(parents=True)
    (work / "fixruns_flow.py").write_text(flow_source(with_config), encoding="utf-8")
    (work / "driver.py").write_text(DRIVER, encoding="utf-8")
    home = work / "home"
    home.mkdir()
    env = {
        "PATH": str(venv / "bin") + os.pathsep + os.environ.get("PATH", ""),
        "HOME": str(home),
        "USER": "fixer",
        "METAFLOW_HOME": str(work / "metaflow_home"),
        "METAFLOW_DATASTORE_SYSROOT_LOCAL": str(work / "sysroot"),
        "METAFLOW_CLIENT_CACHE_PATH": str(work / "client_cache"),
        "METAFLOW_DEFAULT_METADATA": "local",
        "METAFLOW_DEFAULT_DATASTORE": "local",
        "TMPDIR": str(work),
    }
    config_value = json.dumps({"settings": DEPLOYED_CONFIG}) if with_config else ""
    command = [str(venv / "bin" / "python"), "driver.py", "fixruns_flow.py", NAME, config_value, FLOW_NAME]
    driven = _run(command, env=env, cwd=str(work), timeout=600)
    line = next(text for text in driven.stdout.splitlines() if text.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def assert_fixes_work(result: dict, with_config: bool) -> None:
    assert result["status"] == "SUCCEEDED" and result["successful"], result
    assert result["name"] == f"fixruns.test.nightly.{FLOW_NAME}"
    steps = result["steps"]
    assert set(steps) == {"start", "flaky", "end"}, steps
    tasks = [task for step in steps.values() for task in step]
    # MFO003: every task runs on the deployment's branch
    assert {task["branch"] for task in tasks} == {"test.nightly"}, steps
    # MFO002: every task sees the config value the flow was deployed with
    assert {task["greeting"] for task in tasks} == ({DEPLOYED_CONFIG["greeting"]} if with_config else {None}), steps
    # MFO015: the first attempt's failure is retried (user code runs again), not swallowed by @catch
    (flaky,) = steps["flaky"]
    assert (flaky["value"], flaky["caught"], flaky["attempt"]) == (42, None, 1), flaky


# ---- the tests --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("release", RELEASES)
def test_fixes_for_one_release_run_on_it(release, tmp_path):
    """Judged against exactly this release (``--target-metaflow-version``), fixed, run on it."""
    venv = release_venv(release)
    package = generate(venv, tmp_path / "src")
    assert lint(venv, package, release) == {}, "the generated package is not clean"
    plant(package)
    configs = has("config_api", release)
    assert lint(venv, package, release) == expected_findings(configs)
    fix(venv, package, release)
    assert lint(venv, package, release) == {}
    block = inserted_config_block(package)
    if not configs:
        assert "METAFLOW_FLOW_CONFIG_VALUE" not in block  # nothing to forward: MFO002 does not apply
    elif has("flow_state_items", release):
        assert "FlowStateItems" in block and "_FlowState" not in block.replace("_FlowStateItems", "")
    else:
        assert "_FlowState.CONFIGS" in block and "FlowStateItems" not in block
    assert_fixes_work(run_flow(venv, package, tmp_path / "work", configs), configs)


# The package's own requirement decides the targeted releases: the scaffold's metaflow>=2.12.34 reaches releases
# without configs, with the private enum and with FlowStateItems; metaflow>=2.12.37 only the last two.
RANGES = {
    "metaflow>=2.12.34": RELEASES,
    "metaflow>=2.12.37": [FIRST_WITH_CONFIGS, LAST_BEFORE_FLOW_STATE_ITEMS, NEWEST],
}


@pytest.fixture(scope="module")
def fixed_for_range(tmp_path_factory):
    """requirement -> the package linted and fixed once against the releases its requirement allows."""
    fixed = {}

    def get(requirement: str) -> Path:
        if requirement not in fixed:
            venv = release_venv(NEWEST)  # where it is linted does not matter: the targeted range does
            package = generate(venv, tmp_path_factory.mktemp("range"))
            if requirement != "metaflow>=2.12.34":
                declare_metaflow(package, requirement)
            plant(package)
            assert lint(venv, package, None) == expected_findings(True)
            fix(venv, package, None)
            assert lint(venv, package, None) == {}
            block = inserted_config_block(package)
            assert "FlowStateItems" in block and "_FlowState.CONFIGS" in block
            assert ("_flow_config_items = {}" in block) == (requirement == "metaflow>=2.12.34"), block
            fixed[requirement] = package
        return fixed[requirement]

    return get


@pytest.mark.parametrize(
    "requirement, release", [(r, v) for r, releases in RANGES.items() for v in releases], ids=lambda x: x
)
def test_fixes_for_a_declared_range_run_on_each_release_in_it(requirement, release, fixed_for_range, tmp_path):
    """Judged against the releases ``metaflow>=...`` allows (no --target-metaflow-version), fixed once, run on each."""
    package = fixed_for_range(requirement)
    copy = tmp_path / NAME
    shutil.copytree(package, copy)
    configs = has("config_api", release)
    assert_fixes_work(run_flow(release_venv(release), copy, tmp_path / "work", configs), configs)


def test_the_checks_see_the_bugs_when_they_are_left_in(tmp_path):
    """Control: the same run with the behavioural bugs planted and not fixed (MFO002, MFO003, MFO015) fails each
    check above; the bugs that stop create or trigger (MFO040, MFO043, MFO046) are not planted here."""
    venv = release_venv(NEWEST)
    package = generate(venv, tmp_path / "src")
    plant(package)
    _replace(package, DEPLOYER, "        self.deployer_kwargs = deployer_kwargs\n", "        self._deployer_kwargs = deployer_kwargs\n")
    _replace(package, CLI, "from client import DeploymentRefused, get_client\n", "from .client import DeploymentRefused, get_client\n")
    _replace(package, CLI, "import click\n", "from metaflow._vendor import click\n")
    assert set(lint(venv, package, NEWEST)) == {(COMPILER, code) for code in ("MFO002", "MFO003", "MFO007", "MFO015")}
    result = run_flow(venv, package, tmp_path / "work", True)
    assert result["status"] == "SUCCEEDED", result  # silently wrong, as these bugs are
    tasks = [task for step in result["steps"].values() for task in step]
    assert {task["branch"] for task in tasks} == {"user.fixer"}
    assert {task["greeting"] for task in tasks} == {DEFAULT_CONFIG["greeting"]}
    (flaky,) = result["steps"]["flaky"]
    assert flaky["value"] is None and flaky["caught"] is not None and flaky["attempt"] == 0, flaky


# ---- MFO046 before Metaflow vendored click ---------------------------------------------------------------------------

CLICK_CLIS = {
    "from-import": """
from click import group, pass_obj


@group()
def cli():
    pass


@cli.command(name="acme")
@pass_obj
def acme(obj):
    pass
""",
    "import": """
import click


@click.group()
def cli():
    pass


@cli.command(name="acme")
@click.pass_obj
def acme(obj):
    pass
""",
}

CLICK_CHECK = textwrap.dedent(
    """
    import runpy
    import sys

    import metaflow.cli

    module = runpy.run_path(sys.argv[1])
    click = metaflow.cli.click  # the click Metaflow's own CLI is built on, in this release
    assert isinstance(module["cli"], click.Group), (module["cli"], click)
    assert isinstance(module["acme"], click.Command), (module["acme"], click)
    print("CLICK " + click.__name__)
    """
)


@pytest.mark.parametrize("release", ["2.5.0", OLDEST_SUPPORTED, NEWEST])
@pytest.mark.parametrize("form", sorted(CLICK_CLIS))
def test_mfo046_fix_for_releases_across_2_5_1_builds_on_the_click_metaflow_uses(release, form, tmp_path):
    """Code judged against 2.5.0 to the newest gets ``try: <vendored> / except ImportError: <PyPI click>``; on each
    side of 2.5.1 the groups it builds are of the click that Metaflow's own CLI uses there."""
    from mfok_lint.core.metaflow_contract import MetaflowRange, MetaflowVersion
    from mfok_lint.lint.fixes import fix_text

    source = CLICK_CLIS[form]
    targeted = MetaflowRange(MetaflowVersion.parse("2.5.0"), MetaflowVersion.parse(NEWEST))
    outcome = fix_text(source, f"{PLUGIN}/acme_cli.py", select=["MFO046"], unsafe_fixes=True, metaflow=targeted)
    assert "except ImportError:  # Metaflow 2.5.0 and earlier use the PyPI click" in outcome.text, outcome.text
    module = tmp_path / "acme_cli.py"
    module.write_text(outcome.text, encoding="utf-8")
    (tmp_path / "check.py").write_text(CLICK_CHECK, encoding="utf-8")
    venv = release_venv(release)
    out = _run([str(venv / "bin" / "python"), "check.py", str(module)], cwd=str(tmp_path), env={
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "USER": "fixer",
        "METAFLOW_HOME": str(tmp_path / "metaflow_home"),
    }).stdout
    vendored = has("vendored_click", release)
    assert ("CLICK metaflow._vendor.click" in out) == vendored and ("CLICK click" in out) == (not vendored), out
