"""MFO001 run-params-tuple: tuples of multi-value options forwarded where Metaflow or a scheduler needs a list."""

from __future__ import annotations

import textwrap

import libcst
import pytest

from mfok_lint.lint.check import lint_text
from tests.rules.fixcheck import apply_one, assert_fix_converges

PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO001"]) if d.code == "MFO001"]


DEPLOYER_DICT_STORE = """
from metaflow.runner.utils import get_lower_level_group


class AcmeDeployedFlow:
    def trigger(self, **kwargs):
        run_params = tuple("%s=%s" % (k, v) for k, v in kwargs.items())
        trigger_kwargs = dict(name=self.name)
        if run_params:
            trigger_kwargs["run_params"] = run_params
        return get_lower_level_group(self.deployer.api, {}, "acme", {}).trigger(**trigger_kwargs)
"""

CLICK_TO_API = """
from metaflow._vendor import click
from acme_sdk import Client


@click.command()
@click.option("--run-param", "run_params", multiple=True)
@click.pass_obj
def trigger(obj, run_params):
    client = Client()
    client.create_run(flow=obj.flow.name, parameters=run_params)
"""

OR_EMPTY_TUPLE = """
from metaflow._vendor import click


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    params = run_params or ()
    scheduler.submit(run_params=params)
"""

LIST_PLUS_TUPLE = """
import subprocess
from metaflow._vendor import click


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    cmd = ["python", "flow.py", "acme", "trigger"] + run_params
    subprocess.run(cmd, check=True)
"""

LOCAL_HELPER = """
from metaflow._vendor import click


def _submit(client, params):
    return client.submit(inputs={"run_params": params})


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    _submit(make_client(), run_params)
"""

INLINE_TUPLE = """
from metaflow.runner.deployer import Deployer


def deploy_and_trigger(flow_file, params):
    deployed = Deployer(flow_file).acme().create()
    return deployed.trigger(run_params=tuple(params))
"""

NARGS_ARGUMENT = """
from metaflow._vendor import click


@click.command()
@click.argument("tags", nargs=-1)
def tag(tags):
    api.set_tags(tags=tags)
"""

LONG_FLAG_NAME = """
from metaflow._vendor import click


@click.command()
@click.option("--with", "-w", "with_decorators", multiple=True)
@click.option("--tag", multiple=True)
def create(with_decorators, tag):
    workflow_client.register(tags=tag)
"""

IF_EXP_TUPLE_BRANCH = """
from metaflow._vendor import click


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    forwarded = run_params if run_params else []
    api.trigger(parameters=forwarded)
"""


@pytest.mark.parametrize(
    "source, line, fragment",
    [
        (DEPLOYER_DICT_STORE, 'trigger_kwargs["run_params"] =', "`run_params` reaches `.trigger(**trigger_kwargs)`"),
        (CLICK_TO_API, "client.create_run(", "forwarded to `client.create_run()`"),
        (OR_EMPTY_TUPLE, "scheduler.submit(", "forwarded to `scheduler.submit()`"),
        (LIST_PLUS_TUPLE, "cmd = [", "concatenated with a list"),
        (LOCAL_HELPER, "_submit(make_client()", "passed to `_submit()`"),
        (INLINE_TUPLE, "deployed.trigger(", "forwarded to `deployed.trigger()`"),
        (NARGS_ARGUMENT, "api.set_tags(", "forwarded to `api.set_tags()`"),
        (LONG_FLAG_NAME, "workflow_client.register(", "`tag` is forwarded to `workflow_client.register()`"),
        (IF_EXP_TUPLE_BRANCH, "api.trigger(", "forwarded to `api.trigger()`"),
    ],
    ids=[
        "dict-store-then-splat",
        "click-option-to-sdk",
        "or-empty-tuple",
        "list-plus-tuple",
        "through-local-helper",
        "inline-tuple-call",
        "nargs-argument",
        "name-from-long-flag",
        "ifexp-keeps-tuple",
    ],
)
def test_reported(source, line, fragment):
    found = lint(source)
    assert len(found) == 1, [d.message for d in found]
    lines = textwrap.dedent(source).splitlines()
    assert line in lines[found[0].location.row - 1]
    assert fragment in found[0].message


VALID = {
    "iterated": """
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            params = {}
            for kv in run_params:
                k, _, v = kv.partition("=")
                params[k] = v
            client.trigger(inputs=params)
        """,
    "converted-inline": """
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            client.trigger(run_params=list(run_params))
        """,
    "converted-before": """
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            run_params = list(run_params) if run_params else []
            client.trigger(run_params=run_params)
        """,
    "json-payload": """
        import json
        import requests
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            body = json.dumps({"run_params": run_params})
            requests.post(URL, data=body)
        """,
    "consumed-by-extend-and-join": """
        from metaflow._vendor import click

        @click.command()
        @click.option("--tag", "tags", multiple=True)
        def step(tags):
            cmd = ["python", "flow.py", "step"]
            cmd.extend(tags)
            print(" ".join(tags))
            logger.info("tags: %s", tags)
        """,
    "own-package-helper": """
        from metaflow._vendor import click
        from .acme_compiler import AcmeCompiler

        @click.command()
        @click.option("--tag", "tags", multiple=True)
        def create(tags):
            AcmeCompiler(tags=tags).compile()
        """,
    "single-value-option": """
        from metaflow._vendor import click

        @click.command()
        @click.option("--name")
        def create(name):
            client.create(name=name)
        """,
    "positional-to-unknown-helper": """
        from metaflow._vendor import click
        from metaflow.util import validate_tags

        @click.command()
        @click.option("--tag", "tags", multiple=True)
        def create(obj, tags):
            validate_tags(tags)
            obj.metadata.register_run_id("r1", tags)
        """,
    "unrelated-tuple": """
        def reshape(api):
            shape = (3, 4)
            api.zeros(shape=shape)
        """,
    "reassigned-to-list": """
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            if run_params:
                run_params = list(run_params)
            client.trigger(run_params=run_params)
        """,
    "deployer-builds-list": """
        class AcmeDeployedFlow:
            def trigger(self, **kwargs):
                run_params = [f"{k}={v}" for k, v in kwargs.items()]
                trigger_kwargs = dict(name=self.name)
                if run_params:
                    trigger_kwargs["run_params"] = run_params
                return self.api.trigger(**trigger_kwargs)
        """,
    "comment-and-docstring": '''
        def trigger(run_params):
            """client.trigger(run_params=tuple(run_params)) would be wrong."""
            # api.submit(run_params=run_params or ())
            return None
        ''',
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_not_reported(name):
    assert lint(VALID[name]) == []


@pytest.mark.parametrize(
    "source",
    [DEPLOYER_DICT_STORE, CLICK_TO_API, OR_EMPTY_TUPLE, LIST_PLUS_TUPLE, LOCAL_HELPER, NARGS_ARGUMENT, IF_EXP_TUPLE_BRANCH],
    ids=["dict-store", "click-to-sdk", "or-empty", "list-plus", "helper", "nargs", "ifexp"],
)
def test_fix_inserts_conversion_and_converges(source):
    text = textwrap.dedent(source)
    found = lint(text)
    fixed_once = apply_one(text, found[0])
    inserted = [line for line in fixed_once.splitlines() if line not in text.splitlines()]
    assert len(inserted) == 1
    line = inserted[0]
    assert line.strip().endswith("if " + line.split("=")[0].strip() + " else []")
    libcst.parse_module(fixed_once)
    assert lint(fixed_once) == []
    assert_fix_converges(text, "MFO001", PATH)


def test_fix_uses_the_statement_indentation():
    text = textwrap.dedent(DEPLOYER_DICT_STORE)
    fixed = apply_one(text, lint(text)[0])
    assert "        if run_params:\n            run_params = list(run_params) if run_params else []\n" in fixed


def test_fix_for_inline_tuple_builds_a_list():
    text = textwrap.dedent(INLINE_TUPLE)
    fixed = apply_one(text, lint(text)[0])
    assert "deployed.trigger(run_params=list(params))" in fixed
    assert_fix_converges(text, "MFO001", PATH)


def test_several_forwards_share_one_conversion():
    text = textwrap.dedent(
        """
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            client.validate(params=run_params)
            client.trigger(run_params=run_params)
        """
    )
    found = lint(text)
    assert [d.location.row for d in found] == [7, 8]
    assert found[0].fix.edits == found[1].fix.edits
    fixed = assert_fix_converges(text, "MFO001", PATH)
    assert fixed.count("list(run_params)") == 1


def test_no_fix_inside_a_one_line_compound_statement():
    text = textwrap.dedent(
        """
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            if ready: client.trigger(run_params=run_params)
        """
    )
    (found,) = lint(text)
    assert found.fix is None


def test_fixed_tuple_passes_metaflows_type_check():
    """The failure the rule prevents, reproduced with Metaflow's own checker and annotation."""
    from typing import List, Optional, Tuple, Union

    from metaflow._vendor.typeguard import TypeCheckError, check_type

    annotation = Optional[Union[List[str], Tuple[str]]]  # what click_api.get_annotation builds for multiple=True
    run_params = ("a=1", "b=2")
    with pytest.raises(TypeCheckError):
        check_type(run_params, annotation)
    run_params = list(run_params) if run_params else []  # the inserted line
    check_type(run_params, annotation)


OWNED_RECEIVERS = '''
from metaflow._vendor import click
from .batch import Batch


@click.command()
@click.option("--tag", "tags", multiple=True)
@click.option("--host-volumes", multiple=True)
@click.pass_obj
def step(obj, tags, host_volumes):
    obj.metadata.add_sticky_tags(tags=tags)
    batch = Batch(obj.metadata, obj.environment)
    batch.launch_job(host_volumes=host_volumes)
'''


def test_methods_of_own_objects_and_metaflow_cli_state_are_not_sinks():
    # Metaflow's metadata provider and the extension's own client classes iterate; no tuple-vs-list break.
    assert lint(OWNED_RECEIVERS) == []


def test_external_client_method_is_still_a_sink():
    source = OWNED_RECEIVERS.replace("from .batch import Batch", "from acme_sdk import Batch")
    assert [d.code for d in lint(source)] == ["MFO001"]


@pytest.mark.parametrize(
    "source, may_report",
    [
        ("class Option:\n    def __init__(self, nargs=1, multiple=False):\n        self.nargs = nargs\n", False),
        ("@click.option('--tag', multiple=True)\ndef create(tag):\n    pass\n", True),
        ("@option('--x', nargs=-1)\nasync def create(x):\n    pass\n", True),
        ("@click.argument('paths', nargs=2)\ndef create(paths):\n    pass\n", True),
        ("@click.option('--n', nargs=1)\ndef create(n):\n    pass\n", False),
        ("def trigger(**kwargs):\n    kwargs['run_params'] = tuple(kwargs.get('params', ()))\n", True),
        ("@click.option('--tag', multiple=True)\ndef create(tag:\n", True),  # ast cannot read it: libcst decides
    ],
)
def test_the_screen_before_the_parse(source, may_report):
    from mfok_lint.rules.mfo001_run_params_tuple import RunParamsTuple

    assert RunParamsTuple().applies_to_file("x.py", source.encode()) is may_report
