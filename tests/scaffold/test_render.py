"""The templates render into a complete, importable, lint-clean extension for any valid name."""

import ast
import os
import subprocess
import sys

import pytest
import yaml

from mfok_runtime.scaffold import generator
from mfok_runtime.scaffold.generator import ScaffoldError, render_package, write_package
from tests.conftest import REPO

NAMES = ["demo", "my_sched", "x", "k8s_batch2", "a_b_c_d"]
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MFOK_LINT = os.path.join(os.path.dirname(sys.executable), "mfok-lint")


def _plugin(name, module):
    return f"metaflow_extensions/{name}/plugins/{name}/{module}"


@pytest.mark.parametrize("name", NAMES)
def test_layout_is_complete(name):
    files = render_package(name)
    expected = {
        "pyproject.toml",
        "README.md",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/compliance.yml",
        "tests/conftest.py",
        "tests/test_compliance.py",
        "tests/test_deploy.py",
        f"metaflow_extensions/{name}/plugins/mfextinit_{name}.py",
        _plugin(name, "__init__.py"),
        _plugin(name, f"{name}_deployer.py"),
        _plugin(name, f"{name}_deployer_objects.py"),
        _plugin(name, f"{name}_cli.py"),
        _plugin(name, "compiler.py"),
        _plugin(name, "client.py"),
        _plugin(name, "local_executor.py"),
    }
    assert set(files) == expected
    # an __init__.py there would make `import metaflow` fail for every other extension
    assert "metaflow_extensions/__init__.py" not in files
    assert not any(path.endswith(".j2") or "__name__" in path for path in files)


@pytest.mark.parametrize("name", NAMES)
def test_python_files_parse_and_name_the_extension(name):
    files = render_package(name)
    for path, text in files.items():
        if path.endswith(".py"):
            ast.parse(text, filename=path)
        assert "{{" not in text.replace("${{", "") and "{%" not in text, path

    registration = ast.parse(files[f"metaflow_extensions/{name}/plugins/mfextinit_{name}.py"])
    values = {
        node.targets[0].id: ast.literal_eval(node.value) for node in registration.body if isinstance(node, ast.Assign)
    }
    cls = "".join(part.capitalize() for part in name.split("_"))
    assert values["CLIS_DESC"] == [(name, f".{name}.{name}_cli.cli")]
    assert values["DEPLOYER_IMPL_PROVIDERS_DESC"] == [(name, f".{name}.{name}_deployer.{cls}Deployer")]

    deployer = files[_plugin(name, f"{name}_deployer.py")]
    assert f'TYPE: ClassVar[Optional[str]] = "{name}"' in deployer
    assert f"class {cls}Deployer(DeployerImpl):" in deployer


def test_cli_group_holds_exactly_one_command_named_like_the_type():
    cli = render_package("my_sched")[_plugin("my_sched", "my_sched_cli.py")]
    tree = ast.parse(cli)
    groups = [
        decorator
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
        if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "cli.group"
    ]
    assert len(groups) == 1
    assert {kw.arg: ast.literal_eval(kw.value) for kw in groups[0].keywords}["name"] == "my_sched"
    assert "from metaflow._vendor import click" in cli
    assert "\nimport click" not in cli


def test_declared_capabilities_are_known_to_mfok():
    from mfok_runtime.capabilities import REQUIRED, parse_caps

    deployer = ast.parse(render_package("demo")[_plugin("demo", "demo_deployer.py")])
    declared = next(
        ast.literal_eval(node.value)
        for node in deployer.body
        if isinstance(node, ast.Assign) and node.targets[0].id == "SUPPORTED_CAPABILITIES"
    )
    assert REQUIRED <= parse_caps(declared)


def test_yaml_files_are_structurally_valid():
    files = render_package("demo")
    workflow = yaml.safe_load(files[".github/workflows/compliance.yml"])
    job = workflow["jobs"]["compliance"]
    triggers = workflow["on"] if "on" in workflow else workflow[True]  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    assert job["runs-on"] == "ubuntu-latest"
    runs = [step.get("run", "") for step in job["steps"]]
    assert any("mfok-lint" in run for run in runs)
    assert any("pytest tests" in run for run in runs)
    # expressions survive jinja untouched, and the artifact name varies with the matrix
    upload = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact"))
    assert "${{ matrix.python-version }}" in upload["with"]["name"]

    hooks = yaml.safe_load(files[".pre-commit-config.yaml"])
    hook = hooks["repos"][0]["hooks"][0]
    assert hook["id"] == "mfok-lint"
    published = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}["mfok-lint"]
    # the local hook hands over the same files as mfok's published hook (templates and workflows included)
    assert hook["entry"] == published["entry"] and hook["files"] == published["files"]


def test_missing_template_variable_is_an_error(monkeypatch, tmp_path):
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "README.md.j2").write_text("{{ name }} {{ not_a_variable }}\n")
    monkeypatch.setattr(generator, "_template_root", lambda: broken)
    with pytest.raises(ScaffoldError, match="not_a_variable"):
        render_package("demo")
    with pytest.raises(ScaffoldError):
        write_package("demo", output_dir=str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not os.path.exists(MFOK_LINT), reason="mfok-lint console script not installed")
@pytest.mark.parametrize("name", ["demo", "my_sched"])
def test_generated_package_is_lint_clean(tmp_path, name):
    target = write_package(name, output_dir=str(tmp_path))
    result = subprocess.run(
        [MFOK_LINT, "check", "--preview", target], capture_output=True, text=True, cwd=target, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
