"""The shipped example's README lists every finding mfok-lint reports on it: code, file, line (and a reason), for
the default rules and for ``--preview --select ALL``."""

import json
import re
import subprocess
from pathlib import PurePosixPath

import pytest

from tests.conftest import EXAMPLE, REPO, tool

PLUGIN_DIR = PurePosixPath("metaflow_extensions/acme/plugins/acme")
ROW = re.compile(r"^\| (MFO\d{3}) \| `([^`]+):(\d+)` \| (.+) \|$")


def _readme_rows():
    text = (EXAMPLE / "README.md").read_text()
    table = text.split("<!-- findings:start -->", 1)[1].split("<!-- findings:end -->", 1)[0]
    lines = [line for line in table.strip().splitlines()[2:]]  # past the header and the rule under it
    rows = [ROW.match(line) for line in lines]
    assert all(rows), [line for line, row in zip(lines, rows) if row is None]
    assert all(len(row.group(4).strip()) > 20 for row in rows), "every finding says why it is a bug"
    return [(row.group(1), row.group(2), int(row.group(3))) for row in rows]


def _findings(*args):
    """What the README's command reports, run as it says: from the repository root, on the example."""
    proc = subprocess.run(
        [tool("mfok-lint"), "--no-cache", "--output-format", "json", *args, "examples/acme_orchestrator"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr  # findings reported
    found = []
    for d in json.loads(proc.stdout):
        path = PurePosixPath(d["filename"].replace("\\", "/"))
        example = PurePosixPath(str(EXAMPLE).replace("\\", "/"))
        inside = path.relative_to(example)
        if PurePosixPath(*inside.parts[: len(PLUGIN_DIR.parts)]) == PLUGIN_DIR:
            inside = inside.relative_to(PLUGIN_DIR)  # the README names these files by name
        found.append((d["code"], str(inside), d["location"]["row"]))
    return found


@pytest.mark.parametrize("args", [[], ["--preview", "--select", "ALL"]], ids=["default", "preview-all"])
def test_the_example_readme_lists_every_finding(args):
    assert _readme_rows() == _findings(*args)
