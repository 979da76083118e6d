"""MFO044 attribute-file-incomplete: the JSON for `--deployer-attribute-file` must carry the keys read back."""

from __future__ import annotations

import json
import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO044"]) if d.code == "MFO044"]


TRIGGER_WITHOUT_NAME = """
import json
from metaflow._vendor import click


@click.command()
@click.option("--deployer-attribute-file", default=None)
def trigger(obj, deployer_attribute_file=None):
    if deployer_attribute_file:
        with open(deployer_attribute_file, "w") as f:
            json.dump({"pathspec": obj.pathspec, "metadata": "{}", "job_id": 7}, f)
"""

CREATE_THROUGH_NAME = """
import json
from metaflow._vendor import click


@click.command()
def create(obj, deployer_attribute_file=None):
    attributes = {"name": obj.name, "metadata": "{}"}
    with open(deployer_attribute_file, "w") as handle:
        handle.write(json.dumps(attributes))
"""

NAMED_COMMAND_DICT_CALL = """
import json
from pathlib import Path
from metaflow._vendor import click


@acme.command(name="trigger")
def trigger_cmd(obj, deployer_attribute_file):
    Path(deployer_attribute_file).write_text(json.dumps(dict(name=obj.name, metadata="{}")))
"""

CREATE_POSITIONAL_NAME = """
import json


@acme.command("create")
def deploy(obj, deployer_attribute_file):
    with open(deployer_attribute_file, "w") as f:
        json.dump({"flow_name": obj.flow.name}, f)
"""


@pytest.mark.parametrize(
    "source, line, missing",
    [
        (TRIGGER_WITHOUT_NAME, "json.dump(", ['"name"']),
        (CREATE_THROUGH_NAME, "handle.write(", ['"flow_name"']),
        (NAMED_COMMAND_DICT_CALL, "Path(deployer_attribute_file)", ['"pathspec"']),
        (CREATE_POSITIONAL_NAME, "json.dump(", ['"name"', '"metadata"']),
    ],
    ids=["trigger-dump", "create-write-through-name", "named-command-dict-call", "positional-command-name"],
)
def test_reported(source, line, missing):
    (found,) = lint(source)
    assert line in textwrap.dedent(source).splitlines()[found.location.row - 1]
    for key in missing:
        assert key in found.message
    assert found.message.count('"') == 2 * len(missing)


VALID = {
    "complete-create": """
        import json

        def create(obj, deployer_attribute_file=None):
            with open(deployer_attribute_file, "w") as f:
                json.dump({"name": obj.name, "flow_name": obj.flow.name, "metadata": "{}", "additional_info": {}}, f)
        """,
    "complete-trigger": """
        import json

        def trigger(obj, deployer_attribute_file=None):
            with open(deployer_attribute_file, "w") as f:
                json.dump({"pathspec": obj.pathspec, "name": obj.name, "metadata": "{}"}, f)
        """,
    "built-in-steps": """
        import json

        def trigger(obj, deployer_attribute_file=None):
            attributes = {"pathspec": obj.pathspec, "metadata": "{}"}
            attributes["name"] = obj.name
            with open(deployer_attribute_file, "w") as f:
                json.dump(attributes, f)
        """,
    "unpacked": """
        import json

        def create(obj, deployer_attribute_file=None):
            with open(deployer_attribute_file, "w") as f:
                json.dump({**obj.base_attributes(), "metadata": "{}"}, f)
        """,
    "other-file": """
        import json

        def trigger(obj, deployer_attribute_file=None, log_file=None):
            with open(log_file, "w") as f:
                json.dump({"started": True}, f)
        """,
    "other-command": """
        import json

        def status(obj, deployer_attribute_file=None):
            with open(deployer_attribute_file, "w") as f:
                json.dump({"state": "running"}, f)
        """,
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_not_reported(name):
    assert lint(VALID[name]) == []


def test_a_missing_key_reaches_metaflows_triggered_run_as_none():
    """What Metaflow builds from the reported file: a TriggeredRun whose name is None."""
    from metaflow.runner.deployer import TriggeredRun

    run = TriggeredRun(deployer=None, content=json.dumps({"pathspec": "HelloFlow/acme-1", "metadata": "{}"}))
    assert run.name is None and run.pathspec == "HelloFlow/acme-1"
