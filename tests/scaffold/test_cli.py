"""`mfok-run scaffold` / `python -m mfok_runtime.scaffold`: names, --force, and the guarantees on disk."""

import os
import subprocess
import sys

import pytest

from mfok_runtime.scaffold import generator
from mfok_runtime.scaffold.cli import main
from mfok_runtime.scaffold.generator import ScaffoldError, write_package

BAD_NAMES = [
    ("", "empty"),
    ("MySched", "lowercase identifier"),
    ("my-sched", "lowercase identifier"),
    ("1sched", "lowercase identifier"),
    ("_private", "lowercase identifier"),
    ("my sched", "lowercase identifier"),
    ("../escape", "lowercase identifier"),
    ("a/b", "lowercase identifier"),
    ("caf\u00e9", "lowercase identifier"),
    ("x" * 41, "longer than"),
    ("class", "keyword"),
    ("lambda", "keyword"),
    ("match", "keyword"),
    ("run", "Metaflow already has"),
    ("step", "Metaflow already has"),
    ("init", "Metaflow already has"),
    ("resume", "Metaflow already has"),
    ("argo_workflows", "Metaflow already has"),
    ("step_functions", "Metaflow already has"),
    ("airflow", "Metaflow already has"),
    ("kubernetes", "Metaflow already has"),
    ("env", "Deployer"),
    ("flow_file", "Deployer"),
    ("metaflow", "reserved"),
    ("list", "builtin"),
]


def _snapshot(root):
    found = set()
    for folder, dirs, files in os.walk(root):
        for entry in dirs + files:
            found.add(os.path.relpath(os.path.join(folder, entry), root))
    return found


@pytest.mark.parametrize("name,reason", BAD_NAMES)
def test_bad_names_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, name, reason):
    out = tmp_path / "out"
    assert main([name, "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and reason in err, err
    assert "Traceback" not in err
    assert not out.exists()
    assert _snapshot(tmp_path) == set()


def test_hyphenated_metaflow_commands_are_caught_as_well():
    # the regex already refuses hyphens, but the reason must never be "fine"
    for name in ("argo-workflows", "step-functions", "output-raw"):
        with pytest.raises(ScaffoldError):
            generator.validate_name(name)


def test_module_entry_point_and_usage_errors(tmp_path):
    ok = subprocess.run(
        [sys.executable, "-m", "mfok_runtime.scaffold", "modsched", "--output-dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "modsched" / "pyproject.toml").is_file()

    bad = subprocess.run(
        [sys.executable, "-m", "mfok_runtime.scaffold", "Bad-Name", "--output-dir", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    assert not (tmp_path / "o").exists()

    missing = subprocess.run([sys.executable, "-m", "mfok_runtime.scaffold"], capture_output=True, text=True)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_writes_only_inside_the_output_dir(tmp_path):
    out = tmp_path / "deep" / "out"
    assert main(["demo", "-o", str(out)]) == 0
    assert _snapshot(tmp_path) == {"deep", "deep/out"} | {os.path.join("deep/out", p) for p in _snapshot(out)}
    assert all(p == "demo" or p.startswith("demo" + os.sep) for p in _snapshot(out))


def test_existing_target_needs_force(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path)]) == 0
    marker = tmp_path / "demo" / "user_file.txt"
    marker.write_text("mine")
    capsys.readouterr()

    assert main(["demo", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and err.count("\n") == 1
    assert marker.exists(), "refused run must leave the existing tree alone"

    assert main(["demo", "-o", str(tmp_path), "--force"]) == 0
    assert not marker.exists(), "--force replaces the tree"
    assert (tmp_path / "demo" / "pyproject.toml").is_file()
    assert _snapshot(tmp_path) == {"demo"} | {os.path.join("demo", p) for p in _snapshot(tmp_path / "demo")}


def test_force_refuses_a_symlink_or_file_target(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    (out / "demo").symlink_to(elsewhere)
    assert main(["demo", "-o", str(out), "--force"]) == 2
    assert (elsewhere / "keep.txt").read_text() == "keep" and _snapshot(elsewhere) == {"keep.txt"}

    (out / "plain").write_text("a file")
    assert main(["plain", "-o", str(out), "--force"]) == 2
    assert (out / "plain").read_text() == "a file"


def test_output_dir_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["demo", "-o", str(blocker)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_failure_half_way_leaves_no_partial_tree(tmp_path, monkeypatch):
    real_open = open
    written = []

    def failing_open(path, mode="r", *args, **kwargs):
        if "w" in mode and str(path).startswith(str(tmp_path)):
            written.append(path)
            if len(written) == 5:
                raise OSError(28, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(ScaffoldError, match="No space left"):
        write_package("demo", output_dir=str(tmp_path / "out"))
    assert len(written) == 5
    assert not (tmp_path / "out").exists(), "the output dir we created is removed again"

    (tmp_path / "keep").mkdir()
    written.clear()
    with pytest.raises(ScaffoldError):
        write_package("demo", output_dir=str(tmp_path / "keep"))
    assert _snapshot(tmp_path / "keep") == set()


def test_failed_forced_swap_keeps_the_old_tree(tmp_path, monkeypatch):
    write_package("demo", output_dir=str(tmp_path))
    marker = tmp_path / "demo" / "user_file.txt"
    marker.write_text("mine")
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # old tree moved aside, the new one fails to move in
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(generator.os, "replace", flaky_replace)
    with pytest.raises(ScaffoldError, match="Input/output error"):
        write_package("demo", output_dir=str(tmp_path), force=True)
    assert marker.read_text() == "mine"
    assert _snapshot(tmp_path) == {"demo"} | {os.path.join("demo", p) for p in _snapshot(tmp_path / "demo")}
