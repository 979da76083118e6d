"""Keeps mfok_lint.core.metaflow_contract honest.

The slow tests download every release the table names (``pip download --no-deps``, cached in
``~/.cache/mfok-metaflow-releases``), read its source with ``ast`` (never importing it) and compare
each fact and option set with the table. The fast tests check the table's own shape.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from mfok_lint.core import metaflow_contract as mc
from mfok_lint.core.metaflow_contract import MetaflowVersion, VersionError

import metaflow_source as ms

RELEASES = [str(v) for v in mc.KNOWN_RELEASES]


# --- fast: the table's shape -----------------------------------------------------------------


def test_version_parse_compare_str():
    assert str(MetaflowVersion.parse("2.19.7")) == "2.19.7"
    assert str(MetaflowVersion.parse("2.12")) == "2.12.0"
    assert MetaflowVersion.parse("2.13") == MetaflowVersion.parse("2.13.0") == "2.13.0"
    assert MetaflowVersion.parse("2.9.15") < MetaflowVersion.parse("2.12.0") < "2.12.1"
    assert MetaflowVersion.parse("2.19.10") > MetaflowVersion.parse("2.19.9")
    assert sorted(map(MetaflowVersion.parse, ["2.19.39", "2.2.13", "2.19.4"])) == ["2.2.13", "2.19.4", "2.19.39"]
    assert len({MetaflowVersion.parse("2.13"), MetaflowVersion.parse("2.13.0")}) == 1
    assert MetaflowVersion.parse("2.12.33.post1+acme", strict=False) == "2.12.33"
    assert MetaflowVersion.parse("2.13rc1", strict=False) == "2.13.0"
    for bad in ("", "two", "2.x", "2.19.7.1", ">=2.12", "2.12.post1", "2..1"):
        with pytest.raises(VersionError):
            MetaflowVersion.parse(bad)


def test_known_releases_are_sorted_and_unique():
    assert list(mc.KNOWN_RELEASES) == sorted(set(mc.KNOWN_RELEASES))
    assert mc.newest_known() == mc.KNOWN_RELEASES[-1]
    assert mc.oldest_known() == "2.0.0"


def _histories():
    yield "FACTS", mc.FACTS
    yield "STEP_OPTIONS", mc.STEP_OPTIONS
    yield "INIT_OPTIONS", mc.INIT_OPTIONS
    yield "TOP_LEVEL_OPTIONS", mc.TOP_LEVEL_OPTIONS
    yield "PROJECT_OPTIONS", mc.PROJECT_OPTIONS
    yield "CONFIG_OPTIONS", mc.CONFIG_OPTIONS
    yield "RUNTIME_TOP_LEVEL_OPTIONS", mc.RUNTIME_TOP_LEVEL_OPTIONS
    yield "RUNTIME_STEP_OPTIONS", mc.RUNTIME_STEP_OPTIONS
    for kind, keys in mc.ATTRIBUTE_FILE_KEYS.items():
        yield f"ATTRIBUTE_FILE_KEYS[{kind}]", keys


def test_every_boundary_is_a_known_release_with_its_neighbour_known():
    known = list(mc.KNOWN_RELEASES)
    for table, history in _histories():
        for name, (first, last) in history.items():
            for end in (first, last):
                if end is not None:
                    assert MetaflowVersion.parse(end) in known, f"{table}[{name}]: {end} is not in KNOWN_RELEASES"
            if first is not None:
                i = known.index(MetaflowVersion.parse(first))
                assert i > 0, f"{table}[{name}]: no known release before {first} to show it absent"
            if last is not None:
                i = known.index(MetaflowVersion.parse(last))
                assert i < len(known) - 1, f"{table}[{name}]: no known release after {last} to show it gone"
            if first is not None and last is not None:
                assert MetaflowVersion.parse(first) <= MetaflowVersion.parse(last), f"{table}[{name}]"


def test_every_fact_has_a_probe_and_a_description():
    assert set(mc.FACTS) == set(ms.PROBES), set(mc.FACTS) ^ set(ms.PROBES)
    assert set(mc.FACTS) == set(mc.FACT_DESCRIPTIONS), set(mc.FACTS) ^ set(mc.FACT_DESCRIPTIONS)


def test_queries():
    assert mc.has("flow_config_value_env", "2.13") and not mc.has("flow_config_value_env", "2.12.36")
    assert mc.has("deployer_kwargs_property", "2.12.29") and not mc.has("deployer_kwargs_property", "2.12.28")
    assert mc.has("flow_state_items", "2.19.10") and not mc.has("flow_state_items", "2.19.9")
    assert mc.has("step_with_option", "2.9.15") and not mc.has("step_with_option", "2.19.0")
    assert "--with" in mc.step_options("2.12.0") and "--with" not in mc.step_options("2.19.39")
    assert "--tag" not in mc.init_options("2.0.0") and "--tag" in mc.init_options("2.19.0")
    assert "--branch" not in mc.top_level_options("2.2.13") and "--branch" in mc.top_level_options("2.3.0")
    assert "--branch" not in mc.top_level_options("2.19.39", project=False)
    assert "--config-value" in mc.top_level_options("2.19.39") and "--config-value" not in mc.top_level_options("2.12.0")
    # a version past the newest known keeps every open-ended fact
    assert mc.has("flow_state_items", "3.0") and not mc.has("step_with_option", "3.0")
    assert mc.attribute_file_keys("create", "2.11.0") == frozenset()
    assert mc.attribute_file_keys("trigger", "2.19.0") == {"name", "metadata", "pathspec"}
    assert mc.flow_state_access("2.12.0") is None
    assert "_FlowState.CONFIGS" in mc.flow_state_access("2.15.0")
    assert "FlowStateItems.CONFIGS" in mc.flow_state_access("2.19.39")
    with pytest.raises(KeyError, match="unknown Metaflow contract fact"):
        mc.has("no_such_fact", "2.19.0")


# --- slow: the table against each release's source -------------------------------------------


def compare_release(version: str) -> list:
    """Every disagreement between the table and metaflow==version's source, as text."""
    rel = ms.Release(version)
    problems = []
    for fact, probe in ms.PROBES.items():
        in_source = bool(probe(rel))
        in_table = mc.has(fact, version)
        if in_source != in_table:
            first, last = mc.FACTS[fact]
            problems.append(
                f"{fact}: table says {'present' if in_table else 'absent'} (first={first}, last={last}), "
                f"metaflow {version} source says {'present' if in_source else 'absent'}"
            )

    def compare_sets(what, table, source):
        table, source = set(table), set(source)
        if table != source:
            problems.append(
                f"{what}: only in table {sorted(table - source)}, only in metaflow {version} {sorted(source - table)}"
            )

    compare_sets("step options", mc.step_options(version), ms.step_options(rel))
    compare_sets("init options", mc.init_options(version), ms.init_options(rel))
    compare_sets(
        "top-level options (start)",
        mc.top_level_options(version, project=False, configs=False),
        ms.click_command_options(rel, "start"),
    )
    compare_sets("@project options", mc._select(mc.PROJECT_OPTIONS, version), ms.project_decorator_options(rel))
    compare_sets("Config options", mc._select(mc.CONFIG_OPTIONS, version), ms.config_input_options(rel))
    compare_sets("top-level options (all)", mc.top_level_options(version), ms.top_level_options(rel))
    compare_sets(
        "runtime top-level options", mc.runtime_top_level_options(version), ms.cli_args_dict_keys(rel, "top_level_options")
    )
    compare_sets("runtime step options", mc.runtime_step_options(version), ms.cli_args_dict_keys(rel, "command_options"))
    for kind in ("create", "trigger"):
        compare_sets(f"attribute file keys ({kind})", mc.attribute_file_keys(kind, version), ms.attribute_file_keys(rel, kind))
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("version", RELEASES)
def test_table_matches_release_source(version):
    try:
        problems = compare_release(version)
    except ms.ReleaseUnavailable as exc:
        pytest.fail(str(exc))
    assert not problems, f"metaflow_contract disagrees with metaflow {version}:\n  " + "\n  ".join(problems)


def _pypi_releases():
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "metaflow", "--disable-pip-version-check"],
        capture_output=True, text=True,
    )
    match = re.search(r"Available versions:\s*(.+)", proc.stdout)
    if not match:
        pytest.fail(f"pip index versions metaflow gave no list: {proc.stdout[-300:]} {proc.stderr[-300:]}")
    return sorted(MetaflowVersion.parse(v.strip(), strict=False) for v in match.group(1).split(","))


@pytest.mark.slow
def test_boundaries_are_adjacent_releases_on_pypi():
    """Each change is pinned to the exact release: the release PyPI lists just before a
    ``first`` (and just after a ``last``) is in KNOWN_RELEASES, so the source test above sees
    both sides of every change."""
    pypi = _pypi_releases()
    known = set(mc.KNOWN_RELEASES)
    missing = []
    for table, history in _histories():
        for name, (first, last) in history.items():
            if first is not None:
                i = pypi.index(MetaflowVersion.parse(first))
                if pypi[i - 1] not in known:
                    missing.append(f"{table}[{name}]: {pypi[i - 1]} (just before {first}) is not known")
            if last is not None:
                i = pypi.index(MetaflowVersion.parse(last))
                if pypi[i + 1] not in known:
                    missing.append(f"{table}[{name}]: {pypi[i + 1]} (just after {last}) is not known")
    assert not missing, "\n".join(missing)
