"""File discovery: what `mfok-lint` walks, skips and names, through --show-files and the discovery API."""

import os
from pathlib import Path

import pytest
from cli_support import CLEAN, INVALID_NOQA, write_tree

from mfok_lint.core.settings import Settings
from mfok_lint.rules.selection import enabled_rules
from mfok_lint.run.discovery import DEFAULT_EXCLUDES, discover


def _shown(result, root: Path):
    assert result.code == 0, result
    return [Path(line).resolve().relative_to(root.resolve()).as_posix() for line in result.out.splitlines()]


def test_python_files_stubs_and_workflows_hidden_dirs_walked(tmp_path, mfok):
    write_tree(
        tmp_path,
        {
            "pkg/a.py": CLEAN,
            "pkg/b.pyi": CLEAN,
            "pkg/notes.txt": "x",
            ".github/workflows/ci.yml": "on: push\n",
            ".github/workflows/release.yaml": "on: push\n",
            ".github/dependabot.yml": "version: 2\n",
            ".hidden/c.py": CLEAN,
            "config.yml": "a: 1\n",
        },
    )
    assert _shown(mfok("--show-files"), tmp_path) == [
        ".github/workflows/ci.yml",
        ".github/workflows/release.yaml",
        ".hidden/c.py",
        "pkg/a.py",
        "pkg/b.pyi",
    ]


def test_default_excludes_are_skipped(tmp_path, mfok):
    files = {f"{name}/x.py": CLEAN for name in DEFAULT_EXCLUDES}
    files.update({"nested/node_modules/y.py": CLEAN, "keep/z.py": CLEAN})
    write_tree(tmp_path, files)
    assert _shown(mfok("--show-files"), tmp_path) == ["keep/z.py"]


def test_exclude_replaces_defaults_extend_exclude_adds(tmp_path, mfok):
    write_tree(
        tmp_path,
        {
            "venv/v.py": CLEAN,
            "build/b.py": CLEAN,
            "src/build/c.py": CLEAN,
            "src/gen/g.py": CLEAN,
            "src/keep.py": CLEAN,
            "src/skip_me.py": CLEAN,
        },
    )
    assert _shown(mfok("--show-files", "--extend-exclude", "build,*skip*"), tmp_path) == ["src/gen/g.py", "src/keep.py"]
    # --exclude replaces the default list, so venv/ is walked again.
    assert _shown(mfok("--show-files", "--exclude", "src/gen"), tmp_path) == [
        "build/b.py",
        "src/build/c.py",
        "src/keep.py",
        "src/skip_me.py",
        "venv/v.py",
    ]


def test_config_exclude_patterns_are_relative_to_the_project_root(tmp_path, mfok):
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mfok-lint]\nextend-exclude = ["src/gen"]\n',
            "src/gen/g.py": CLEAN,
            "src/x/gen/h.py": CLEAN,
            "src/a.py": CLEAN,
        },
    )
    # Run from a subdirectory: the pattern still means <root>/src/gen, not <cwd>/src/gen.
    result = mfok("--show-files", ".", cwd=tmp_path / "src")
    assert _shown(result, tmp_path) == ["src/a.py", "src/x/gen/h.py"]


def test_explicit_files_are_linted_unless_force_exclude(tmp_path, mfok):
    write_tree(
        tmp_path,
        {"gen/a.py": INVALID_NOQA, "b.py": CLEAN, "pyproject.toml": '[tool.mfok-lint]\nextend-exclude = ["gen"]\n'},
    )
    assert _shown(mfok("--show-files"), tmp_path) == ["b.py"]
    assert _shown(mfok("--show-files", "gen/a.py"), tmp_path) == ["gen/a.py"]
    assert _shown(mfok("--show-files", "gen"), tmp_path) == ["gen/a.py"]
    assert _shown(mfok("--show-files", "--force-exclude", "gen/a.py", "b.py"), tmp_path) == ["b.py"]
    assert mfok("--force-exclude", "gen/a.py").code == 0
    write_tree(tmp_path, {"pyproject.toml": '[tool.mfok-lint]\nextend-exclude = ["gen"]\nforce-exclude = true\n'})
    assert _shown(mfok("--show-files", "gen/a.py"), tmp_path) == []
    assert _shown(mfok("--show-files", "--no-force-exclude", "gen/a.py"), tmp_path) == ["gen/a.py"]


def _git_repo(root: Path) -> None:
    # A repository as the walker recognises one; no git command needed.
    (root / ".git" / "info").mkdir(parents=True)


def test_gitignore_nested_negation_and_info_exclude(tmp_path, mfok):
    _git_repo(tmp_path)
    write_tree(
        tmp_path,
        {
            ".gitignore": "build/\n*.gen.py\n",
            ".git/info/exclude": "local_only.py\n",
            "build/a.py": CLEAN,
            "x.gen.py": CLEAN,
            "local_only.py": CLEAN,
            "pkg/.gitignore": "secret*.py\n!keep.gen.py\n",
            "pkg/secret1.py": CLEAN,
            "pkg/keep.gen.py": CLEAN,
            "pkg/ok.py": CLEAN,
            "other/secret2.py": CLEAN,
        },
    )
    assert _shown(mfok("--show-files"), tmp_path) == ["other/secret2.py", "pkg/keep.gen.py", "pkg/ok.py"]
    assert len(_shown(mfok("--show-files", "--no-respect-gitignore"), tmp_path)) == 7
    # Named explicitly, an ignored file is still linted (ruff does the same) unless force-exclude.
    assert _shown(mfok("--show-files", "x.gen.py"), tmp_path) == ["x.gen.py"]
    assert _shown(mfok("--show-files", "--force-exclude", "x.gen.py"), tmp_path) == []


def test_gitignore_outside_a_repository_is_not_read(tmp_path, mfok):
    write_tree(tmp_path, {".gitignore": "a.py\n", "a.py": CLEAN})
    assert _shown(mfok("--show-files"), tmp_path) == ["a.py"]


def test_respect_gitignore_false_in_config(tmp_path, mfok):
    _git_repo(tmp_path)
    write_tree(
        tmp_path,
        {".gitignore": "a.py\n", "a.py": CLEAN, "pyproject.toml": "[tool.mfok-lint]\nrespect-gitignore = false\n"},
    )
    assert _shown(mfok("--show-files"), tmp_path) == ["a.py"]
    assert _shown(mfok("--show-files", "--respect-gitignore"), tmp_path) == []


def test_symlink_loops_are_walked_once_and_never_crash(tmp_path, mfok):
    write_tree(tmp_path, {"pkg/a.py": CLEAN})
    os.symlink("..", tmp_path / "pkg" / "up")
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "self")
    os.symlink("missing.py", tmp_path / "pkg" / "dangling.py")
    result = mfok("--show-files")
    assert _shown(result, tmp_path) == ["pkg/a.py"]
    assert "dangling.py: broken symbolic link, skipped" in result.err
    result = mfok()
    assert result.code == 0, result


@pytest.mark.skipif(os.geteuid() == 0, reason="root can list directories whatever their mode")
def test_unreadable_directory_is_skipped_with_a_warning(tmp_path, mfok):
    write_tree(tmp_path, {"locked/a.py": CLEAN, "b.py": CLEAN})
    (tmp_path / "locked").chmod(0)
    try:
        result = mfok("--show-files")
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert _shown(result, tmp_path) == ["b.py"]
    assert "cannot read directory" in result.err


def test_explicit_non_lintable_file_is_skipped_with_a_warning(tmp_path, mfok):
    write_tree(tmp_path, {"README.md": "# x\n"})
    result = mfok("README.md")
    assert result.code == 0
    assert "README.md: not a Python file" in result.err


def test_discovery_api_sorted_unique_relative_paths(tmp_path):
    write_tree(tmp_path, {"b/z.py": CLEAN, "a/y.py": CLEAN, "a/x.py": CLEAN})
    options = Settings(project_root=str(tmp_path))
    found = discover(["b", "a", "a/x.py", "."], options, cwd=str(tmp_path))
    assert found.files == [os.path.join("a", "x.py"), os.path.join("a", "y.py"), os.path.join("b", "z.py")]
    assert found.errors == [] and found.warnings == []
    outside = discover([str(tmp_path)], options, cwd=str(tmp_path / "b"))
    assert outside.files[0] == str(tmp_path / "a" / "x.py")


def test_file_vanishing_during_the_run_is_an_error_line_not_a_crash(tmp_path):
    from mfok_lint.core.settings import Settings
    from mfok_lint.run.runner import process_file

    write_tree(tmp_path, {"a.py": CLEAN})
    found = discover([str(tmp_path)], Settings(project_root=str(tmp_path)), cwd=str(tmp_path))
    (tmp_path / "a.py").unlink()
    settings = Settings()
    result = process_file(str(tmp_path / found.files[0]), settings, enabled_rules(settings))
    assert result.errors and "cannot read" in result.errors[0]


def test_named_directory_inside_an_ignored_tree_is_linted(tmp_path, mfok):
    # A virtualenv or vendored package the user names explicitly is linted, as ruff does.
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("vendored/\n")
    pkg = tmp_path / "vendored" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "m.py").write_text("x = (\n")
    (pkg / "skip.py").write_text("x = (\n")
    (pkg / ".gitignore").write_text("skip.py\n")
    result = mfok("--show-files", "vendored/pkg")
    assert [p.replace("\\", "/").endswith("vendored/pkg/m.py") for p in result.out.split()] == [True]
