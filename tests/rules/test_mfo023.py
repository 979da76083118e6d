"""MFO023 artifact-pickle-read (preview): datastore blobs unpickled by hand."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text
from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO023"
PATH = "metaflow_extensions/acme/plugins/acme/acme_client.py"


DECOMPRESS = """
import gzip
import pickle


def load_artifact(storage, sha):
    raw = storage.read(f"data/{sha[:2]}/{sha}")
    return pickle.loads(gzip.decompress(raw))
"""

GZIP_OPEN = """
import gzip
import pickle


def load_artifact(path):
    with gzip.open(path, "rb") as fh:
        return pickle.load(fh)
"""

READ_VARIABLE = """
import pickle
import zlib


def load_artifact(blob_file):
    with open(blob_file, "rb") as fh:
        data = fh.read()
    payload = zlib.decompress(data)
    return pickle.loads(payload)
"""

METAFLOW_PATH = """
import os
from pickle import load


def foreach_count(root, flow, sha):
    path = os.path.join(root, ".metaflow", flow, "data", sha[:2], sha)
    with open(path, "rb") as fh:
        return load(fh)
"""

GENERATED = '''
READER = """
import gzip, pickle
def read(path):
    with gzip.open(path) as f:
        return pickle.load(f)
"""
'''

NESTED = """
def count_block(step):
    return (
        '    out = subprocess.run(\\n'
        '        [sys.executable, "-c", r\\"\\"\\"\\n'
        'import gzip, pickle, sys\\n'
        'blob = open(sys.argv[1], "rb").read()\\n'
        'print(int(pickle.loads(gzip.decompress(blob))))\\n'
        '\\"\\"\\", path], capture_output=True, text=True)\\n'
    )
"""


INVALID = [
    Invalid(NESTED, rows=[8], path=PATH, why="python -c program inside generated code"),
    Invalid(DECOMPRESS, rows=[8], path=PATH, why="decompress"),
    Invalid(GZIP_OPEN, rows=[8], path=PATH, why="gzip-open"),
    Invalid(READ_VARIABLE, rows=[10], path=PATH, why="through-variables"),
    Invalid(METAFLOW_PATH, rows=[9], path=PATH, why="metaflow-path"),
    Invalid(GENERATED, rows=[6], path=PATH, why="generated"),
]

VALID = [
    # some other pickle file
    Valid(
        "import pickle\n\n\ndef load(path):\n    with open(path, 'rb') as fh:\n        return pickle.load(fh)\n",
        path=PATH, why="other-pickle",
    ),
    # gzip used for something else in the same function
    Valid(
        "import gzip, json, pickle\n\n\ndef f(p, q):\n    json.loads(gzip.decompress(q))\n    return pickle.loads(p)\n",
        path=PATH, why="gzip-elsewhere",
    ),
    # the API
    Valid(
        "def count(fds, run_id, task_id):\n"
        "    return fds.get_task_datastore(run_id, 'a', task_id)['_foreach_num_splits']\n",
        path=PATH, why="api",
    ),
    # prose
    Valid('def f():\n    """Never pickle.loads(gzip.decompress(blob)) by hand."""\n', path=PATH, why="docstring"),
    Valid(
        GZIP_OPEN, path="site-packages/metaflow/datastore/content_addressed_store.py",
        why="Metaflow's datastore implementation is skipped",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize(
    "source, snippet",
    [
        (DECOMPRESS, "pickle.loads(gzip.decompress(raw))"),
        (GZIP_OPEN, "pickle.load(fh)"),
        (READ_VARIABLE, "pickle.loads(payload)"),
        (METAFLOW_PATH, "load(fh)"),
        (GENERATED, "pickle.load(f)"),
    ],
    ids=["decompress", "gzip-open", "through-variables", "metaflow-path", "generated"],
)
def test_report_points_at_the_unpickling_call(source, snippet):
    text = textwrap.dedent(source)
    found = lint(source, RULE, path=PATH)
    assert len(found) == 1, found
    line = text.splitlines()[found[0].location.row - 1]
    assert line[found[0].location.column - 1:].startswith(snippet)


def test_preview_only():
    found = lint_text(textwrap.dedent(GZIP_OPEN), path=PATH, settings=Settings(select=["MFO"], preview=False))
    assert [d for d in found if d.code == RULE] == []
