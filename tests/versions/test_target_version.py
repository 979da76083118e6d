"""infer_target_version / parse_target_version on real file layouts and real releases."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

from mfok_lint.core.metaflow_contract import MetaflowVersion, newest_known
from mfok_lint.core.target_version import (
    DEFAULT_SOURCE,
    TargetVersionError,
    infer_target_version,
    parse_target_version,
    target_for_path,
    version_for_specifiers,
)


def write(root: Path, files: dict) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def infer(root: Path):
    version, source, _newest = infer_target_version(str(root))
    return str(version), source


# --- the explicit setting ----------------------------------------------------------------------


def test_parse_target_version():
    assert parse_target_version("2.12") == MetaflowVersion(2, 12, 0)
    assert str(parse_target_version("2.19.7")) == "2.19.7"
    assert str(parse_target_version(" v2.13 ")) == "2.13.0"


@pytest.mark.parametrize("bad", ["", "latest", "2.x", ">=2.12", "2.12.0.1", "2.12-rc1", "2,12"])
def test_parse_target_version_rejects_with_one_line(bad):
    with pytest.raises(TargetVersionError) as info:
        parse_target_version(bad)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("invalid target-metaflow-version")
    assert "2.19.7" in message  # says what a good value looks like
    assert isinstance(info.value, ValueError)


# --- specifiers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("==2.12.5", "2.12.5"),
        ("===2.9.0", "2.9.0"),
        ("==2.12.*", "2.12.0"),
        (">=2.12", "2.12.0"),
        ("~=2.12", "2.12.0"),
        ("~=2.12.3", "2.12.3"),
        (">2.12.9", "2.12.10"),
        (">=2.12,<2.13", "2.12.0"),
        (">=2.12, !=2.12.0", "2.12.1"),
        ("<2.13", "2.12.39"),
        ("<=2.12.30", "2.12.30"),
        ("<2.12.25", "2.12.24"),
        ("!=2.19.39", "2.19.38"),
        (">=2.20", "2.20.0"),
        ("", str(newest_known())),
    ],
)
def test_version_for_specifiers(spec, expected):
    assert str(version_for_specifiers(spec)) == expected


def test_unsatisfiable_specifiers_give_none():
    assert version_for_specifiers(">=2.13,<2.12") is None


# --- file layouts --------------------------------------------------------------------------------


def test_pyproject_project_dependencies(tmp_path):
    write(tmp_path, {
        "pyproject.toml": """
            [project]
            name = "metaflow-acme"
            dependencies = ["click>=8", "metaflow>=2.12,<2.13", "metaflow-dagster>=0.1"]
        """,
        "requirements.txt": "metaflow==2.19.0\n",
    })
    assert infer(tmp_path) == ("2.12.0", "pyproject.toml: project.dependencies 'metaflow>=2.12,<2.13'")


def test_pyproject_marker_extra_and_case(tmp_path):
    write(tmp_path, {
        "pyproject.toml": """
            [project]
            name = "acme"
            dependencies = ["MetaFlow[extra] ~= 2.15.3 ; python_version >= '3.8'"]
        """,
    })
    assert infer(tmp_path) == ("2.15.3", "pyproject.toml: project.dependencies 'MetaFlow[extra] ~= 2.15.3'")


def test_poetry_caret_and_table(tmp_path):
    write(tmp_path / "a", {
        "pyproject.toml": """
            [tool.poetry.dependencies]
            python = "^3.9"
            metaflow = "^2.12"
        """,
    })
    assert infer(tmp_path / "a") == ("2.12.0", "pyproject.toml: tool.poetry.dependencies 'metaflow = ^2.12'")
    write(tmp_path / "b", {
        "pyproject.toml": """
            [tool.poetry.dependencies]
            metaflow = { version = "~2.15.3", extras = ["x"] }
        """,
    })
    version, source = infer(tmp_path / "b")
    assert version == "2.15.3" and source.startswith("pyproject.toml: tool.poetry.dependencies")
    write(tmp_path / "c", {"pyproject.toml": '[tool.poetry.dependencies]\nmetaflow = "2.12.7"\n'})
    assert infer(tmp_path / "c")[0] == "2.12.7"


def test_setup_cfg(tmp_path):
    write(tmp_path, {
        "setup.cfg": """
            [metadata]
            name = metaflow-acme

            [options]
            packages = find_namespace:
            install_requires =
                requests
                metaflow==2.12.5  # the Deployer API arrived later
        """,
    })
    assert infer(tmp_path) == ("2.12.5", "setup.cfg: options.install_requires 'metaflow==2.12.5'")


def test_setup_py_literal_list_and_bound_name(tmp_path):
    write(tmp_path / "literal", {
        "setup.py": """
            from setuptools import setup
            setup(name="metaflow-acme", install_requires=["boto3", "metaflow>=2.9.0"])
        """,
    })
    assert infer(tmp_path / "literal") == ("2.9.0", "setup.py: install_requires 'metaflow>=2.9.0'")
    write(tmp_path / "named", {
        "setup.py": """
            import setuptools
            REQUIRES = ["metaflow>2.12.9"]
            setuptools.setup(name="acme", install_requires=REQUIRES)
        """,
    })
    assert infer(tmp_path / "named") == ("2.12.10", "setup.py: install_requires 'metaflow>2.12.9'")


def test_setup_py_computed_requirements_fall_through(tmp_path):
    write(tmp_path, {
        "setup.py": """
            from setuptools import setup
            setup(name="acme", install_requires=open("deps.txt").read().split())
        """,
        "requirements-dev.txt": "-r requirements-base.txt\npytest\n",
        "requirements-base.txt": "# base\nmetaflow<2.13   # old API\n",
    })
    assert infer(tmp_path) == ("2.12.39", "requirements-base.txt 'metaflow<2.13'")


def test_requirements_txt(tmp_path):
    write(tmp_path, {"requirements.txt": "--index-url https://example.invalid/simple\nmetaflow==2.19.7\n"})
    assert infer(tmp_path) == ("2.19.7", "requirements.txt 'metaflow==2.19.7'")


def test_unversioned_requirement_is_newest_known(tmp_path):
    write(tmp_path, {"requirements.txt": "metaflow\n"})
    assert infer(tmp_path) == (str(newest_known()), "requirements.txt 'metaflow'")


def test_url_and_unsatisfiable_requirements_fall_back_with_a_note(tmp_path):
    write(tmp_path / "url", {"requirements.txt": "metaflow @ git+https://example.invalid/metaflow.git\n"})
    version, source = infer(tmp_path / "url")
    assert version == str(newest_known())
    assert source.startswith(DEFAULT_SOURCE) and "gives no version" in source
    write(tmp_path / "bad", {"requirements.txt": "metaflow>=2.13,<2.12\n"})
    version, source = infer(tmp_path / "bad")
    assert version == str(newest_known()) and "allows no version" in source


def test_bundled_metaflow_version_py(tmp_path):
    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "acme"\ndependencies = ["metaflow>=2.19"]\n',
        "src/acme/_vendor/metaflow/__init__.py": "",
        "src/acme/_vendor/metaflow/version.py": 'metaflow_version = "2.12.33.post2+acme"\n',
        # copies under tests/ and in virtualenvs are not the code's Metaflow
        "tests/fixtures/metaflow/__init__.py": "",
        "tests/fixtures/metaflow/version.py": 'metaflow_version = "2.0.0"\n',
        "venv/pyvenv.cfg": "home = /usr/bin\n",
        "venv/lib/site/metaflow/__init__.py": "",
        "venv/lib/site/metaflow/version.py": 'metaflow_version = "2.19.39"\n',
    })
    assert infer(tmp_path) == ("2.12.33", "src/acme/_vendor/metaflow/version.py: metaflow_version = '2.12.33.post2+acme'")


def test_metaflow_itself_old_setup_py(tmp_path):
    write(tmp_path, {
        "setup.py": """
            from setuptools import setup, find_packages
            version = "2.2.13"
            setup(name="metaflow", version=version, packages=find_packages())
        """,
        "metaflow/__init__.py": "",
    })
    assert infer(tmp_path) == ("2.2.13", "setup.py: setup(name='metaflow', version='2.2.13')")


def test_pkg_info_requires_dist(tmp_path):
    write(tmp_path, {
        "PKG-INFO": "Metadata-Version: 2.1\nName: acme\nRequires-Dist: pytest; extra == \"test\"\n"
        "Requires-Dist: metaflow>=2.11\n\nlong description\n",
    })
    assert infer(tmp_path) == ("2.11.0", "PKG-INFO: Requires-Dist 'metaflow>=2.11'")


def test_nothing_declared(tmp_path):
    write(tmp_path, {"pyproject.toml": '[project]\nname = "acme"\ndependencies = ["metaflow-dagster"]\n', "x.py": ""})
    assert infer(tmp_path) == (str(newest_known()), DEFAULT_SOURCE)
    (tmp_path / "empty").mkdir()
    assert infer(tmp_path / "empty") == (str(newest_known()), DEFAULT_SOURCE)


def test_broken_files_do_not_crash(tmp_path):
    write(tmp_path, {
        "pyproject.toml": "[project\nname=",
        "setup.cfg": "not an ini file [",
        "setup.py": "setup(install_requires=[\n",
        "requirements.txt": "metaflow>=2.13.0\n",
    })
    assert infer(tmp_path) == ("2.13.0", "requirements.txt 'metaflow>=2.13.0'")


# --- real releases from PyPI ---------------------------------------------------------------------


def _sdist(tmp_path: Path, requirement: str) -> Path:
    dl = tmp_path / "dl"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary=:all:", "--disable-pip-version-check",
         "-q", "-d", str(dl), requirement],
        capture_output=True, text=True,
    )
    archives = list(dl.glob("*.tar.gz"))
    if not archives:
        pytest.fail(f"pip download {requirement} failed: {proc.stderr[-500:]}")
    with tarfile.open(archives[0]) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(tmp_path / "src", filter="data")
        else:  # Python < 3.11.4
            tar.extractall(tmp_path / "src")
    (root,) = (tmp_path / "src").iterdir()
    return root


@pytest.mark.slow
@pytest.mark.parametrize(
    "requirement, expected",
    [
        ("metaflow-dagster==0.1.0", ("2.10.0", "pyproject.toml: project.dependencies 'metaflow>=2.10'")),
        ("metaflow-temporal==0.1.0", ("2.9.0", "pyproject.toml: project.dependencies 'metaflow>=2.9'")),
        # setup.py-only, no metaflow requirement at all: the default.
        ("metaflow-slurm==0.0.4", (str(newest_known()), DEFAULT_SOURCE)),
    ],
)
def test_real_extension_releases(tmp_path, requirement, expected):
    assert infer(_sdist(tmp_path, requirement)) == expected


@pytest.mark.slow
def test_real_metaflow_release_tree(tmp_path):
    """An unpacked Metaflow release is judged as its own version."""
    import metaflow_source as ms

    wheel_root = ms.release_root("2.12.37")
    assert infer(wheel_root) == ("2.12.37", "metaflow-2.12.37.dist-info/METADATA: Version 2.12.37 of metaflow itself")


def _metaflow_copy(root, parts):
    for rel in ["plugins/acme/compiler.py"] + parts:
        path = os.path.join(str(root), "metaflow", rel)
        if rel.endswith(".py"):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").close()
        else:
            os.makedirs(path, exist_ok=True)
    return os.path.join(str(root), "metaflow", "plugins", "acme", "compiler.py")


def test_a_copy_of_metaflow_without_a_version_is_judged_by_what_it_holds(tmp_path):
    old = _metaflow_copy(tmp_path / "old", [])  # a fork of 2.5: no runner, no user_configs, no __init__.py either
    judged = target_for_path(old)
    assert judged.range.newest < MetaflowVersion.parse("2.12.0")
    assert "judged by what it holds" in judged.source and "user_configs/" in judged.source
    newer = _metaflow_copy(tmp_path / "newer", ["runner", "runner/deployer.py", "runner/deployer_impl.py"])
    judged = target_for_path(newer)
    assert judged.version == MetaflowVersion.parse("2.12.29") and judged.range.newest < MetaflowVersion.parse("2.12.37")
    full = _metaflow_copy(
        tmp_path / "full", ["runner", "runner/deployer.py", "runner/deployer_impl.py", "user_configs"]
    )
    judged = target_for_path(full)
    assert judged.version == MetaflowVersion.parse("2.12.37") and judged.range.newest == newest_known()


def test_an_extension_without_metadata_keeps_the_default(tmp_path):
    path = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme" / "x.py"
    path.parent.mkdir(parents=True)
    path.write_text("")
    assert target_for_path(str(path)).source.startswith(DEFAULT_SOURCE)
