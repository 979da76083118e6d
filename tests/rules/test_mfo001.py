"""MFO001 run-params-tuple: tuples of multi-value options forwarded where Metaflow or a scheduler needs a list."""

from __future__ import annotations

import textwrap

import libcst
import pytest

from tests.rules.conftest import (
    Invalid,
    Valid,
    apply_one,
    assert_fix,
    assert_fix_converges,
    lint,
    passes_prefilter,
    rule_cases,
)

RULE = "MFO001"
PATH = "metaflow_extensions/acme/plugins/acme/acme_cli.py"

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

FIXED_DEPLOYER_DICT_STORE = """
from metaflow.runner.utils import get_lower_level_group


class AcmeDeployedFlow:
    def trigger(self, **kwargs):
        run_params = ["%s=%s" % (k, v) for k, v in kwargs.items()]
        trigger_kwargs = dict(name=self.name)
        if run_params:
            trigger_kwargs["run_params"] = run_params
        return get_lower_level_group(self.deployer.api, {}, "acme", {}).trigger(**trigger_kwargs)
"""

CLICK_DICT_STORE = """
from metaflow._vendor import click
from acme_sdk import Client


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    submit_kwargs = dict(flow="f")
    if run_params:
        submit_kwargs["run_params"] = run_params
    return Client().submit(**submit_kwargs)
"""

FIXED_CLICK_DICT_STORE = """
from metaflow._vendor import click
from acme_sdk import Client


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    submit_kwargs = dict(flow="f")
    if run_params:
        run_params = list(run_params)
        submit_kwargs["run_params"] = run_params
    return Client().submit(**submit_kwargs)
"""

BUILT_TWO_SINKS = """
class AcmeDeployedFlow:
    def trigger(self, **kwargs):
        params = tuple(f"{k}={v}" for k, v in kwargs.items())
        forwarded = params
        self.client.validate(run_params=forwarded)
        return self.client.trigger(run_params=forwarded)
"""

FIXED_BUILT_TWO_SINKS = """
class AcmeDeployedFlow:
    def trigger(self, **kwargs):
        params = [f"{k}={v}" for k, v in kwargs.items()]
        forwarded = params
        self.client.validate(run_params=forwarded)
        return self.client.trigger(run_params=forwarded)
"""

EMPTY_DEFAULT_THEN_TUPLE = """
class AcmeDeployedFlow:
    def trigger(self, **kwargs):
        run_params = ()
        if kwargs:
            run_params = tuple("%s=%s" % kv for kv in kwargs.items())
        return self.api.trigger(run_params=run_params)
"""

TUPLE_DISPLAY = """
def trigger(api, greeting):
    run_params = ( "greeting=" + greeting, "source=cli" )
    api.trigger(run_params=run_params)
"""

FIXED_TUPLE_DISPLAY = """
def trigger(api, greeting):
    run_params = [ "greeting=" + greeting, "source=cli" ]
    api.trigger(run_params=run_params)
"""

OR_EMPTY_OF_UNKNOWN = """
def trigger(api, options):
    run_params = options.get("run_params") or ()
    api.trigger(run_params=run_params)
"""

FIXED_OR_EMPTY_OF_UNKNOWN = """
def trigger(api, options):
    run_params = list(options.get("run_params") or ())
    api.trigger(run_params=run_params)
"""

CLICK_THROUGH_TUPLE = """
from metaflow._vendor import click


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    params = tuple(run_params)
    scheduler.submit(run_params=params)
"""

FIXED_CLICK_THROUGH_TUPLE = """
from metaflow._vendor import click


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    params = list(run_params)
    scheduler.submit(run_params=params)
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

FIXED_CLICK_TO_API = """
from metaflow._vendor import click
from acme_sdk import Client


@click.command()
@click.option("--run-param", "run_params", multiple=True)
@click.pass_obj
def trigger(obj, run_params):
    client = Client()
    run_params = list(run_params) if run_params else []
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

FIXED_OR_EMPTY_TUPLE = """
from metaflow._vendor import click


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    params = run_params or ()
    params = list(params)
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

FIXED_LIST_PLUS_TUPLE = """
import subprocess
from metaflow._vendor import click


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    run_params = list(run_params) if run_params else []
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

FIXED_LOCAL_HELPER = """
from metaflow._vendor import click


def _submit(client, params):
    return client.submit(inputs={"run_params": params})


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    run_params = list(run_params) if run_params else []
    _submit(make_client(), run_params)
"""

INLINE_TUPLE = """
from metaflow.runner.deployer import Deployer


def deploy_and_trigger(flow_file, params):
    deployed = Deployer(flow_file).acme().create()
    return deployed.trigger(run_params=tuple(params))
"""

FIXED_INLINE_TUPLE = """
from metaflow.runner.deployer import Deployer


def deploy_and_trigger(flow_file, params):
    deployed = Deployer(flow_file).acme().create()
    return deployed.trigger(run_params=list(params))
"""

NARGS_ARGUMENT = """
from metaflow._vendor import click


@click.command()
@click.argument("tags", nargs=-1)
def tag(tags):
    api.set_tags(tags=tags)
"""

FIXED_NARGS_ARGUMENT = """
from metaflow._vendor import click


@click.command()
@click.argument("tags", nargs=-1)
def tag(tags):
    tags = list(tags) if tags else []
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

FIXED_LONG_FLAG_NAME = """
from metaflow._vendor import click


@click.command()
@click.option("--with", "-w", "with_decorators", multiple=True)
@click.option("--tag", multiple=True)
def create(with_decorators, tag):
    tag = list(tag) if tag else []
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

FIXED_IF_EXP_TUPLE_BRANCH = """
from metaflow._vendor import click


@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    forwarded = run_params if run_params else []
    forwarded = list(forwarded)
    api.trigger(parameters=forwarded)
"""

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

FIXED_EXTERNAL_RECEIVER = '''
from metaflow._vendor import click
from acme_sdk import Batch


@click.command()
@click.option("--tag", "tags", multiple=True)
@click.option("--host-volumes", multiple=True)
@click.pass_obj
def step(obj, tags, host_volumes):
    obj.metadata.add_sticky_tags(tags=tags)
    batch = Batch(obj.metadata, obj.environment)
    host_volumes = list(host_volumes) if host_volumes else []
    batch.launch_job(host_volumes=host_volumes)
'''

SEVERAL_FORWARDS = """
from metaflow._vendor import click

@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    client.validate(params=run_params)
    client.trigger(run_params=run_params)
"""

FIXED_SEVERAL_FORWARDS = """
from metaflow._vendor import click

@click.command()
@click.option("--run-param", "run_params", multiple=True)
def trigger(run_params):
    run_params = list(run_params) if run_params else []
    client.validate(params=run_params)
    client.trigger(run_params=run_params)
"""

INVALID = [
    # A tuple the extension builds is reported where it is built, once, and the fix builds a list there.
    Invalid(
        DEPLOYER_DICT_STORE, rows=[7], message="`run_params` reaches `.trigger(**trigger_kwargs)` as a tuple; build it",
        fixed=FIXED_DEPLOYER_DICT_STORE, path=PATH, why="built-tuple-then-dict-store",
    ),
    Invalid(BUILT_TWO_SINKS, rows=[4], fixed=FIXED_BUILT_TWO_SINKS, path=PATH, why="one built tuple, two sinks"),
    Invalid(
        EMPTY_DEFAULT_THEN_TUPLE, rows=[4, 6], path=PATH,
        why="an empty-tuple default and a conditional tuple both reach the sink",
    ),
    Invalid(TUPLE_DISPLAY, rows=[3], fixed=FIXED_TUPLE_DISPLAY, path=PATH, why="tuple display becomes a list display"),
    Invalid(
        OR_EMPTY_OF_UNKNOWN, rows=[3], fixed=FIXED_OR_EMPTY_OF_UNKNOWN, path=PATH,
        why="or-empty-tuple of no click value",
    ),
    Invalid(
        CLICK_THROUGH_TUPLE, rows=[8], message="build it as a `list` here", fixed=FIXED_CLICK_THROUGH_TUPLE,
        path=PATH,
        why="tuple() of a click value is the construct to change",
    ),
    # A click value forwarded unconverted is reported where it is forwarded.
    Invalid(
        CLICK_DICT_STORE, rows=[11], message="`run_params` reaches `.submit(**submit_kwargs)` as a tuple; forward",
        fixed=FIXED_CLICK_DICT_STORE, path=PATH, why="click-value-dict-store-then-splat",
    ),
    Invalid(
        CLICK_TO_API, rows=[11], message="forwarded to `client.create_run()`",
        fixed=FIXED_CLICK_TO_API, path=PATH, why="click-option-to-sdk",
    ),
    Invalid(
        OR_EMPTY_TUPLE, rows=[9], message="forwarded to `scheduler.submit()`",
        fixed=FIXED_OR_EMPTY_TUPLE, path=PATH, why="or-empty-tuple",
    ),
    Invalid(
        LIST_PLUS_TUPLE, rows=[9], message="concatenated with a list",
        fixed=FIXED_LIST_PLUS_TUPLE, path=PATH, why="list-plus-tuple",
    ),
    Invalid(
        LOCAL_HELPER, rows=[12], message="passed to `_submit()`",
        fixed=FIXED_LOCAL_HELPER, path=PATH, why="through-local-helper",
    ),
    Invalid(
        INLINE_TUPLE, rows=[7], message="forwarded to `deployed.trigger()`",
        fixed=FIXED_INLINE_TUPLE, path=PATH, why="inline-tuple-call",
    ),
    Invalid(
        NARGS_ARGUMENT, rows=[8], message="forwarded to `api.set_tags()`",
        fixed=FIXED_NARGS_ARGUMENT, path=PATH, why="nargs-argument",
    ),
    Invalid(
        LONG_FLAG_NAME, rows=[9], message="`tag` is forwarded to `workflow_client.register()`",
        fixed=FIXED_LONG_FLAG_NAME, path=PATH, why="name-from-long-flag",
    ),
    Invalid(
        IF_EXP_TUPLE_BRANCH, rows=[9], message="forwarded to `api.trigger()`",
        fixed=FIXED_IF_EXP_TUPLE_BRANCH, path=PATH, why="ifexp-keeps-tuple",
    ),
    Invalid(
        SEVERAL_FORWARDS, rows=[7, 8], fixed=FIXED_SEVERAL_FORWARDS, path=PATH,
        why="several forwards share one conversion",
    ),
    Invalid(
        """
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            if ready: client.trigger(run_params=run_params)
        """,
        rows=[7], no_fix=True, path=PATH, why="no fix inside a one-line compound statement",
    ),
    Invalid(
        OWNED_RECEIVERS.replace("from .batch import Batch", "from acme_sdk import Batch"),
        rows=[13], fixed=FIXED_EXTERNAL_RECEIVER, path=PATH, why="external client method is still a sink",
    ),
]

VALID = [
    Valid(
        """
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
        path=PATH, why="iterated",
    ),
    Valid(
        """
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            client.trigger(run_params=list(run_params))
        """,
        path=PATH, why="converted-inline",
    ),
    Valid(
        """
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            run_params = list(run_params) if run_params else []
            client.trigger(run_params=run_params)
        """,
        path=PATH, why="converted-before",
    ),
    Valid(
        """
        import json
        import requests
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            body = json.dumps({"run_params": run_params})
            requests.post(URL, data=body)
        """,
        path=PATH, why="json-payload",
    ),
    Valid(
        """
        from metaflow._vendor import click

        @click.command()
        @click.option("--tag", "tags", multiple=True)
        def step(tags):
            cmd = ["python", "flow.py", "step"]
            cmd.extend(tags)
            print(" ".join(tags))
            logger.info("tags: %s", tags)
        """,
        path=PATH, why="consumed-by-extend-and-join",
    ),
    Valid(
        """
        from metaflow._vendor import click
        from .acme_compiler import AcmeCompiler

        @click.command()
        @click.option("--tag", "tags", multiple=True)
        def create(tags):
            AcmeCompiler(tags=tags).compile()
        """,
        path=PATH, why="own-package-helper",
    ),
    Valid(
        """
        from metaflow._vendor import click

        @click.command()
        @click.option("--name")
        def create(name):
            client.create(name=name)
        """,
        path=PATH, why="single-value-option",
    ),
    Valid(
        """
        from metaflow._vendor import click
        from metaflow.util import validate_tags

        @click.command()
        @click.option("--tag", "tags", multiple=True)
        def create(obj, tags):
            validate_tags(tags)
            obj.metadata.register_run_id("r1", tags)
        """,
        path=PATH, why="positional-to-unknown-helper",
    ),
    Valid(
        """
        def reshape(api):
            shape = (3, 4)
            api.zeros(shape=shape)
        """,
        path=PATH, why="unrelated-tuple",
    ),
    Valid(
        """
        from metaflow._vendor import click

        @click.command()
        @click.option("--run-param", "run_params", multiple=True)
        def trigger(run_params):
            if run_params:
                run_params = list(run_params)
            client.trigger(run_params=run_params)
        """,
        path=PATH, why="reassigned-to-list",
    ),
    Valid(
        """
        class AcmeDeployedFlow:
            def trigger(self, **kwargs):
                run_params = [f"{k}={v}" for k, v in kwargs.items()]
                trigger_kwargs = dict(name=self.name)
                if run_params:
                    trigger_kwargs["run_params"] = run_params
                return self.api.trigger(**trigger_kwargs)
        """,
        path=PATH, why="deployer-builds-list",
    ),
    Valid(
        '''
        def trigger(run_params):
            """client.trigger(run_params=tuple(run_params)) would be wrong."""
            # api.submit(run_params=run_params or ())
            return None
        ''',
        path=PATH, why="comment-and-docstring",
    ),
    # Metaflow's metadata provider and the extension's own client classes iterate; no tuple-vs-list break.
    Valid(OWNED_RECEIVERS, path=PATH, why="methods of own objects and metaflow cli state are not sinks"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


@pytest.mark.parametrize(
    "source, inserted",
    [
        (CLICK_TO_API, "    run_params = list(run_params) if run_params else []"),
        (OR_EMPTY_TUPLE, "    params = list(params)"),
        (LIST_PLUS_TUPLE, "    run_params = list(run_params) if run_params else []"),
        (LOCAL_HELPER, "    run_params = list(run_params) if run_params else []"),
        (NARGS_ARGUMENT, "    tags = list(tags) if tags else []"),
        (IF_EXP_TUPLE_BRANCH, "    forwarded = list(forwarded)"),
    ],
    ids=["click-to-sdk", "or-empty", "list-plus", "helper", "nargs", "ifexp"],
)
def test_fix_inserts_conversion_and_converges(source, inserted):
    """A value the function did not build is converted before its first forward; the condition only where the
    value may be None (a parameter), not where every assignment gives a tuple or a list."""
    text = textwrap.dedent(source)
    found = lint(text, RULE, path=PATH)
    fixed_once = apply_one(text, found[0])
    assert [line for line in fixed_once.splitlines() if line not in text.splitlines()] == [inserted]
    libcst.parse_module(fixed_once)
    assert lint(fixed_once, RULE, path=PATH) == []
    assert_fix_converges(text, RULE, PATH)


def test_each_built_tuple_is_fixed_where_it_is_reported():
    text = textwrap.dedent(EMPTY_DEFAULT_THEN_TUPLE)
    found = lint(text, RULE, path=PATH)
    for diagnostic in found:
        assert {edit.location.row for edit in diagnostic.fix.edits} == {diagnostic.location.row}
    fixed = assert_fix_converges(text, RULE, PATH)
    assert "run_params = []" in fixed and 'run_params = ["%s=%s" % kv for kv in kwargs.items()]' in fixed


CLICK_HEAD = """
from metaflow._vendor import click


@click.command()
@click.option("--run-param", "run_params", multiple=True)
"""


def test_fix_uses_the_statement_indentation_and_no_condition_inside_the_guard():
    assert_fix(
        CLICK_HEAD + """\
def trigger(run_params):
    kwargs = {}
    if run_params:
        kwargs["run_params"] = run_params
    deployer_api.trigger(**kwargs)
""",
        CLICK_HEAD + """\
def trigger(run_params):
    kwargs = {}
    if run_params:
        run_params = list(run_params)
        kwargs["run_params"] = run_params
    deployer_api.trigger(**kwargs)
""",
        RULE,
        path=PATH,
    )


@pytest.mark.parametrize(
    "before, after",
    [
        pytest.param(
            """\
            @click.command()
            @click.option("--run-param", "run_params", multiple=True)
            def trigger(run_params, ready):
                if run_params is not None and ready:
                    deployer_api.trigger(run_params=run_params)
            """,
            """\
            @click.command()
            @click.option("--run-param", "run_params", multiple=True)
            def trigger(run_params, ready):
                if run_params is not None and ready:
                    run_params = list(run_params)
                    deployer_api.trigger(run_params=run_params)
            """,
            id="is-not-none-and",
        ),
        pytest.param(
            """\
            @click.command()
            @click.option("--run-param", "run_params", multiple=True)
            def trigger(run_params):
                if run_params:
                    pass
                elif ready:
                    deployer_api.trigger(run_params=run_params)
            """,
            """\
            @click.command()
            @click.option("--run-param", "run_params", multiple=True)
            def trigger(run_params):
                if run_params:
                    pass
                elif ready:
                    run_params = list(run_params) if run_params else []
                    deployer_api.trigger(run_params=run_params)
            """,
            id="not-inside-the-guard",
        ),
        pytest.param(
            """\
            @click.command()
            @click.option("--run-param", "run_params", multiple=True)
            def trigger(run_params):
                if run_params:
                    run_params = run_params or None
                    deployer_api.trigger(run_params=run_params)
            """,
            """\
            @click.command()
            @click.option("--run-param", "run_params", multiple=True)
            def trigger(run_params):
                if run_params:
                    run_params = run_params or None
                    run_params = list(run_params) if run_params else []
                    deployer_api.trigger(run_params=run_params)
            """,
            id="guard-broken-by-an-assignment",
        ),
    ],
)
def test_the_conversion_has_a_condition_only_where_it_can_be_false(before, after):
    assert_fix(before, after, RULE, path=PATH)


@pytest.mark.parametrize(
    "before, after",
    [
        pytest.param(
            """\
            def trigger(api):
                run_params = ("a=1", "b=2")
                api.trigger(run_params=run_params)
            """,
            """\
            def trigger(api):
                run_params = ["a=1", "b=2"]
                api.trigger(run_params=run_params)
            """,
            id="literal",
        ),
        pytest.param(
            """\
            def trigger(api):
                run_params = ( "a=1", )
                api.trigger(run_params=run_params)
            """,
            """\
            def trigger(api):
                run_params = [ "a=1" ]
                api.trigger(run_params=run_params)
            """,
            id="one-element-literal",
        ),
        pytest.param(
            """\
            def trigger(api):
                run_params = "a=1", "b=2"
                api.trigger(run_params=run_params)
            """,
            """\
            def trigger(api):
                run_params = ["a=1", "b=2"]
                api.trigger(run_params=run_params)
            """,
            id="literal-without-parentheses",
        ),
        pytest.param(
            """\
            def trigger(api, params):
                run_params = tuple(params)
                if len(run_params) > 1 and "x" not in run_params:
                    api.trigger(run_params=run_params)
            """,
            """\
            def trigger(api, params):
                run_params = list(params)
                if len(run_params) > 1 and "x" not in run_params:
                    api.trigger(run_params=run_params)
            """,
            id="tuple-of-a-value",
        ),
        pytest.param(
            """\
            def trigger(api, values):
                run_params = tuple(
                    "%s=%s" % kv  # one per value
                    for kv in values.items()
                )
                api.trigger(run_params=run_params)
            """,
            """\
            def trigger(api, values):
                run_params = [
                    "%s=%s" % kv  # one per value
                    for kv in values.items()
                ]
                api.trigger(run_params=run_params)
            """,
            id="multi-line-generator",
        ),
        pytest.param(
            """\
            def trigger(api, params):
                run_params = tuple(params) if params else ()
                api.trigger(run_params=run_params)
            """,
            """\
            def trigger(api, params):
                run_params = list(params) if params else []
                api.trigger(run_params=run_params)
            """,
            id="conditional-of-tuples",
        ),
        pytest.param(
            """\
            def trigger(api, params):
                if params:
                    run_params = tuple(params)
                else:
                    run_params = ()
                api.trigger(run_params=run_params)
            """,
            """\
            def trigger(api, params):
                if params:
                    run_params = list(params)
                else:
                    run_params = []
                api.trigger(run_params=run_params)
            """,
            id="every-assignment",
        ),
        pytest.param(
            """\
            def trigger(api, *params):
                return api.trigger(run_params=tuple(*params))
            """,
            """\
            def trigger(api, *params):
                return api.trigger(run_params=list(*params))
            """,
            id="inline-starred",
        ),
        pytest.param(
            """\
            def trigger(api, params):
                return api.trigger(run_params=tuple(p.strip() for p in params))
            """,
            """\
            def trigger(api, params):
                return api.trigger(run_params=[p.strip() for p in params])
            """,
            id="inline-generator",
        ),
    ],
)
def test_a_tuple_built_here_is_built_as_a_list(before, after):
    """As the catalog's "Use instead" does: the expression that builds the tuple changes, nothing is inserted."""
    assert_fix(before, after, RULE, path=PATH)


@pytest.mark.parametrize(
    "before, after",
    [
        pytest.param(
            """\
            def trigger(api, params):
                run_params = tuple(params)
                api.trigger(run_params=run_params)
                return run_params
            """,
            """\
            def trigger(api, params):
                run_params = tuple(params)
                run_params = list(run_params)
                api.trigger(run_params=run_params)
                return run_params
            """,
            id="also-returned",
        ),
        pytest.param(
            """\
            def trigger(api, params):
                run_params = tuple(params)
                seen = {run_params}
                api.trigger(run_params=run_params)
            """,
            """\
            def trigger(api, params):
                run_params = tuple(params)
                seen = {run_params}
                run_params = list(run_params)
                api.trigger(run_params=run_params)
            """,
            id="also-hashed",
        ),
        pytest.param(
            """\
            def trigger(api, params, extra):
                run_params = tuple(params)
                if extra:
                    run_params = run_params + (extra,)
                api.trigger(run_params=run_params)
            """,
            """\
            def trigger(api, params, extra):
                run_params = tuple(params)
                if extra:
                    run_params = run_params + (extra,)
                run_params = list(run_params) if run_params else []
                api.trigger(run_params=run_params)
            """,
            id="another-assignment",
        ),
    ],
)
def test_a_built_tuple_used_as_a_tuple_elsewhere_is_converted_before_the_sink(before, after):
    assert_fix(before, after, RULE, path=PATH)


def test_fix_for_inline_tuple_builds_a_list():
    text = textwrap.dedent(INLINE_TUPLE)
    fixed = apply_one(text, lint(text, RULE, path=PATH)[0])
    assert "deployed.trigger(run_params=list(params))" in fixed
    assert_fix_converges(text, RULE, PATH)


def test_several_forwards_share_one_conversion():
    text = textwrap.dedent(SEVERAL_FORWARDS)
    found = lint(text, RULE, path=PATH)
    assert [d.location.row for d in found] == [7, 8]
    assert found[0].fix.edits == found[1].fix.edits
    fixed = assert_fix_converges(text, RULE, PATH)
    assert fixed.count("list(run_params)") == 1


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


def _metaflow_deployer_api():
    """A deployer API whose ``trigger`` checks its keywords the way Metaflow's click API does: the annotations
    ``extract_all_params`` derives from the command's click options, checked by ``_method_sanity_check``."""
    from metaflow._vendor import click
    from metaflow.runner.click_api import _method_sanity_check, extract_all_params

    @click.command()
    @click.option("--run-param", "run_params", multiple=True)
    @click.option("--name", default=None)
    def trigger(**kwargs):  # pragma: no cover - only its options are read
        pass

    _, arg_params, opt_params, annotations, defaults = extract_all_params(trigger)

    class Api:
        received = None

        def trigger(self, **kwargs):
            _method_sanity_check(arg_params, opt_params, annotations, defaults, **kwargs)
            Api.received = kwargs
            return []

    return Api()


def _deployed_flow_trigger(namespace, api):
    namespace["get_lower_level_group"] = lambda *args: api
    flow = namespace["AcmeDeployedFlow"]()
    flow.name, flow.deployer = "f", type("Deployer", (), {"api": None})()
    flow.trigger(alpha=1, beta=2)


def _click_trigger(namespace, api):
    namespace["deployer_api"] = api
    namespace["trigger"].callback(run_params=("alpha=1", "beta=2"))


def _plain_trigger(namespace, api):
    namespace["trigger"](api)


@pytest.mark.parametrize(
    "source, call",
    [
        pytest.param(DEPLOYER_DICT_STORE, _deployed_flow_trigger, id="tuple-of-a-generator-in-if"),
        pytest.param(
            CLICK_HEAD + """\
def trigger(run_params):
    kwargs = {}
    if run_params:
        kwargs["run_params"] = run_params
    deployer_api.trigger(**kwargs)
""",
            _click_trigger,
            id="click-value-in-if",
        ),
        pytest.param(
            CLICK_HEAD + "def trigger(run_params):\n    params = run_params or ()\n    deployer_api.trigger(run_params=params)\n",
            _click_trigger,
            id="click-value-or-empty",
        ),
        pytest.param(
            'def trigger(api):\n    run_params = ("alpha=1", "beta=2")\n    api.trigger(name="f", run_params=run_params)\n',
            _plain_trigger,
            id="literal",
        ),
    ],
)
def test_fixed_code_passes_metaflows_click_api_type_check(source, call):
    """The code before the fix fails Metaflow's own type check with two run parameters; the fixed code runs."""
    from mfok_lint.lint.fixes import fix_text

    before = textwrap.dedent(source)
    after = fix_text(before, PATH, select=[RULE]).text
    assert after != before
    api = _metaflow_deployer_api()
    original: dict = {}
    exec(compile(before, PATH, "exec"), original)
    with pytest.raises(TypeError, match="Invalid type for 'run_params'"):
        call(original, api)
    fixed: dict = {}
    exec(compile(after, PATH, "exec"), fixed)
    call(fixed, api)
    assert api.received["run_params"] == ["alpha=1", "beta=2"]


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
    assert passes_prefilter(RULE, source, path="x.py") is may_report


def test_a_built_tuple_also_used_as_a_tuple_is_reported_where_it_is_built():
    """The finding stays where the tuple is made; only its fix moves to the forwarding, since building a list
    there would change what the function returns."""
    text = textwrap.dedent(
        """\
        def trigger(api, params):
            run_params = tuple(params)
            api.trigger(run_params=run_params)
            return run_params
        """
    )
    (found,) = lint(text, RULE, path=PATH)
    assert found.location.row == 2
    assert found.message.endswith("forward multi-value options as a `list`")
    assert {edit.location.row for edit in found.fix.edits} == {3}
