"""Every command of mfok's tools reports a mistake as one line, ``<program>[ <subcommand>]: error: <message>``, and
exit 2: mfok-lint (all its subcommands speak as ``mfok-lint``), ``mfok-run`` and its subcommands (which name
themselves), the scaffold's own entry point, and the flake8 plugin's options. click's usage errors are reworded
to that line, never its usage block."""

import os
import re
import subprocess
import sys

import pytest
from cli_support import assert_one_line_error

from tests.conftest import tool

FORMATS = ("full", "concise", "grouped", "json", "json-lines", "junit", "github", "gitlab", "pylint", "sarif")


def _run(command, cwd, env=None):
    merged = {key: value for key, value in os.environ.items() if not key.startswith("MFOK_LINT_")}
    merged.update(NO_COLOR="1", **(env or {}))
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=merged, timeout=120)


CASES = [
    # mfok-lint: its own checks and click's
    (["mfok-lint", "--output-format", "nope", "."], "mfok-lint"),
    (["mfok-lint", "check", "--no-such-flag"], "mfok-lint"),
    (["mfok-lint", "check", "--jobs", "x", "."], "mfok-lint"),
    (["mfok-lint", "check", "-o"], "mfok-lint"),
    (["mfok-lint", "check", "--select", "BOGUS1", "."], "mfok-lint"),
    (["mfok-lint", "missing.py"], "mfok-lint"),
    (["mfok-lint", "rule", "MFO9"], "mfok-lint"),
    (["mfok-lint", "rules", "--output-format", "x"], "mfok-lint"),
    (["mfok-lint", "version", "--output-format", "x"], "mfok-lint"),
    # mfok-run: the group, and each subcommand by name
    (["mfok-run"], "mfok-run"),
    (["mfok-run", "nope"], "mfok-run"),
    (["mfok-run", "scaffold"], "mfok-run scaffold"),
    (["mfok-run", "scaffold", "--nope", "x"], "mfok-run scaffold"),
    (["mfok-run", "scaffold", "x", "-o"], "mfok-run scaffold"),
    (["mfok-run", "scaffold", "Bad-Name", "-o", "out"], "mfok-run scaffold"),
    (["mfok-run", "scaffold", "demo", "--mfok-requirement", "not a requirement ["], "mfok-run scaffold"),
    (["mfok-run", "compliance"], "mfok-run compliance"),
    (["mfok-run", "compliance", "--scheduler-type", "x", "--workers", "abc"], "mfok-run compliance"),
    ([sys.executable, "-m", "mfok_runtime.scaffold"], "mfok-run scaffold"),
    ([sys.executable, "-m", "mfok_runtime.scaffold", "--nope"], "mfok-run scaffold"),
    # the flake8 plugin's own option
    (["flake8", "--select", "MFO", "--mfok-target-metaflow-version", "zz", "."], "flake8"),
]


@pytest.mark.parametrize("command, prefix", CASES, ids=[" ".join([os.path.basename(c[0]), *c[1:]]) for c, _ in CASES])
def test_every_error_is_one_line_with_the_command_that_failed(tmp_path, command, prefix):
    if not command[0].startswith("/"):
        command = [tool(command[0]), *command[1:]]
    proc = _run(command, tmp_path)
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr + proc.stdout, proc
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert re.match(re.escape(prefix) + r": error: [a-z'-]", lines[0]), lines[0]
    assert not lines[0].endswith("."), lines[0]


def test_an_invalid_output_format_names_the_valid_ones_on_one_line(tmp_path):
    from cli_support import run_mfok

    result = run_mfok("--output-format", "nope", ".", cwd=tmp_path)
    assert_one_line_error(result, "invalid value for --output-format: 'nope'", *FORMATS)
    assert "(from MFOK_LINT_OUTPUT_FORMAT)" not in result.err
    from_env = run_mfok(".", cwd=tmp_path, env={"MFOK_LINT_OUTPUT_FORMAT": "nope"})
    assert_one_line_error(from_env, "invalid value for --output-format (from MFOK_LINT_OUTPUT_FORMAT): 'nope'", *FORMATS)
    assert_one_line_error(run_mfok("rules", "--output-format", "x", cwd=tmp_path), "'x'", "'text'", "'json'")


def test_a_missing_mfok_run_command_is_named_not_printed_as_help(tmp_path):
    proc = _run([tool("mfok-run")], tmp_path)
    assert proc.stderr == "mfok-run: error: missing command (one of: compliance, scaffold; see mfok-run --help)\n"
    assert proc.returncode == 2
