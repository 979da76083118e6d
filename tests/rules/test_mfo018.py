"""MFO018 internal-type-leak: the deployer's metadata/datastore type forwarded without a restriction."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"

FORWARDS_BOTH = """
class AcmeCompiler:
    def __init__(self, metadata, flow_datastore):
        self._metadata_type = metadata.TYPE
        self.flow_datastore = flow_datastore

    def step_cmd(self, step, run_id, task_id):
        return ["python", "flow.py", "--metadata=%s" % self._metadata_type,
                "--datastore", self.flow_datastore.TYPE,
                "step", step, "--run-id", run_id, "--task-id", task_id]
"""


def lint(source: str, path: str = PATH):
    found = lint_text(textwrap.dedent(source), path=path, select=["MFO018"])
    return [d for d in found if d.code == "MFO018"]


def test_reports_each_unrestricted_option():
    found = lint(FORWARDS_BOTH)
    assert sorted(d.message.split("`")[1] for d in found) == ["--datastore", "--metadata"]
    assert any("`metadata.TYPE`" in d.message for d in found)


def test_one_option_shared_by_step_and_init_is_reported_once():
    source = """
    class AcmeCompiler:
        def commands(self, step, run_id, task_id):
            top = ["python", "flow.py", "--metadata", self.metadata.TYPE]
            init = top + ["init", "--run-id", run_id, "--task-id", "params"]
            step_cmd = top + ["step", step, "--run-id", run_id, "--task-id", task_id]
            return init, step_cmd
    """
    assert len(lint(source)) == 1


@pytest.mark.parametrize(
    "guard",
    [
        'if metadata.TYPE not in ("local", "service"):\n            raise ValueError(metadata.TYPE)',
        'if flow_datastore.TYPE != "s3":\n            raise ValueError("s3 only")',
    ],
    ids=["membership", "inequality"],
)
def test_restriction_in_the_same_file_clears_only_its_kind(guard):
    source = FORWARDS_BOTH.replace(
        "        self._metadata_type = metadata.TYPE",
        "        " + guard + "\n        self._metadata_type = metadata.TYPE",
    )
    remaining = [d.message.split("`")[1] for d in lint(source)]
    cleared = "--metadata" if guard.startswith("if metadata") else "--datastore"
    assert cleared not in remaining
    assert len(remaining) == 1


def test_restriction_in_a_sibling_module_counts(tmp_path):
    package = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "acme"
    package.mkdir(parents=True)
    (package / "acme_cli.py").write_text(
        "SUPPORTED = ('local', 'service')\n\n"
        "def create(obj):\n"
        "    if obj.metadata.TYPE not in SUPPORTED:\n"
        "        raise ValueError(obj.metadata.TYPE)\n"
        "    if obj.flow_datastore.TYPE not in ('s3', 'gs', 'azure'):\n"
        "        raise ValueError(obj.flow_datastore.TYPE)\n"
    )
    target = package / "acme_compiler.py"
    target.write_text(textwrap.dedent(FORWARDS_BOTH))
    assert lint(FORWARDS_BOTH, path=str(target)) == []


def test_commented_restriction_does_not_count():
    source = FORWARDS_BOTH.replace(
        "    def step_cmd", '    # if metadata.TYPE not in ("local", "service"): raise\n    def step_cmd'
    )
    assert len(lint(source)) == 2


@pytest.mark.parametrize(
    "source",
    [
        # values the extension chose itself
        """
        def step_cmd(step, run_id, task_id):
            return ["python", "flow.py", "--metadata", "service", "--datastore", "s3",
                    "step", step, "--run-id", run_id, "--task-id", task_id]
        """,
        """
        def step_cmd(step, run_id, task_id, metadata_type):
            return ["python", "flow.py", "--metadata", metadata_type,
                    "step", step, "--run-id", run_id, "--task-id", task_id]
        """,
        # the type read for another purpose
        """
        def step_cmd(self, step, run_id, task_id):
            if self.flow_datastore.TYPE == "local":
                root = "/tmp"
            return ["python", "flow.py", "--environment", self.environment.TYPE,
                    "step", step, "--run-id", run_id, "--task-id", task_id]
        """,
    ],
    ids=["literals", "parameter", "other-type"],
)
def test_clean_code(source):
    assert lint(source) == []


def test_preview_only():
    stable = Settings(select=["MFO"], preview=False)
    assert [d for d in lint_text(FORWARDS_BOTH, path=PATH, settings=stable) if d.code == "MFO018"] == []
