"""Real flake8 running the installed ``MFO`` entry point, compared with ``mfok-lint`` on the same files."""

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import tool

FLAKE8_FORMAT = "%(path)s:%(row)d:%(col)d: %(code)s"


def _flake8(args, cwd):
    proc = subprocess.run([tool("flake8"), "--format", FLAKE8_FORMAT, *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted(set(re.findall(r"^(.+?):(\d+):(\d+): (MFO\d{3})$", proc.stdout, re.M)))


def _mfok(args, cwd):
    proc = subprocess.run(
        [tool("mfok-lint"), "check", "--no-cache", "--isolated", "--output-format", "concise", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return sorted(set(re.findall(r"^(.+?):(\d+):(\d+): (MFO\d{3}) ", proc.stdout, re.M)))


def test_flake8_reports_the_same_findings_as_mfok_lint(example_copy):
    flake8 = _flake8(["--select", "MFO", "."], example_copy)
    mfok = _mfok(["--select", "MFO0", "."], example_copy)
    assert flake8, "the example extension must produce findings under flake8"
    assert {c for *_, c in flake8} >= {"MFO001", "MFO002", "MFO003"}
    norm = lambda rows: sorted((p.lstrip("./"), r, c, code) for p, r, c, code in rows)  # noqa: E731
    assert norm(flake8) == norm(mfok)


def test_flake8_noqa_and_per_file_ignores_apply(example_copy):
    cli = example_copy / "metaflow_extensions/acme/plugins/acme/acme_objects.py"
    before = _flake8(["--select", "MFO001", "."], example_copy)
    assert before, "MFO001 must fire on the example before suppression"
    row = int(before[0][1])
    lines = cli.read_text().splitlines(keepends=True)
    lines[row - 1] = lines[row - 1].rstrip("\n") + "  # noqa: MFO001\n"
    cli.write_text("".join(lines))
    assert _flake8(["--select", "MFO001", "."], example_copy) == []

    cli.write_text(cli.read_text().replace("  # noqa: MFO001", ""))
    (example_copy / "setup.cfg").write_text("[flake8]\nper-file-ignores =\n    */acme_objects.py: MFO001\nmfok-preview = true\n")
    assert _flake8(["--select", "MFO001", "."], example_copy) == []


def test_flake8_plugin_is_registered_and_quiet_on_unrelated_code(tmp_path):
    (tmp_path / "plain.py").write_text("import os\n\n\ndef f(step):\n    return os.path.join(step, 'x')\n")
    proc = subprocess.run([tool("flake8"), "--version"], capture_output=True, text=True)
    assert "mfok: " in proc.stdout  # flake8 lists plugins by distribution name
    assert _flake8(["--select", "MFO", "."], tmp_path) == []


def _flake8_messages(args, cwd, env=None, fmt="%(code)s %(text)s"):
    import os

    proc = subprocess.run(
        [tool("flake8"), "--format", fmt, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode in (0, 1), proc.stderr
    return sorted(proc.stdout.splitlines())


def test_flake8_plugin_caches_rows_and_recomputes_what_changed(example_copy):
    import json

    # a second, unrelated package beside the example: its files read nothing of the example's, nor it of theirs
    standalone = example_copy / "standalone" / "objects.py"
    standalone.parent.mkdir()
    standalone.write_text((example_copy / "metaflow_extensions/acme/plugins/acme/acme_objects.py").read_text())
    first = _flake8_messages(["--select", "MFO", "."], example_copy)
    assert first
    entries = sorted((example_copy / ".mfok-lint-cache").glob("flake8-*/*/*.json"))
    assert entries, "the plugin stores its rows"
    # A run that reads the cache shows the stored rows (edited here to prove where they come from).
    for entry in entries:
        data = json.loads(entry.read_text())
        data["rows"] = [[r, c, code, "from the cache"] for r, c, code, _ in data["rows"]]
        entry.write_text(json.dumps(data))
    cached = _flake8_messages(["--select", "MFO", "."], example_copy)
    assert cached and all(line.endswith("from the cache") for line in cached)
    # Switched off, by option or environment, the plugin lints again.
    assert _flake8_messages(["--select", "MFO", "--mfok-no-cache", "."], example_copy) == first
    assert _flake8_messages(["--select", "MFO", "."], example_copy, env={"MFOK_LINT_NO_CACHE": "1"}) == first
    # A changed file is linted again, and so is every file whose findings read it (the plugin's modules answer
    # package-wide questions for each other); files that did not read it still come from the cache.
    standalone.write_text(standalone.read_text() + "\n")
    mixed = _flake8_messages(["--select", "MFO", "."], example_copy, fmt="%(path)s %(code)s %(text)s")
    assert all(line.endswith("from the cache") for line in mixed if "standalone" not in line)
    assert all(not line.endswith("from the cache") for line in mixed if "standalone" in line)
    assert any("standalone" in line for line in mixed) and any("standalone" not in line for line in mixed)


def test_flake8_plugin_cache_answers_for_files_no_rule_applies_to(tmp_path):
    """A warm run asks the cache before any rule's prefilter, so unrelated files cost a hash and a read."""
    import json

    (tmp_path / "plain.py").write_text("import os\n\n\ndef f(step):\n    return os.path.join(step, 'x')\n")
    assert _flake8_messages(["--select", "MFO", "."], tmp_path) == []
    entries = list((tmp_path / ".mfok-lint-cache").glob("flake8-*/*/*.json"))
    assert len(entries) == 1 and json.loads(entries[0].read_text())["rows"] == []
    entries[0].write_text(json.dumps({"rows": [[1, 0, "MFO001", "planted in the cache"]], "dependencies": []}))
    assert _flake8_messages(["--select", "MFO", "."], tmp_path) == ["MFO001 planted in the cache"]
    # Another text is another entry: the edited file is judged again.
    (tmp_path / "plain.py").write_text("import os\n")
    assert _flake8_messages(["--select", "MFO", "."], tmp_path) == []


def test_flake8_plugin_cache_follows_what_a_prefilter_saw_beside_the_file(tmp_path):
    """MFO043's screen asks whether an imported name is a sibling module; the cached "nothing applies" must be
    dropped when that sibling appears."""
    plugin = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme"
    plugin.mkdir(parents=True)
    (plugin / "acme_deployer.py").write_text("from acme_sdk import Client\n")
    assert _flake8_messages(["--select", "MFO043", "."], tmp_path) == []
    assert list((tmp_path / ".mfok-lint-cache").glob("flake8-*/*/*.json"))
    (plugin / "acme_sdk.py").write_text("class Client:\n    pass\n")
    assert [line.split()[0] for line in _flake8_messages(["--select", "MFO043", "."], tmp_path)] == ["MFO043"]


def test_flake8_answers_package_questions_from_the_modules_around_the_file(tmp_path):
    plugin = tmp_path / "metaflow_extensions/acme/plugins/acme"
    plugin.mkdir(parents=True)
    (plugin / "acme_reader.py").write_text(
        'def read(fds, run_id, t):\n    return fds.get_task_datastore(run_id, "a", t, attempt=0)\n'
    )
    (plugin / "acme_ops.py").write_text("def op(context):\n    return run_step(retry_count=context.retry_number)\n")
    args = ["--select", "MFO024", "metaflow_extensions/acme/plugins/acme/acme_reader.py"]
    expected = [("metaflow_extensions/acme/plugins/acme/acme_reader.py", "2", "51", "MFO024")]
    assert _flake8(args, tmp_path) == expected
    assert _mfok(["--preview", *args], tmp_path) == expected
    # the counter goes: both stop reporting (flake8's own cache included)
    (plugin / "acme_ops.py").write_text("def op(context):\n    return run_step()\n")
    assert _flake8(args, tmp_path) == []
    assert _mfok(["--preview", *args], tmp_path) == []


UNPARSABLE = {
    "metaflow_extensions/acme/plugins/acme/broken_call.py": "import os\n\ndef f(:\n    return os.sep\n",
    "metaflow_extensions/acme/plugins/acme/broken_indent.py": "def f():\nreturn 1\n",
    "metaflow_extensions/acme/plugins/acme/broken_string.py": 'CMD = ["step", "start",\n    "--retry-count", "0]\n',
    "flows/broken_flow.py": "from metaflow import FlowSpec\n\nclass F(FlowSpec)\n    pass\n",
    "metaflow_extensions/acme/plugins/acme/nul_byte.py": "X = 1\nY = '\x00'\n",
}


def _flake8_rows(args, cwd):
    """Every row flake8 prints, duplicates kept: (path, row, column, code, message)."""
    proc = subprocess.run(
        [tool("flake8"), "--format", "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    return proc.returncode, [(p[2:] if p.startswith("./") else p, int(r), int(c), code, text) for p, r, c, code, text in rows]


def _mfok_json_rows(args, cwd):
    import json

    proc = subprocess.run(
        [tool("mfok-lint"), "check", "--no-cache", "--isolated", "--output-format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return [
        (str(Path(d["filename"]).relative_to(cwd)), d["location"]["row"], d["location"]["column"], d["code"], d["message"])
        for d in json.loads(proc.stdout)
    ]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_flake8_reports_mfo900_on_unparsable_files_like_mfok_lint(example_copy, jobs):
    """flake8 runs no plugin on a file it cannot parse and ``--select MFO`` hides its E999: the plugin still
    reports MFO900 there, at mfok-lint's row, column and message."""
    for path, text in UNPARSABLE.items():
        (example_copy / path).parent.mkdir(parents=True, exist_ok=True)
        (example_copy / path).write_text(text)
    status, flake8 = _flake8_rows(["--select", "MFO", "--mfok-no-cache", "--jobs", jobs, "."], example_copy)
    assert status == 1
    mfok = _mfok_json_rows(["--select", "MFO900", "."], example_copy)
    assert sorted(path for path, *_ in mfok) == sorted(UNPARSABLE)
    assert sorted(row for row in flake8 if row[3] == "MFO900") == sorted(mfok)
    # Only MFO900 speaks for an unparsable file, once.
    assert sorted(row for row in flake8 if row[0] in UNPARSABLE) == sorted(mfok)
    # flake8's own E999 is still there when selected.
    _, with_e999 = _flake8_rows(["--select", "MFO900,E999", "--mfok-no-cache", "--jobs", jobs, "."], example_copy)
    assert sorted(path for path, _, _, code, _ in with_e999 if code == "E999") == sorted(UNPARSABLE)


def test_flake8_plugin_reports_each_finding_once_on_parsable_files(example_copy):
    """The syntax-error path adds nothing where flake8 could parse: no MFO900, no row twice, same rows as mfok-lint."""
    status, flake8 = _flake8_rows(["--select", "MFO", "--mfok-no-cache", "."], example_copy)
    assert status == 1 and flake8
    assert len(flake8) == len(set(flake8))
    assert not [row for row in flake8 if row[3] == "MFO900"]
    mfok = _mfok_json_rows(["--select", "MFO0,MFO1,MFO9", "."], example_copy)
    assert sorted(flake8) == sorted(mfok)


def test_flake8_mfo900_on_an_unparsable_file_from_the_cache_and_stdin(tmp_path):
    (tmp_path / "bad.py").write_text("def f(:\n    pass\n")
    first = _flake8_rows(["--select", "MFO", "."], tmp_path)
    assert first == (1, [("bad.py", 1, 7, "MFO900", "SyntaxError: invalid syntax")])
    assert list((tmp_path / ".mfok-lint-cache").glob("flake8-*/*/*.json"))
    assert _flake8_rows(["--select", "MFO", "."], tmp_path) == first
    proc = subprocess.run(
        [tool("flake8"), "--select", "MFO", "--mfok-no-cache", "--stdin-display-name", "x.py", "-"],
        input="x = (\n",
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and re.fullmatch(r"x\.py:1:\d+: MFO900 SyntaxError: .+\n", proc.stdout), proc
