"""`mfok-lint check`: findings, fixes, diffs, stdin, reports and exit codes, through the real entry point."""

import json
import os
import stat

import pytest
from cli_support import (
    CLEAN,
    INVALID_NOQA,
    SYNTAX_ERROR,
    UNUSED_NOQA,
    UNUSED_NOQA_FIXED,
    assert_one_line_error,
    run_mfok,
    write_tree,
)


def test_clean_tree_exits_zero(tmp_path, mfok):
    write_tree(tmp_path, {"pkg/ok.py": CLEAN})
    result = mfok()
    assert result.code == 0, result
    assert "All checks passed!" in result.out


def test_findings_exit_one_and_are_reported(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": UNUSED_NOQA, "b.py": INVALID_NOQA, "c.py": SYNTAX_ERROR})
    result = mfok("--output-format", "concise")
    assert result.code == 1, result
    lines = result.out.splitlines()
    assert lines[:3] == [
        "a.py:1:8: MFO901 [*] Unused `noqa` directive (unused: `MFO902`)",
        "b.py:1:16: MFO902 Invalid `noqa` directive: unknown code `MFO999`",
        "c.py:1:12: MFO900 SyntaxError: invalid syntax",
    ]
    assert "Found 3 errors." in result.out
    assert "[*] 1 fixable with `--fix`." in result.out


def test_installed_console_script_and_explicit_check_subcommand(tmp_path):
    write_tree(tmp_path, {"a.py": UNUSED_NOQA})
    result = run_mfok("check", "--output-format", "concise", ".", cwd=tmp_path, script=True)
    assert result.code == 1, result
    assert "a.py:1:8: MFO901" in result.out


def test_no_subcommand_means_check_with_fix_and_a_path(tmp_path, mfok):
    write_tree(tmp_path, {"ext/a.py": UNUSED_NOQA, "other/b.py": UNUSED_NOQA})
    result = mfok("--fix", "./ext")
    assert result.code == 0, result
    assert (tmp_path / "ext/a.py").read_text() == UNUSED_NOQA_FIXED
    assert (tmp_path / "other/b.py").read_text() == UNUSED_NOQA  # not named, not touched


def test_fix_reports_fixed_and_remaining_like_ruff(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": UNUSED_NOQA + "w = 0  # noqa: MFO900\n", "b.py": INVALID_NOQA})
    result = mfok("--fix", "--output-format", "concise")
    assert result.code == 1, result
    assert "Found 3 errors (2 fixed, 1 remaining)." in result.out
    assert (tmp_path / "a.py").read_text() == "x = 1\nw = 0\n"


def test_fix_of_everything_exits_zero_and_exit_non_zero_on_fix_makes_it_one(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": UNUSED_NOQA})
    assert mfok("--fix").code == 0
    write_tree(tmp_path, {"a.py": UNUSED_NOQA})
    result = mfok("--fix", "--exit-non-zero-on-fix")
    assert result.code == 1, result
    assert (tmp_path / "a.py").read_text() == UNUSED_NOQA_FIXED
    # Nothing left to fix: --exit-non-zero-on-fix has nothing to complain about.
    assert mfok("--fix", "--exit-non-zero-on-fix").code == 0


def test_no_fix_overrides_fix_from_configuration(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": UNUSED_NOQA, "pyproject.toml": "[tool.mfok-lint]\nfix = true\n"})
    result = mfok("--no-fix")
    assert result.code == 1, result
    assert (tmp_path / "a.py").read_text() == UNUSED_NOQA
    assert mfok().code == 0  # the configuration's fix = true applies without the flag
    assert (tmp_path / "a.py").read_text() == UNUSED_NOQA_FIXED


def test_fix_keeps_mode_bits_and_writes_through_a_temp_file(tmp_path, mfok):
    target = tmp_path / "tool.py"
    target.write_text("#!/usr/bin/env python\n" + UNUSED_NOQA)
    target.chmod(0o751)
    inode_before = target.stat().st_ino
    result = mfok("--fix", "tool.py")
    assert result.code == 0, result
    assert target.read_text() == "#!/usr/bin/env python\n" + UNUSED_NOQA_FIXED
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    # os.replace of a fresh file: a new inode, and no temp file left behind.
    assert target.stat().st_ino != inode_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tool.py"]


def test_diff_prints_a_unified_diff_writes_nothing_and_exits_one(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": UNUSED_NOQA + "y = 2\n", "b.py": CLEAN})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = mfok("--diff")
    assert result.code == 1, result
    assert result.out == (
        "--- a.py\n+++ a.py\n@@ -1,2 +1,2 @@\n-x = 1  # noqa: MFO902\n+x = 1\n y = 2\n\nWould fix 1 error.\n"
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_diff_with_nothing_to_change_exits_zero(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA})
    result = mfok("--diff")
    assert result.code == 0, result
    assert result.out == ""


def test_fix_only_reports_only_the_count_and_exits_zero_despite_leftovers(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": UNUSED_NOQA, "b.py": INVALID_NOQA})
    result = mfok("--fix-only")
    assert result.code == 0, result
    assert result.out == "Fixed 1 error.\n"
    assert (tmp_path / "a.py").read_text() == UNUSED_NOQA_FIXED


def test_show_fixes_lists_applied_fixes_per_file(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": UNUSED_NOQA, "sub/b.py": UNUSED_NOQA + "w = 0  # noqa: MFO900\n"})
    result = mfok("--fix", "--show-fixes")
    assert result.code == 0, result
    assert "Fixed 3 errors:\n- a.py:\n    1 × MFO901 (unused-noqa)\n" in result.out
    assert f"- {os.path.join('sub', 'b.py')}:\n    2 × MFO901 (unused-noqa)\n" in result.out
    assert "Found 3 errors (3 fixed, 0 remaining)." in result.out


def test_unsafe_fixes_flag_is_accepted_and_shown_in_settings(tmp_path, mfok):
    result = mfok("--unsafe-fixes", "--show-settings")
    assert result.code == 0, result
    assert "unsafe_fixes = true" in result.out
    write_tree(tmp_path, {"pyproject.toml": "[tool.mfok-lint]\nunsafe-fixes = true\n"})
    assert "unsafe_fixes = false" in mfok("--no-unsafe-fixes", "--show-settings").out


def test_statistics_table_and_json(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": UNUSED_NOQA + INVALID_NOQA, "b.py": INVALID_NOQA})
    result = mfok("--statistics")
    assert result.code == 1, result
    assert result.out.splitlines()[:2] == ["2\tMFO902\t[ ] invalid-noqa", "1\tMFO901\t[*] unused-noqa"]
    assert "Found 3 errors." in result.out
    data = json.loads(mfok("--statistics", "--output-format", "json").out)
    assert data == [
        {"code": "MFO902", "name": "invalid-noqa", "count": 2, "fixable": False, "fixable_count": 0},
        {"code": "MFO901", "name": "unused-noqa", "count": 1, "fixable": True, "fixable_count": 1},
    ]


def test_output_format_flag_and_environment_variable(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA})
    result = mfok("--output-format", "json")
    assert result.code == 1, result
    assert [d["code"] for d in json.loads(result.out)] == ["MFO902"]
    result = mfok(env={"MFOK_LINT_OUTPUT_FORMAT": "concise"})
    assert result.out.startswith("a.py:1:16: MFO902 "), result
    # The flag beats the environment.
    assert json.loads(mfok("--output-format", "json", env={"MFOK_LINT_OUTPUT_FORMAT": "concise"}).out)


def test_output_file_receives_the_report(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA})
    result = mfok("-o", "reports/lint.txt", "--output-format", "concise")
    assert result.code == 1, result
    assert result.out == ""
    assert (tmp_path / "reports/lint.txt").read_text().startswith("a.py:1:16: MFO902 ")
    result = mfok("--output-file", "out.json", "--output-format", "json")
    assert json.loads((tmp_path / "out.json").read_text())[0]["code"] == "MFO902"


def test_exit_zero_short_and_long(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA})
    for flag in ("--exit-zero", "-e"):
        result = mfok(flag)
        assert result.code == 0, result
        assert "MFO902" in result.out


def test_quiet_prints_findings_without_summary_and_silent_prints_nothing(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA})
    quiet = mfok("-q", "--output-format", "concise")
    assert quiet.code == 1
    assert quiet.out == "a.py:1:16: MFO902 Invalid `noqa` directive: unknown code `MFO999`\n"
    silent = mfok("--silent")
    assert silent.code == 1
    assert silent.out == "" and silent.err == ""
    (tmp_path / "a.py").write_text(CLEAN)
    assert mfok("--quiet").out == ""


def test_select_ignore_and_extend_select(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": UNUSED_NOQA + INVALID_NOQA + SYNTAX_ERROR})

    def codes(*args):
        result = mfok("--output-format", "json", *args)
        return sorted({d["code"] for d in json.loads(result.out)})

    assert codes() == ["MFO900", "MFO901", "MFO902"]
    assert codes("--select", "MFO900") == ["MFO900"]
    assert codes("--select", "MFO900,MFO902") == ["MFO900", "MFO902"]
    assert codes("--select", "MFO900", "--extend-select", "MFO901") == ["MFO900", "MFO901"]
    assert codes("--ignore", "MFO90") == []
    assert codes("--select", "MFO9", "--ignore", "MFO901") == ["MFO900", "MFO902"]
    # The more specific selector wins, whatever its side.
    assert codes("--select", "MFO901", "--ignore", "MFO9") == ["MFO901"]


def test_per_file_ignores_flag_uses_ruffs_pattern_code_syntax(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA, "tests/t.py": INVALID_NOQA, "b.py": INVALID_NOQA})
    result = mfok("--output-format", "concise", "--per-file-ignores", "tests/*:MFO902,b.py:MFO9")
    assert result.code == 1, result
    assert [line.split(":")[0] for line in result.out.splitlines() if "MFO902" in line] == ["a.py"]
    result = mfok("--output-format", "concise", "--extend-per-file-ignores", "!a.py:MFO902")
    assert [line.split(":")[0] for line in result.out.splitlines() if "MFO902" in line] == ["a.py"]


def test_ignore_noqa_reports_suppressed_findings(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": "def broken(:  # noqa: MFO900\n"})
    assert mfok().code == 0
    result = mfok("--ignore-noqa", "--output-format", "concise")
    assert result.code == 1, result
    assert "MFO900" in result.out


def test_add_noqa_adds_directives_and_then_the_tree_is_clean(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA + "w = 1\n"})
    result = mfok("--select", "MFO902", "--add-noqa")
    assert result.code == 0, result
    assert "Added 1 noqa directive." in result.err
    assert (tmp_path / "a.py").read_text() == "y = 2  # noqa: MFO999, MFO902\nw = 1\n"
    assert mfok("--select", "MFO902").code == 0
    assert_one_line_error(mfok("--add-noqa", "--fix"), "--add-noqa")


def test_stdin_lint_uses_the_stdin_filename(tmp_path, mfok):
    result = mfok("--output-format", "concise", "--stdin-filename", "pkg/mod.py", input=INVALID_NOQA)
    assert result.code == 1, result
    assert result.out.startswith("pkg/mod.py:1:16: MFO902")
    result = mfok("--output-format", "concise", "-", input=INVALID_NOQA)
    assert result.out.startswith("-:1:16: MFO902"), result


def test_stdin_fix_prints_the_fixed_text_on_stdout_and_the_report_on_stderr(tmp_path, mfok):
    result = mfok("--fix", "--stdin-filename", "m.py", input=UNUSED_NOQA + INVALID_NOQA)
    assert result.code == 1, result
    assert result.out == UNUSED_NOQA_FIXED + INVALID_NOQA
    assert "Found 2 errors (1 fixed, 1 remaining)." in result.err
    assert list(tmp_path.iterdir()) == []  # stdin mode never writes a file
    result = mfok("--fix", "--stdin-filename", "m.py", input=UNUSED_NOQA)
    assert result.code == 0 and result.out == UNUSED_NOQA_FIXED


def test_stdin_diff_and_per_file_ignores_on_the_stdin_name(tmp_path, mfok):
    result = mfok("--diff", "--stdin-filename", "m.py", input=UNUSED_NOQA)
    assert result.code == 1
    assert "-x = 1  # noqa: MFO902\n+x = 1\n" in result.out
    result = mfok("--stdin-filename", "tests/t.py", "--per-file-ignores", "tests/*:MFO902", input=INVALID_NOQA)
    assert result.code == 0, result


def test_stdin_force_exclude_passes_text_through(tmp_path, mfok):
    result = mfok(
        "--fix", "--force-exclude", "--extend-exclude", "gen", "--stdin-filename", "gen/m.py", input=INVALID_NOQA
    )
    assert result.code == 0, result
    assert result.out == INVALID_NOQA


def test_missing_path_is_an_io_error_with_exit_two(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": CLEAN})
    result = mfok("missing.py", "a.py")
    assert result.code == 2, result
    assert "mfok-lint: error: missing.py: no such file or directory" in result.err
    assert "Traceback" not in result.err


def test_undecodable_file_is_a_finding_not_a_crash(tmp_path, mfok):
    (tmp_path / "latin.py").write_bytes(b"x = '\xff\xfe'\n")
    result = mfok("--output-format", "concise")
    assert result.code == 1, result
    assert "latin.py:1:1: MFO900" in result.out


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files whatever their mode")
def test_unreadable_file_is_reported_with_exit_two(tmp_path, mfok):
    target = tmp_path / "secret.py"
    target.write_text(CLEAN)
    target.chmod(0)
    try:
        result = mfok()
    finally:
        target.chmod(0o644)
    assert result.code == 2, result
    assert "secret.py: cannot read" in result.err


def test_unwritable_file_during_fix_is_reported_with_exit_two(tmp_path, mfok):
    sub = tmp_path / "ro"
    sub.mkdir()
    (sub / "a.py").write_text(UNUSED_NOQA)
    sub.chmod(0o555)
    try:
        if os.access(sub, os.W_OK):
            pytest.skip("running as root: a read-only directory is still writable")
        result = mfok("--fix")
    finally:
        sub.chmod(0o755)
    assert result.code == 2, result
    assert "not written" in result.err


def test_color_follows_force_color_and_no_color(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": INVALID_NOQA})
    forced = mfok("--output-format", "concise", env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[" in forced.out
    plain = mfok("--output-format", "concise", env={"NO_COLOR": "1", "FORCE_COLOR": ""})
    assert "\x1b[" not in plain.out
    always = mfok("--output-format", "concise", "--color", "always")
    assert "\x1b[" in always.out
    mfok("--output-format", "concise", "--color", "always", "-o", "r.txt")
    assert "\x1b[" not in (tmp_path / "r.txt").read_text()


def test_usage_errors_exit_two(tmp_path, mfok):
    assert_one_line_error(mfok("--no-such-flag"), "no such option '--no-such-flag'")
    assert_one_line_error(mfok("--per-file-ignores", "nocolon"), "--per-file-ignores")
    assert_one_line_error(mfok("--select", "BOGUS1"), "unknown rule selector 'BOGUS1'")


def test_no_files_found_warns_and_exits_zero(tmp_path, mfok):
    write_tree(tmp_path, {"README.md": "# hi\n"})
    result = mfok()
    assert result.code == 0, result
    assert "No Python files found" in result.err


def test_many_files_run_in_parallel_keep_sorted_output(tmp_path, mfok):
    files = {f"pkg/m{i:02d}.py": INVALID_NOQA for i in range(40)}
    write_tree(tmp_path, files)
    result = mfok("--output-format", "concise", "-q")
    assert result.code == 1
    paths = [line.split(":")[0] for line in result.out.splitlines()]
    assert paths == sorted(os.path.join("pkg", f"m{i:02d}.py") for i in range(40))


def test_malformed_config_override_is_one_line_error(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": CLEAN})
    result = mfok("--config", "= broken")
    assert_one_line_error(result, "--config")


def test_verbose_reports_configuration_rules_and_file_count(tmp_path, mfok):
    write_tree(tmp_path, {"a.py": CLEAN, "b.py": CLEAN, "mfok-lint.toml": 'select = ["MFO900"]\n'})
    result = mfok("-v")
    assert result.code == 0, result
    assert "mfok-lint: debug: configuration: " in result.err and "mfok-lint.toml" in result.err
    assert "mfok-lint: debug: rules: MFO900\n" in result.err
    assert "checked 2 files in " in result.err
    assert "debug" not in mfok().err


def test_jobs_option_gives_the_same_report_serial_and_parallel(tmp_path, mfok):
    write_tree(tmp_path, {f"m{i:02d}.py": INVALID_NOQA if i % 3 else UNUSED_NOQA for i in range(24)})
    serial = mfok("--output-format", "json", "-j", "1", "--no-cache")
    parallel = mfok("--output-format", "json", "--jobs", "4", "--no-cache")
    assert serial.code == parallel.code == 1
    assert serial.out == parallel.out
    assert len(json.loads(serial.out)) == 24


def test_findings_do_not_depend_on_the_directory_the_run_starts_from(tmp_path, mfok):
    """Rules that decide by location read the package layout, not the path as typed: linting from inside
    ``plugins/acme/`` with ``.`` finds what linting from the project root finds, and a parent directory named
    ``metaflow`` does not make an extension part of Metaflow's core."""
    project = tmp_path / "metaflow"  # a checkout that happens to be called like the package
    plugin = "metaflow_extensions/acme/plugins/acme/"
    write_tree(
        project,
        {
            plugin + "acme_objects.py": "class AcmeDeployedFlow:\n    pass\n",
            plugin + "acme_cli.py": (
                "import click\nfrom acme_objects import AcmeDeployedFlow\n\n\n@click.group()\ndef cli():\n    pass\n"
            ),
            plugin + "worker.py": "def run(deco, cli_args):\n    deco.runtime_step_cli(cli_args, 0, 0, None)\n",
        },
    )
    args = ("--select", "MFO027,MFO043,MFO046", "--output-format", "concise", "--no-cache", ".")

    def found(result):
        return sorted(line.rsplit("/", 1)[-1].split(" ", 2)[:2] for line in result.out.splitlines() if ": MFO" in line)

    expected = [["acme_cli.py:1:1:", "MFO046"], ["acme_cli.py:2:1:", "MFO043"], ["worker.py:2:5:", "MFO027"]]
    assert found(mfok(*args, cwd=project)) == expected
    assert found(mfok(*args, cwd=project / plugin)) == expected


def test_metaflow_core_modules_are_recognised_by_their_package_from_any_directory(tmp_path, mfok):
    write_tree(
        tmp_path,
        {
            "site/metaflow/__init__.py": "",
            "site/metaflow/runtime.py": (
                "def launch(deco, cli_args):\n    deco.runtime_step_cli(cli_args, 0, 0, None)\n"
            ),
        },
    )
    args = ("--select", "MFO027", "--output-format", "concise", "--no-cache")
    assert mfok(*args, "site").code == 0
    assert mfok(*args, ".", cwd=tmp_path / "site" / "metaflow").code == 0
