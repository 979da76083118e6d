"""The command model on the real orchestrator extensions and on Metaflow's own schedulers.

The expected commands were established by reading each extension's source (pinned versions below); each
builds exactly one step command and one init command, in a different idiom:
- dagster: generated module in a ``.format`` template; init as ``[...] + METAFLOW_TOP_ARGS + ["init", ...]``,
  step through a ``CLIArgs``-shaped class (``self.commands = ["step"]``).
- flyte / prefect: step in a generated helper module (``cmd += [...]`` growth), init in a list of source lines.
- kestra: ``%``-templates of generated Python whose ``%(top_args)s``/``%(step_args)s`` fillers are helpers
  returning ``", ".join`` of source fragments.
- mage: step as a fragment list (``'"step"'``) whose head lives in another list; init in a ``.format``
  template with a ``{datastore_root_line}`` filler.
- temporal: step through a ``CLIArgs``-shaped shim, init from a helper returning the top-level args.
- windmill: plain lists grown with ``+=`` from a ``_base_cmd_parts()`` helper.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import zipfile

import libcst as cst
import metaflow
import pytest

from mfok_lint.lint.check import lint_text
from mfok_lint.model.commands import commands_of
from mfok_lint.syntax.source_file import SourceFile

EXTENSIONS = {
    # package==version: {module file name: [(subcommand, has --branch before it, head unknown), ...]}
    "metaflow-dagster==0.3.7": {"dagster_compiler.py": [("init", False, True), ("step", False, True)]},
    "metaflow-flyte==0.4.3": {"_codegen.py": [("init", False, False), ("step", True, False)]},
    "metaflow-kestra==0.3.4": {"kestra_compiler.py": [("init", False, False), ("step", False, False)]},
    "metaflow-mage==0.2.1": {"mage_compiler.py": [("init", False, False), ("step", False, True)]},
    "metaflow-prefect==0.3.7": {"_codegen.py": [("init", False, False), ("step", False, False)]},
    "metaflow-temporal==0.4.9": {"worker_utils.py": [("init", False, False), ("step", False, False)]},
    "metaflow-windmill==0.2.1": {"windmill_compiler.py": [("init", True, False), ("step", True, False)]},
}

# MFO003 findings per extension, each read and confirmed in docs/real-extensions-MFO003.md.
MFO003_FINDINGS = {
    "metaflow-dagster==0.3.7": [],
    "metaflow-flyte==0.4.3": [("_codegen.py", 496)],
    "metaflow-kestra==0.3.4": [("kestra_compiler.py", 629), ("kestra_compiler.py", 836)],
    "metaflow-mage==0.2.1": [("mage_compiler.py", 568)],
    "metaflow-prefect==0.3.7": [("_codegen.py", 151), ("_codegen.py", 504)],
    "metaflow-temporal==0.4.9": [
        ("worker_utils.py", 171),
        ("worker_utils.py", 302),
    ],
    "metaflow-windmill==0.2.1": [],
}


def _context(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return SourceFile(path, text, cst.parse_module(text))


def _summary(ctx):
    return sorted(
        (c.subcommand, c.has_option("--branch", "--production", side="top"), c.unknown_before_subcommand)
        for c in commands_of(ctx)
    )


@pytest.fixture(scope="module")
def extensions(tmp_path_factory):
    root = tmp_path_factory.mktemp("extensions")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q",
         "--timeout", "30", "-d", str(root), *EXTENSIONS],
        check=False, capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0:
        pytest.skip("PyPI is unreachable or a pinned extension is gone: " + result.stderr.strip()[-300:])
    trees = {}
    for spec in EXTENSIONS:
        name, version = spec.split("==")
        wheel = glob.glob(str(root / f"{name.replace('-', '_')}-{version}-*.whl"))
        assert wheel, f"no wheel downloaded for {spec}"
        target = root / name
        with zipfile.ZipFile(wheel[0]) as archive:
            archive.extractall(target)
        trees[spec] = target
    return trees


@pytest.mark.slow
@pytest.mark.parametrize("spec", sorted(EXTENSIONS))
def test_model_finds_the_step_and_init_commands(extensions, spec):
    found = {}
    for path in glob.glob(str(extensions[spec] / "**" / "*.py"), recursive=True):
        summary = _summary(_context(path))
        if summary:
            found[os.path.basename(path)] = summary
    assert found == EXTENSIONS[spec]


@pytest.mark.slow
@pytest.mark.parametrize("spec", sorted(EXTENSIONS))
def test_mfo003_findings_on_real_extensions(extensions, spec):
    findings = []
    for path in sorted(glob.glob(str(extensions[spec] / "**" / "*.py"), recursive=True)):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        findings += [(os.path.basename(path), d.location.row) for d in lint_text(text, path=path, select=["MFO003"])]
    assert sorted(findings) == MFO003_FINDINGS[spec]


METAFLOW_PLUGINS = os.path.join(os.path.dirname(metaflow.__file__), "plugins")


@pytest.mark.parametrize(
    "relative",
    ["argo/argo_workflows.py", "aws/step_functions/step_functions.py", "airflow/airflow.py"],
)
def test_metaflow_schedulers_forward_top_level_options_through_flow_decorators(relative):
    ctx = _context(os.path.join(METAFLOW_PLUGINS, relative))
    # init and step; the top-level options start with dict_to_cli_options(flow decorator options), which
    # is where @project's --branch comes from, so the head is unknown and MFO003 stays silent.
    assert _summary(ctx) == [("init", False, True), ("step", False, True)]
    assert lint_text(ctx.text, path=ctx.path, select=["MFO003"]) == []
