"""MFO026 tmp-file-handoff: a fixed /tmp file written by one step and read by another."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO026"]) if d.code == "MFO026"]


SHELL_HANDOFF = """
INIT = '''
echo "$RUN_ID" > /tmp/mf_run_id.txt
'''

STEP = '''
RUN_ID=$(cat /tmp/mf_run_id.txt 2>/dev/null || echo "")
'''

BRANCH = '''
run_id = open("/tmp/mf_run_id.txt").read().strip()
'''
"""


def test_shell_write_read_by_other_scripts_is_reported_at_the_write():
    (found,) = lint(SHELL_HANDOFF)
    assert found.location.row == 3
    assert "/tmp/mf_run_id.txt" in found.message
    assert "line 7, 11" in found.message


@pytest.mark.parametrize(
    "source, line",
    [
        (
            """
            import json


            def write_splits(n):
                with open("/tmp/foreach_splits.json", "w") as fh:
                    json.dump(n, fh)


            def read_splits():
                with open("/tmp/foreach_splits.json") as fh:
                    return json.load(fh)
            """,
            6,
        ),
        (
            """
            from pathlib import Path


            def publish(value):
                Path("/tmp/branch").write_text(value)


            def consume():
                return Path("/tmp/branch").read_text()
            """,
            6,
        ),
        (
            """
            A = "python flow.py step a && tee -a /tmp/state.env < out.env\\n"
            B = "source /tmp/state.env\\n"
            """,
            2,
        ),
    ],
    ids=["open-in-two-functions", "pathlib", "tee-and-source"],
)
def test_handoffs_are_reported(source, line):
    assert [d.location.row for d in lint(source)] == [line]


@pytest.mark.parametrize(
    "source",
    [
        # one script writes and reads its own scratch file: same worker
        "SCRIPT = '''\necho 1 > /tmp/scratch\ncat /tmp/scratch\n'''\n",
        # per-run names are not fixed
        "A = 'echo x > /tmp/mf_{run_id}.txt'\nB = 'cat /tmp/mf_{run_id}.txt'\n",
        "A = 'echo x > /tmp/mf_$RUN_ID.txt'\nB = 'cat /tmp/mf_$RUN_ID.txt'\n",
        # written but never read back / only mentioned
        "A = 'echo x > /tmp/log.txt'\nB = 'ls /tmp/log.txt'\n",
        '_PKG_CACHE_DIR = "/tmp/mf-pkg-cache"\n\ndef f():\n    return open("/tmp/mf-pkg-cache/x").read()\n',
        # comments and docstrings are prose
        "A = '''\n# echo x > /tmp/f\ntrue\n'''\nB = 'cat /tmp/f'\n",
        'def f():\n    """Writes > /tmp/f."""\n\n\ndef g():\n    return open("/tmp/f").read()\n',
        # other roots than /tmp
        "A = 'echo x > /var/tmp/f'\nB = 'cat /var/tmp/f'\n",
    ],
)
def test_clean_code_is_not_reported(source):
    assert lint(source) == []
