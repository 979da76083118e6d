"""MFO044 attribute-file-incomplete: the JSON for `--deployer-attribute-file` must carry the keys read back."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.rules.conftest import Invalid, Valid, lint, rule_cases

RULE = "MFO044"
PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"


def row_of(source: str, fragment: str) -> int:
    """The one row of ``source`` holding ``fragment``: where the finding must be."""
    [row] = [n for n, line in enumerate(textwrap.dedent(source).splitlines(), 1) if fragment in line]
    return row


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


# (source, the line reported, the keys the message names, label)
REPORTED = [
    (TRIGGER_WITHOUT_NAME, "json.dump(", ['"name"'], "trigger-dump"),
    (CREATE_THROUGH_NAME, "handle.write(", ['"flow_name"'], "create-write-through-name"),
    (NAMED_COMMAND_DICT_CALL, "Path(deployer_attribute_file)", ['"pathspec"'], "named-command-dict-call"),
    (CREATE_POSITIONAL_NAME, "json.dump(", ['"name"', '"metadata"'], "positional-command-name"),
]

INVALID = [
    Invalid(source, rows=[row_of(source, line)], message="lacks " + ", ".join(missing), path=PATH, why=why)
    for source, line, missing, why in REPORTED
]

VALID = [
    Valid(
        """
        import json

        def create(obj, deployer_attribute_file=None):
            with open(deployer_attribute_file, "w") as f:
                json.dump({"name": obj.name, "flow_name": obj.flow.name, "metadata": "{}", "additional_info": {}}, f)
        """,
        path=PATH, why="complete-create",
    ),
    Valid(
        """
        import json

        def trigger(obj, deployer_attribute_file=None):
            with open(deployer_attribute_file, "w") as f:
                json.dump({"pathspec": obj.pathspec, "name": obj.name, "metadata": "{}"}, f)
        """,
        path=PATH, why="complete-trigger",
    ),
    Valid(
        """
        import json

        def trigger(obj, deployer_attribute_file=None):
            attributes = {"pathspec": obj.pathspec, "metadata": "{}"}
            attributes["name"] = obj.name
            with open(deployer_attribute_file, "w") as f:
                json.dump(attributes, f)
        """,
        path=PATH, why="built-in-steps",
    ),
    Valid(
        """
        import json

        def create(obj, deployer_attribute_file=None):
            with open(deployer_attribute_file, "w") as f:
                json.dump({**obj.base_attributes(), "metadata": "{}"}, f)
        """,
        path=PATH, why="unpacked",
    ),
    Valid(
        """
        import json

        def trigger(obj, deployer_attribute_file=None, log_file=None):
            with open(log_file, "w") as f:
                json.dump({"started": True}, f)
        """,
        path=PATH, why="other-file",
    ),
    Valid(
        """
        import json

        def status(obj, deployer_attribute_file=None):
            with open(deployer_attribute_file, "w") as f:
                json.dump({"state": "running"}, f)
        """,
        path=PATH, why="other-command",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize("source, missing", [(r[0], r[2]) for r in REPORTED], ids=[r[3] for r in REPORTED])
def test_the_message_names_exactly_the_missing_keys(source, missing):
    (found,) = lint(source, RULE, path=PATH)
    for key in missing:
        assert key in found.message
    assert found.message.count('"') == 2 * len(missing)


def test_a_missing_key_reaches_metaflows_triggered_run_as_none():
    """What Metaflow builds from the reported file: a TriggeredRun whose name is None."""
    from metaflow.runner.deployer import TriggeredRun

    run = TriggeredRun(deployer=None, content=json.dumps({"pathspec": "HelloFlow/acme-1", "metadata": "{}"}))
    assert run.name is None and run.pathspec == "HelloFlow/acme-1"
