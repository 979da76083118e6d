"""MFO018 internal-type-leak: the deployer's metadata/datastore type forwarded without a restriction."""

from __future__ import annotations

import textwrap

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text
from tests.rules.conftest import DEFAULT_PATH, Invalid, Valid, lint, rule_cases

RULE = "MFO018"

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


def _guarded(guard: str) -> str:
    """FORWARDS_BOTH with a restriction of one kind in ``__init__``."""
    return FORWARDS_BOTH.replace(
        "        self._metadata_type = metadata.TYPE",
        "        " + guard + "\n        self._metadata_type = metadata.TYPE",
    )


INVALID = [
    Invalid(
        """
        class AcmeCompiler:
            def commands(self, step, run_id, task_id):
                top = ["python", "flow.py", "--metadata", self.metadata.TYPE]
                init = top + ["init", "--run-id", run_id, "--task-id", "params"]
                step_cmd = top + ["step", step, "--run-id", run_id, "--task-id", task_id]
                return init, step_cmd
        """,
        rows=[4], why="one option shared by step and init is reported once",
    ),
    # A restriction in the same file clears only its kind.
    Invalid(
        _guarded('if metadata.TYPE not in ("local", "service"):\n            raise ValueError(metadata.TYPE)'),
        rows=[11], message="`--datastore` is given", why="restriction clears only its kind: membership",
    ),
    Invalid(
        _guarded('if flow_datastore.TYPE != "s3":\n            raise ValueError("s3 only")'),
        rows=[10], message="`--metadata` is given", why="restriction clears only its kind: inequality",
    ),
    Invalid(
        FORWARDS_BOTH.replace(
            "    def step_cmd", '    # if metadata.TYPE not in ("local", "service"): raise\n    def step_cmd'
        ),
        rows=[9, 10], why="a commented restriction does not count",
    ),
]

VALID = [
    # values the extension chose itself
    Valid(
        """
        def step_cmd(step, run_id, task_id):
            return ["python", "flow.py", "--metadata", "service", "--datastore", "s3",
                    "step", step, "--run-id", run_id, "--task-id", task_id]
        """,
        why="literals",
    ),
    Valid(
        """
        def step_cmd(step, run_id, task_id, metadata_type):
            return ["python", "flow.py", "--metadata", metadata_type,
                    "step", step, "--run-id", run_id, "--task-id", task_id]
        """,
        why="parameter",
    ),
    # the type read for another purpose
    Valid(
        """
        def step_cmd(self, step, run_id, task_id):
            if self.flow_datastore.TYPE == "local":
                root = "/tmp"
            return ["python", "flow.py", "--environment", self.environment.TYPE,
                    "step", step, "--run-id", run_id, "--task-id", task_id]
        """,
        why="other-type",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_reports_each_unrestricted_option():
    found = lint(FORWARDS_BOTH, RULE)
    assert sorted(d.message.split("`")[1] for d in found) == ["--datastore", "--metadata"]
    assert any("`metadata.TYPE`" in d.message for d in found)


def test_restriction_in_a_sibling_module_counts(tmp_path):
    plugin = "metaflow_extensions/acme/plugins/acme/"
    files = {
        plugin + "acme_cli.py": (
            "SUPPORTED = ('local', 'service')\n\n"
            "def create(obj):\n"
            "    if obj.metadata.TYPE not in SUPPORTED:\n"
            "        raise ValueError(obj.metadata.TYPE)\n"
            "    if obj.flow_datastore.TYPE not in ('s3', 'gs', 'azure'):\n"
            "        raise ValueError(obj.flow_datastore.TYPE)\n"
        ),
        plugin + "acme_compiler.py": FORWARDS_BOTH,
    }
    assert lint(files, RULE, root=tmp_path) == []


def test_preview_only():
    stable = Settings(select=["MFO"], preview=False)
    found = lint_text(textwrap.dedent(FORWARDS_BOTH), path=DEFAULT_PATH, settings=stable)
    assert [d for d in found if d.code == RULE] == []
