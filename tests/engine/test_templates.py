"""Template files inside an extension package are linted as the string constants they stand for."""

from __future__ import annotations

import textwrap
from dataclasses import replace

from mfok_lint.core.paths import is_lintable_path, is_template_path
from mfok_lint.core.settings import Settings
from mfok_lint.lint.templates import wrap
from mfok_lint.run.runner import run_files

PLUGIN = "metaflow_extensions/acme/plugins/acme"

STEP_TEMPLATE = textwrap.dedent(
    """\
    #!/bin/bash
    set -e
    # rendered by acme_compiler.py: {{ flow_file }} {{ step_name }}
    python {{ flow_file }} --quiet --metadata local --datastore local \\
      step {{ step_name }} --run-id {{ run_id }} --task-id {{ task_id }} \\
      --input-paths {{ input_paths }} --retry-count 0
    """
)


def _lint(tmp_path, files, select="MFO004,MFO028"):
    paths = []
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths.append(str(path))
    settings = Settings(select=select.split(","), preview=True)
    results = run_files(paths, replace(settings, jobs=1))
    return [d for r in results for d in r.diagnostics]


def test_which_files_are_templates():
    assert is_template_path(f"{PLUGIN}/templates/step.sh.j2")
    assert is_template_path(f"/x/{PLUGIN}/worker.sh")
    assert is_template_path(f"{PLUGIN}/module.py.jinja2")
    assert not is_template_path("scripts/release.sh")  # not the extension's package
    assert not is_template_path(f"{PLUGIN}/notes.md")
    assert is_lintable_path(f"{PLUGIN}/templates/step.sh.j2")


def test_a_command_in_a_template_file_is_checked_at_its_own_line_and_column(tmp_path):
    found = _lint(
        tmp_path,
        {
            f"{PLUGIN}/acme_compiler.py": "def env(deco):\n    return dict(deco.attributes['vars'])\n",
            f"{PLUGIN}/templates/step.sh.j2": STEP_TEMPLATE,
        },
    )
    assert [(d.code, d.path.endswith("step.sh.j2"), d.location.row, d.location.column, d.fix) for d in found] == [
        ("MFO004", True, 6, 49, None)
    ]


def test_rules_that_look_beside_the_file_look_beside_the_code_that_renders_it(tmp_path):
    # Nothing in the package applies @environment: MFO028 reports the template's step command.
    found = _lint(tmp_path, {f"{PLUGIN}/acme_compiler.py": "X = 1\n", f"{PLUGIN}/templates/step.sh.j2": STEP_TEMPLATE})
    assert sorted(d.code for d in found) == ["MFO004", "MFO028"]


def test_noqa_in_a_template_and_files_outside_the_package(tmp_path):
    suppressed = STEP_TEMPLATE.replace("--retry-count 0", "--retry-count 0  # noqa: MFO004")
    assert _lint(tmp_path, {f"{PLUGIN}/a.py": "X = 1\n", f"{PLUGIN}/step.sh": suppressed}, select="MFO004") == []
    assert _lint(tmp_path, {"scripts/step.sh": STEP_TEMPLATE}, select="MFO004") == []


def test_texts_no_raw_literal_can_hold_are_skipped():
    assert wrap("a ''' b \"\"\" c") is None
    assert wrap("ends with a backslash \\") is None
    synthetic, prefix = wrap("x = '''quoted'''")
    assert synthetic[prefix:].startswith("x = '''quoted'''")
