"""The README's pre-commit snippets work as written: the `rev` exists, and real pre-commit runs the hook.

The YAML blocks are read from README.md itself, so the test breaks when the README does. The remote snippet's
URL placeholder is replaced by a local clone of this checkout (the only change made to it); the hook then
installs mfok at the README's `rev` exactly as a user's pre-commit would.
"""

import os
import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import BIN, EXAMPLE, REPO, tool

PLACEHOLDER = "<the URL of the mfok git repository>"


def _readme_section(title):
    text = (REPO / "README.md").read_text()
    start = text.index("### " + title)
    end = text.find("\n#", start + 4)
    return text[start:end if end != -1 else len(text)]


def _yaml_blocks():
    section = _readme_section("As a pre-commit hook")
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def _remote_block():
    (block,) = [b for b in _yaml_blocks() if PLACEHOLDER in b]
    return block


def _local_block():
    (block,) = [b for b in _yaml_blocks() if "repo: local" in b]
    return block


def _git(cwd, *args, check=True):
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True)


def _full_history():
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    inside = _git(REPO, "rev-parse", "--is-inside-work-tree", check=False)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        pytest.skip("this checkout is not a git repository")
    if _git(REPO, "rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        pytest.skip("this checkout is a shallow clone: older commits are not here to check the rev against")


def test_readme_rev_is_a_full_sha_on_this_history_with_the_hooks():
    _full_history()
    config = yaml.safe_load(_remote_block())
    (repo,) = config["repos"]
    rev = repo["rev"]
    assert re.fullmatch(r"[0-9a-f]{40}", rev), "pin a full commit SHA (there are no tags): %r" % rev
    assert _git(REPO, "merge-base", "--is-ancestor", rev, "HEAD", check=False).returncode == 0, (
        "%s is not a commit of this repository's history" % rev
    )
    hooks = yaml.safe_load(_git(REPO, "show", "%s:.pre-commit-hooks.yaml" % rev).stdout)
    assert {hook["id"] for hook in repo["hooks"]} <= {hook["id"] for hook in hooks}


def test_readme_says_how_to_pin():
    section = _readme_section("As a pre-commit hook")
    assert "pre-commit autoupdate --bleeding-edge --freeze" in section
    assert "pre-commit autoupdate --freeze" in section


def test_readme_local_hook_matches_the_published_hook():
    (local,) = yaml.safe_load(_local_block())["repos"]
    (hook,) = local["hooks"]
    published = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hook["entry"] == published["mfok-lint"]["entry"]
    assert hook["files"] == published["mfok-lint"]["files"]
    assert hook["language"] == "system"


def _buggy_repo(tmp_path):
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE, work)
    _git(work, "init", "-q")
    return work


def _run_pre_commit(work, config_text, tmp_path, path_prefix=None):
    (work / ".pre-commit-config.yaml").write_text(config_text)
    _git(work, "add", ".")
    env = dict(
        os.environ,
        PRE_COMMIT_HOME=str(tmp_path / "pc-home"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@t",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@t",
    )
    if path_prefix:
        env["PATH"] = os.pathsep.join([path_prefix, env.get("PATH", "")])
    return subprocess.run(
        [tool("pre-commit"), "run", "--all-files", "--verbose"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.mark.slow
def test_readme_remote_snippet_runs_with_real_pre_commit(tmp_path):
    _full_history()
    clone = tmp_path / "mfok-clone"
    _git(tmp_path, "clone", "-q", str(REPO), str(clone))
    work = _buggy_repo(tmp_path)
    result = _run_pre_commit(work, _remote_block().replace(PLACEHOLDER, str(clone)), tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"^mfok-lint\.+Failed", result.stdout, re.M), output
    assert "MFO001" in result.stdout and "MFO003" in result.stdout, output


@pytest.mark.slow
def test_readme_local_snippet_runs_with_real_pre_commit(tmp_path):
    work = _buggy_repo(tmp_path)
    # "where mfok is installed": this interpreter's environment, as an activated virtualenv would have it
    result = _run_pre_commit(work, _local_block(), tmp_path, path_prefix=str(BIN))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"^mfok-lint\.+Failed", result.stdout, re.M), output
    assert "MFO001" in result.stdout and "MFO003" in result.stdout, output
