"""Real pre-commit installing and running this repository's hooks in a temporary git repository."""

import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO, tool


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.slow
def test_pre_commit_runs_both_hooks(tmp_path, example_copy):
    work = tmp_path / "work"
    shutil.copytree(example_copy, work)
    # A template of the package is checked; a shell script elsewhere in the repository is not handed over.
    template = work / "metaflow_extensions/acme/plugins/acme/templates/step.sh.j2"
    template.parent.mkdir()
    template.write_text(
        "python {{ flow }} --metadata local step {{ step }} --run-id {{ run }} --task-id {{ task }} --retry-count 0\n"
    )
    (work / "release.sh").write_text("echo release\n")
    _git(work, "init", "-q")
    _git(work, "add", ".")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-home"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")

    check = subprocess.run(
        [tool("pre-commit"), "try-repo", str(REPO), "mfok-lint", "--all-files", "--verbose"],
        cwd=work, capture_output=True, text=True, env=env, timeout=900,
    )
    assert check.returncode == 1, check.stdout + check.stderr
    assert "MFO001" in check.stdout and "MFO003" in check.stdout
    assert "templates/step.sh.j2:1:" in check.stdout and "MFO004" in check.stdout
    assert "release.sh" not in check.stdout + check.stderr
    objects = "metaflow_extensions/acme/plugins/acme/acme_objects.py"
    untouched = (example_copy / objects).read_text()
    assert (work / objects).read_text() == untouched

    fix = subprocess.run(
        [tool("pre-commit"), "try-repo", str(REPO), "mfok-lint-fix", "--all-files", "--verbose"],
        cwd=work, capture_output=True, text=True, env=env, timeout=900,
    )
    assert fix.returncode == 1, fix.stdout + fix.stderr  # files were modified
    fixed = (work / objects).read_text()
    assert fixed != untouched and 'run_params = ["%s=%s" % (k, v) for k, v in kwargs.items()]' in fixed
