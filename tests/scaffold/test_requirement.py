"""--mfok-requirement: what each form becomes, what the default assumes, and where it is written."""

import json

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement

from mfok_runtime.scaffold.cli import main
from mfok_runtime.scaffold.generator import render_package
from mfok_runtime.scaffold.requirement import MfokRequirement, RequirementError, default_requirement, parse_requirement
from tests.conftest import REPO


@pytest.mark.parametrize(
    "given, expected",
    [
        ("0.1.0", "mfok[compliance]==0.1.0"),
        ("v0.1.0", "mfok[compliance]==0.1.0"),
        ("==0.1.0", "mfok[compliance]==0.1.0"),
        (">=0.1,<1", "mfok[compliance]<1,>=0.1"),
        ("git+https://example.org/acme/mfok@0123abc", "mfok[compliance] @ git+https://example.org/acme/mfok@0123abc"),
        ("https://example.org/mfok-0.1.0-py3-none-any.whl",
         "mfok[compliance] @ https://example.org/mfok-0.1.0-py3-none-any.whl"),
        ("mfok==0.2", "mfok[compliance]==0.2"),
        ("mfok[lint] >= 0.2", "mfok[compliance,lint]>=0.2"),
        ("MFOK @ git+https://example.org/mfok", "mfok[compliance] @ git+https://example.org/mfok"),
    ],
)
def test_forms_become_a_requirement_on_mfok_with_the_compliance_extra(given, expected):
    parsed = parse_requirement(given)
    assert parsed.requirement == expected
    requirement = Requirement(parsed.requirement)
    assert requirement.name == "mfok" and "compliance" in requirement.extras
    assert parsed.assumption


def test_a_local_checkout_or_wheel_becomes_an_absolute_file_url(tmp_path, monkeypatch):
    checkout = parse_requirement(str(REPO))
    assert checkout.requirement == "mfok[compliance] @ %s" % REPO.as_uri()
    assert checkout.is_local and "this machine" in checkout.assumption
    wheel = tmp_path / "mfok-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert parse_requirement("./" + wheel.name).requirement == "mfok[compliance] @ %s" % wheel.as_uri()


@pytest.mark.parametrize(
    "given, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("not-a-thing", "not a version, a URL, a requirement on mfok or an existing path"),
        ("==banana", "not a valid version specifier"),
        ("mfokx==1", "not a version"),
        ("mfok==", "does not parse"),
        ("git+ftp://host/mfok", "use one of"),
        ("https://host/mfok 1.whl", "whitespace"),
    ],
)
def test_unusable_values_are_refused_with_the_reason(given, reason):
    with pytest.raises(RequirementError, match=reason):
        parse_requirement(given)


def test_a_directory_without_a_project_or_a_stray_file_is_refused(tmp_path):
    with pytest.raises(RequirementError, match="no pyproject.toml"):
        parse_requirement(str(tmp_path))
    stray = tmp_path / "notes.txt"
    stray.write_text("x")
    with pytest.raises(RequirementError, match="not a wheel"):
        parse_requirement(str(stray))


def test_the_default_reinstalls_the_running_mfok_and_says_what_it_assumes():
    default = default_requirement()
    requirement = Requirement(default.requirement)
    assert requirement.name == "mfok" and "compliance" in requirement.extras
    # this suite runs from an editable install of the checkout (scripts/test): its file URL
    assert requirement.url == REPO.as_uri(), default
    assert str(REPO) in default.assumption and "this machine" in default.assumption


def test_the_requirement_is_written_to_the_test_extra_and_the_ci_install_step():
    given = MfokRequirement("mfok[compliance] @ git+https://example.org/o'k/mfok@abc#egg=mfok", "it is reachable")
    files = render_package("demo", given)
    extra = tomllib.loads(files["pyproject.toml"])["project"]["optional-dependencies"]["test"]
    assert given.requirement in extra
    assert "it is reachable" in files["pyproject.toml"]
    workflow = yaml.safe_load(files[".github/workflows/compliance.yml"])
    (install,) = [s for s in workflow["jobs"]["compliance"]["steps"] if "pip install" in s.get("run", "")]
    assert install["env"]["MFOK_REQUIREMENT"] == given.requirement
    assert '"$MFOK_REQUIREMENT"' in install["run"] and '".[test]"' in install["run"]
    assert "it is reachable" in files[".github/workflows/compliance.yml"]


def test_the_default_lands_in_the_files_without_a_bare_index_requirement():
    files = render_package("demo")
    extra = tomllib.loads(files["pyproject.toml"])["project"]["optional-dependencies"]["test"]
    assert "mfok[compliance]" not in extra  # the unpinned form that cannot install
    assert default_requirement().requirement in extra


def test_cli_prints_the_requirement_and_its_assumption(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path), "--mfok-requirement", "0.1.0"]) == 0
    out = capsys.readouterr().out
    assert "mfok requirement: mfok[compliance]==0.1.0" in out
    assert "assumes: mfok==0.1.0 is on the package index" in out
    pyproject = (tmp_path / "demo" / "pyproject.toml").read_text()
    assert json.dumps("mfok[compliance]==0.1.0") in pyproject


def test_cli_warns_that_a_local_path_does_not_reach_ci(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path / "out"), "--mfok-requirement", str(REPO)]) == 0
    assert "installs on this machine only" in capsys.readouterr().out


def test_cli_refuses_a_bad_requirement_in_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["demo", "-o", str(out), "--mfok-requirement", "no/such/path"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mfok-run scaffold: error: --mfok-requirement: ")
    assert "Traceback" not in captured.err and not out.exists()
