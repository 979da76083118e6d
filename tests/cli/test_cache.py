"""The lint cache: created like ruff's, reused for unchanged files, bypassed by --no-cache."""

import json
from pathlib import Path

from cli_support import CLEAN, INVALID_NOQA, write_tree


def _entries(root: Path):
    return sorted(p for p in root.rglob("*.json"))


def test_cache_directory_is_tagged_and_ignored_by_git(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA})
    assert mfok().code == 1
    cache = tmp_path / ".mfok-lint-cache"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert len(_entries(cache)) == 1


def test_cached_findings_are_served_for_unchanged_files_only(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA, "b.py": INVALID_NOQA})
    first = mfok("--output-format", "json")
    entries = _entries(tmp_path / ".mfok-lint-cache")
    assert len(entries) == 2
    # Rewrite every stored message: a run that reads the cache must show the stored text.
    for entry in entries:
        data = json.loads(entry.read_text())
        data["diagnostics"][0]["message"] = "from the cache"
        entry.write_text(json.dumps(data))
    second = json.loads(mfok("--output-format", "json").out)
    assert [d["message"] for d in second] == ["from the cache", "from the cache"]
    # --no-cache neither reads the entries nor depends on them.
    fresh = mfok("--output-format", "json", "--no-cache")
    assert fresh.out == first.out
    # A changed file misses the cache.
    (tmp_path / "b.py").write_text(INVALID_NOQA + CLEAN)
    third = json.loads(mfok("--output-format", "json").out)
    assert [d["message"] for d in third] == ["from the cache", json.loads(first.out)[1]["message"]]


def test_settings_change_the_cache_key(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA})
    assert mfok().code == 1
    assert mfok("--ignore", "MFO902").code == 0
    assert mfok("--per-file-ignores", "a.py:MFO902").code == 0
    assert mfok().code == 1


def test_corrupt_entries_are_misses_not_errors(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA})
    expected = mfok("--output-format", "concise")
    for entry in _entries(tmp_path / ".mfok-lint-cache"):
        entry.write_text("{not json")
    again = mfok("--output-format", "concise")
    assert again.code == 1 and again.out == expected.out and again.err == ""


def test_no_cache_and_cache_dir(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA})
    assert mfok("--no-cache").code == 1
    assert not (tmp_path / ".mfok-lint-cache").exists()
    assert mfok(env={"MFOK_LINT_NO_CACHE": "1"}).code == 1
    assert not (tmp_path / ".mfok-lint-cache").exists()
    assert mfok("--cache-dir", "build/lintcache").code == 1
    assert (tmp_path / "build/lintcache/CACHEDIR.TAG").is_file()
    assert len(_entries(tmp_path / "build/lintcache")) == 1
    assert not (tmp_path / ".mfok-lint-cache").exists()


def test_fix_runs_bypass_the_cache(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": "x = 1  # noqa: MFO902\n"})
    assert mfok().code == 1
    for entry in _entries(tmp_path / ".mfok-lint-cache"):
        entry.write_text(json.dumps({"diagnostics": [], "dependencies": []}))
    assert mfok().code == 0  # served from the (edited) cache
    assert mfok("--fix").code == 0
    assert (tmp_path / "a.py").read_text() == "x = 1\n"  # the fix saw the real finding


_COMPILER = (
    "import sys\n"
    "from .settings import RETRY\n"
    "def step_command(step):\n"
    '    return [sys.executable, "flow.py", "--metadata", "local", "step", step, "--run-id", "1",\n'
    '            "--task-id", "2", "--retry-count", str(RETRY)]\n'
)


def test_a_finding_that_depends_on_another_module_is_recomputed_when_it_changes(tmp_path, mfok):
    plugin = "metaflow_extensions/acme/plugins/acme/"
    write_tree(
        tmp_path,
        {plugin + "__init__.py": "", plugin + "settings.py": "RETRY = 0\n", plugin + "compiler.py": _COMPILER},
    )
    args = ("--select", "MFO004", "--output-format", "concise", "metaflow_extensions")
    first = mfok(*args)
    assert first.code == 1 and "compiler.py" in first.out and "always 0" in first.out
    assert mfok(*args).out == first.out  # served from the cache
    # compiler.py is unchanged; the value it imports is now the scheduler's business
    (tmp_path / plugin / "settings.py").write_text("import os\nRETRY = int(os.environ['ATTEMPT'])\n")
    second = mfok(*args)
    assert second.code == 0, second.out
    # and a deleted sibling is a change too
    (tmp_path / plugin / "settings.py").write_text("RETRY = 0\n")
    assert mfok(*args).code == 1
    (tmp_path / plugin / "settings.py").unlink()
    assert mfok(*args).code == 0


def test_package_findings_are_cached_and_follow_the_modules_they_resolve(tmp_path, mfok):
    """MFO103 in ``mfextinit_acme.py`` depends on whether ``acme_deployer.py`` exists and what it defines."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.rules.conftest import acme_files

    write_tree(tmp_path, acme_files())
    deployer = tmp_path / "metaflow_extensions/acme/plugins/acme/acme_deployer.py"
    args = ("--select", "MFO103", "--output-format", "concise", "metaflow_extensions")
    assert mfok(*args).code == 0
    config_entries = len(_entries(tmp_path / ".mfok-lint-cache"))
    assert config_entries >= 4  # every file, the configuration file included, has its entry
    deployer.rename(deployer.with_name("renamed.py"))  # the descriptor now names a module that is gone
    gone = mfok(*args)
    assert gone.code == 1 and "no module" in gone.out
    deployer.with_name("renamed.py").rename(deployer)
    assert mfok(*args).code == 0
    deployer.write_text(deployer.read_text().replace("class AcmeDeployer", "class OtherDeployer"))
    renamed = mfok(*args)
    assert renamed.code == 1 and "AcmeDeployer" in renamed.out


def test_a_run_answered_by_the_cache_loads_no_rule_and_no_libcst(tmp_path, mfok):
    """Selecting rules and keying the cache read ``rules/registry.py``; findings carry their rule's name. Nor
    does it load the engine (``mfok_lint.lint``: checking a unit, noqa, fixes) or the runner."""
    import subprocess
    import sys

    write_tree(tmp_path, {"a.py": INVALID_NOQA, "b.py": CLEAN})
    first = mfok("--output-format", "full")
    assert first.code == 1
    code = (
        "import sys; from mfok_lint.cli.main import main\n"
        "try:\n    main(['check', '--output-format', 'full', '.'])\n"
        "except SystemExit as exit:\n    status = exit.code\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('libcst', 'mfok_lint.rules.mfo', 'mfok_lint.model', 'mfok_lint.lint.', 'mfok_lint.run.runner')))\n"
        "print('LOADED', loaded, status, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert "LOADED [] 1" in proc.stderr, proc.stderr
    assert proc.stdout == first.out
