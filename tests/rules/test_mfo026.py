"""MFO026 tmp-file-handoff: a fixed /tmp file written by one step and read by another."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO026"

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

INVALID = [
    Invalid(
        SHELL_HANDOFF,
        rows=[3], message="`/tmp/mf_run_id.txt` is written here and read by another step (line 7, 11)",
        why="a shell write read by other scripts is reported at the write",
    ),
    Invalid(
        """
        import json


        def write_splits(n):
            with open("/tmp/foreach_splits.json", "w") as fh:
                json.dump(n, fh)


        def read_splits():
            with open("/tmp/foreach_splits.json") as fh:
                return json.load(fh)
        """,
        rows=[6], why="open-in-two-functions",
    ),
    Invalid(
        """
        from pathlib import Path


        def publish(value):
            Path("/tmp/branch").write_text(value)


        def consume():
            return Path("/tmp/branch").read_text()
        """,
        rows=[6], why="pathlib",
    ),
    Invalid(
        """
        A = "python flow.py step a && tee -a /tmp/state.env < out.env\\n"
        B = "source /tmp/state.env\\n"
        """,
        rows=[2], why="tee-and-source",
    ),
]

VALID = [
    # one script writes and reads its own scratch file: same worker
    Valid("SCRIPT = '''\necho 1 > /tmp/scratch\ncat /tmp/scratch\n'''\n", why="one script's own scratch file"),
    # per-run names are not fixed
    Valid("A = 'echo x > /tmp/mf_{run_id}.txt'\nB = 'cat /tmp/mf_{run_id}.txt'\n", why="per-run name: placeholder"),
    Valid("A = 'echo x > /tmp/mf_$RUN_ID.txt'\nB = 'cat /tmp/mf_$RUN_ID.txt'\n", why="per-run name: shell variable"),
    # written but never read back / only mentioned
    Valid("A = 'echo x > /tmp/log.txt'\nB = 'ls /tmp/log.txt'\n", why="written, only listed"),
    Valid(
        '_PKG_CACHE_DIR = "/tmp/mf-pkg-cache"\n\ndef f():\n    return open("/tmp/mf-pkg-cache/x").read()\n',
        why="a directory only mentioned, a file under it read",
    ),
    # comments and docstrings are prose
    Valid("A = '''\n# echo x > /tmp/f\ntrue\n'''\nB = 'cat /tmp/f'\n", why="the write is a comment"),
    Valid(
        'def f():\n    """Writes > /tmp/f."""\n\n\ndef g():\n    return open("/tmp/f").read()\n',
        why="the write is a docstring",
    ),
    # other roots than /tmp
    Valid("A = 'echo x > /var/tmp/f'\nB = 'cat /var/tmp/f'\n", why="other roots than /tmp"),
    # a fallback for a value the scheduler passes first is not the handoff
    Valid(
        """
        INIT = "python flow.py init --run-id $RID > /tmp/mf_run_id.txt"
        STEP = '''
        RUN_ID="${1:-}"
        if [ -z "$RUN_ID" ]; then
          RUN_ID=$(cat /tmp/mf_run_id.txt)
        fi
        '''
        READER = 'run_id = os.environ.get("RUN_ID", "") or open("/tmp/mf_run_id.txt").read()'
        """,
        why="reads guarded by an emptiness test or after `or`",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)
