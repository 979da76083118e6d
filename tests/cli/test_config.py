"""Configuration files, --config, --isolated and --show-settings, through the real entry point."""

import json
from pathlib import Path

import pytest
from cli_support import INVALID_NOQA, SYNTAX_ERROR, UNUSED_NOQA, assert_one_line_error, write_tree


def _codes(result):
    return sorted({d["code"] for d in json.loads(result.out)})


@pytest.fixture
def three_findings(tmp_path):
    write_tree(tmp_path, {"src/a.py": UNUSED_NOQA + INVALID_NOQA + SYNTAX_ERROR})
    return tmp_path


def test_pyproject_tool_table_is_read(three_findings, mfok):
    write_tree(three_findings, {"pyproject.toml": '[project]\nname = "x"\n\n[tool.mfok-lint]\nselect = ["MFO900"]\n'})
    assert _codes(mfok("--output-format", "json")) == ["MFO900"]


def test_lint_sub_table_is_accepted_and_wins_over_top_level(three_findings, mfok):
    write_tree(
        three_findings,
        {"pyproject.toml": '[tool.mfok-lint]\nselect = ["MFO900"]\n\n[tool.mfok-lint.lint]\nselect = ["MFO902"]\n'},
    )
    assert _codes(mfok("--output-format", "json")) == ["MFO902"]


@pytest.mark.parametrize("name", ["mfok-lint.toml", ".mfok-lint.toml"])
def test_dedicated_config_files_use_top_level_keys(three_findings, mfok, name):
    write_tree(three_findings, {name: 'ignore = ["MFO90"]\n'})
    assert mfok().code == 0


def test_nearest_config_walking_up_from_the_first_path(three_findings, mfok):
    write_tree(
        three_findings,
        {
            "pyproject.toml": '[tool.mfok-lint]\nselect = ["MFO900"]\n',
            "src/pyproject.toml": '[tool.mfok-lint]\nselect = ["MFO902"]\n',
            "other/pyproject.toml": '[project]\nname = "no-tool-table"\n',
            "other/b.py": SYNTAX_ERROR + INVALID_NOQA,
        },
    )
    assert _codes(mfok("--output-format", "json", "src")) == ["MFO902"]
    # A pyproject.toml without [tool.mfok-lint] is skipped: the root one applies to other/.
    assert _codes(mfok("--output-format", "json", "other")) == ["MFO900"]
    # Started from a subdirectory, the search walks up to the root configuration.
    assert _codes(mfok("--output-format", "json", ".", cwd=three_findings / "other")) == ["MFO900"]


def test_cli_flags_override_configuration(three_findings, mfok):
    write_tree(three_findings, {"pyproject.toml": '[tool.mfok-lint]\nselect = ["MFO900"]\noutput-format = "json"\n'})
    assert _codes(mfok()) == ["MFO900"]  # output-format from the file
    assert _codes(mfok("--select", "MFO901")) == ["MFO901"]
    assert _codes(mfok("--extend-select", "MFO902")) == ["MFO900", "MFO902"]
    assert mfok("--output-format", "concise").out.startswith("src/a.py:")


def test_ignore_from_config_and_select_from_cli_layer_like_ruff(three_findings, mfok):
    # A later layer's `select` starts over: the file's ignore no longer applies.
    write_tree(three_findings, {"pyproject.toml": '[tool.mfok-lint]\nignore = ["MFO902"]\n'})
    assert _codes(mfok("--output-format", "json")) == ["MFO900", "MFO901"]
    assert _codes(mfok("--output-format", "json", "--select", "MFO9")) == ["MFO900", "MFO901", "MFO902"]


def test_per_file_ignores_and_extend_from_config_with_negation(tmp_path, mfok):
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mfok-lint]\n[tool.mfok-lint.per-file-ignores]\n"tests/*" = ["MFO902"]\n'
            '[tool.mfok-lint.extend-per-file-ignores]\n"!src/**" = ["MFO900"]\n',
            "tests/t.py": INVALID_NOQA + SYNTAX_ERROR,
            "src/pkg/s.py": INVALID_NOQA + SYNTAX_ERROR,
        },
    )

    def found(*args):
        result = mfok("--output-format", "json", *args)
        return sorted(
            (Path(d["filename"]).resolve().relative_to(tmp_path.resolve()).as_posix(), d["code"])
            for d in json.loads(result.out)
        )

    assert found() == [("src/pkg/s.py", "MFO900"), ("src/pkg/s.py", "MFO902")]
    # The command line replaces the file's per-file-ignores.
    assert found("--per-file-ignores", "src/**:MFO900") == [
        ("src/pkg/s.py", "MFO902"),
        ("tests/t.py", "MFO900"),
        ("tests/t.py", "MFO902"),
    ]


def test_config_file_option_and_inline_overrides(three_findings, mfok):
    write_tree(
        three_findings,
        {"conf/custom.toml": 'select = ["MFO901"]\n', "pyproject.toml": '[tool.mfok-lint]\nselect = ["MFO900"]\n'},
    )
    assert _codes(mfok("--output-format", "json", "--config", "conf/custom.toml")) == ["MFO901"]
    assert _codes(mfok("--output-format", "json", "--config", "lint.select = ['MFO902']")) == ["MFO902"]
    # Overrides beat the file given with --config, whatever the order.
    assert _codes(
        mfok("--output-format", "json", "--config", "select = ['MFO902']", "--config", "conf/custom.toml")
    ) == ["MFO902"]
    # Global options may precede the subcommand, as in ruff.
    assert _codes(mfok("--config", "conf/custom.toml", "check", "--output-format", "json")) == ["MFO901"]


def test_isolated_ignores_configuration_files(three_findings, mfok):
    write_tree(three_findings, {"pyproject.toml": '[tool.mfok-lint]\nselect = ["MFO900"]\n'})
    assert _codes(mfok("--output-format", "json", "--isolated")) == ["MFO900", "MFO901", "MFO902"]
    assert _codes(mfok("--isolated", "check", "--output-format", "json")) == ["MFO900", "MFO901", "MFO902"]


@pytest.mark.parametrize(
    "content, fragments",
    [
        (
            '[tool.mfok-lint]\nselct = ["MFO"]\n',
            ["pyproject.toml: unknown key 'selct' in [tool.mfok-lint]", "did you mean 'select'"],
        ),
        ('[tool.mfok-lint.lint]\nignroe = ["MFO"]\n', ["unknown key 'ignroe' in [tool.mfok-lint.lint]", "'ignore'"]),
        ('[tool.mfok-lint]\nselect = "MFO900"\n', ["'select' in [tool.mfok-lint] must be a list of strings"]),
        ('[tool.mfok-lint]\npreview = "yes"\n', ["'preview' in [tool.mfok-lint] must be true or false"]),
        ('[tool.mfok-lint]\nper-file-ignores = ["x"]\n', ["'per-file-ignores' in [tool.mfok-lint] must be a table"]),
        ('[tool.mfok-lint]\nselect = ["MFO8"]\n', ["unknown rule selector 'MFO8' in 'select'"]),
        ('[tool.mfok-lint]\nignore = ["unused-noqa"]\n', ["rule names are not selectors; use 'MFO901'"]),
        (
            '[tool.mfok-lint.per-file-ignores]\n"a.py" = ["XYZ"]\n',
            ["unknown rule selector 'XYZ' in 'per-file-ignores'"],
        ),
        ('[tool.mfok-lint]\noutput-format = "jsn"\n', ["unknown output format 'jsn'", "did you mean 'json'"]),
        ("[tool.mfok-lint\n", ["pyproject.toml: invalid TOML"]),
        ("[tool]\nmfok-lint = 3\n", ["[tool.mfok-lint] must be a table"]),
    ],
)
def test_configuration_errors_are_one_line_and_exit_two(three_findings, mfok, content, fragments):
    write_tree(three_findings, {"pyproject.toml": content})
    assert_one_line_error(mfok(), *fragments)


def test_config_option_errors(three_findings, mfok):
    assert_one_line_error(mfok("--config", "missing.toml"), "no such configuration file")
    assert_one_line_error(mfok("--config", "selct = 1"), "unknown key 'selct'", "did you mean 'select'")
    assert_one_line_error(mfok("--config", "not toml at all"), "neither an existing .toml file")
    write_tree(three_findings, {"bad.toml": "select = 1\n"})
    assert_one_line_error(mfok("--config", "bad.toml"), "bad.toml: 'select' in the top level must be a list")


def test_show_settings_prints_the_resolved_settings(three_findings, mfok):
    write_tree(
        three_findings,
        {"pyproject.toml": '[tool.mfok-lint]\nignore = ["MFO901"]\nextend-exclude = ["gen"]\npreview = true\n'},
    )
    result = mfok("--show-settings", "--output-format", "concise")
    assert result.code == 0, result
    out = result.out
    assert "pyproject.toml" in out
    assert "'MFO900 (syntax-error)'" in out and "'MFO902 (invalid-noqa)'" in out
    assert "MFO901" not in out
    assert "extend_exclude = [\n\t'gen',\n]" in out
    assert "preview = true" in out
    assert "output_format = concise" in out
    assert "preview = false" in mfok("--show-settings", "--no-preview").out


def test_preview_flag_enables_preview_mode(three_findings, mfok):
    assert "preview = true" in mfok("--show-settings", "--preview").out
    assert "preview = false" in mfok("--show-settings").out


def test_cache_dir_and_no_cache_in_settings(three_findings, mfok):
    out = mfok("--show-settings", "--cache-dir", "elsewhere", "--no-cache").out
    assert "elsewhere'" in out and "cache = false" in out
    write_tree(three_findings, {"pyproject.toml": '[tool.mfok-lint]\ncache-dir = "c"\n'})
    assert str(three_findings / "c") in mfok("--show-settings").out
