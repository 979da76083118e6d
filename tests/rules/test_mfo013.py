"""MFO013 config-passed-to-init (preview): parameters collected for init without skipping configs."""

from __future__ import annotations

import textwrap

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text
from tests.rules.conftest import DEFAULT_PATH, Invalid, Valid, rule_cases

RULE = "MFO013"

INIT_BUILDER = """

    def init_command(self, run_id):
        cmd = ["python", "flow.py", "--no-pylint", "init", "--run-id", run_id, "--task-id", "params"]
        for name, value in self.parameters.items():
            cmd += ["--" + name, value]
        return cmd
"""

INIT_ENV = """

    def init_env(self):
        return {"METAFLOW_INIT_" + k.upper(): str(v) for k, v in self.parameters.items()}
"""

FIXED_OPTIONS_INIT = """

    def init_command(self, run_id):
        return ["python", "flow.py", "--no-pylint", "init", "--run-id", run_id, "--task-id", "params"]
"""


def with_init(source: str, init: str = INIT_BUILDER) -> str:
    """The class followed by one more method of it: by default, an init command that forwards `self.parameters`."""
    return textwrap.dedent(source) + init


COLLECTING_LOOP = """
class AcmeCompiler:
    def __init__(self, flow):
        self.flow = flow
        self.parameters = {}
        for var, param in self.flow._get_parameters():
            self.parameters[param.name] = param.kwargs.get("default")
"""

INVALID = [
    Invalid(
        with_init(COLLECTING_LOOP),
        rows=[6], why="subscript-store",
    ),
    Invalid(
        with_init(
            """
            class AcmeCompiler:
                def __init__(self, flow):
                    self.flow = flow
                    self.parameters = []
                    for _, param in flow._get_parameters():
                        self.parameters.append({"name": param.name})
            """
        ),
        rows=[6], why="append",
    ),
    Invalid(
        with_init(
            """
            class AcmeCompiler:
                def __init__(self, flow):
                    self.flow = flow
                    self.parameters = {p.name: p.kwargs.get("default") for _, p in flow._get_parameters()}
            """
        ),
        rows=[5], why="comprehension",
    ),
    Invalid(
        with_init(
            """
            class AcmeCompiler:
                def __init__(self, flow):
                    self.flow = flow
                    self.parameters = {}
                    for _, param in flow._get_parameters():
                        if param.name.lower() == "config-value":
                            continue
                        self.parameters[param.name] = None
            """
        ),
        rows=[6], why="filter-by-wrong-name",
    ),
    Invalid(with_init(COLLECTING_LOOP, INIT_ENV), rows=[6], why="init variables count as forwarding"),
    Invalid(
        with_init(
            """
            from acme.settings import Settings as MFConfig


            class AcmeCompiler:
                def __init__(self, flow):
                    self.flow = flow
                    self.parameters = {}
                    for _, param in flow._get_parameters():
                        if isinstance(param, MFConfig):
                            continue
                        self.parameters[param.name] = None
            """
        ),
        rows=[9], why="a name that only looks like the class: the test is against something else",
    ),
]

VALID = [
    Valid(
        with_init(
            """
            class AcmeCompiler:
                def __init__(self, flow):
                    self.flow = flow
                    self.parameters = {}
                    for var, param in self.flow._get_parameters():
                        if param.IS_CONFIG_PARAMETER:
                            continue
                        self.parameters[param.name] = param.kwargs.get("default")
            """
        ),
        why="is-config-attribute",
    ),
    Valid(
        with_init(
            """
            class AcmeCompiler:
                def __init__(self, flow):
                    self.flow = flow
                    self.parameters = {
                        p.name: None for _, p in flow._get_parameters() if not getattr(p, "IS_CONFIG_PARAMETER", False)
                    }
            """
        ),
        why="getattr-in-comprehension",
    ),
    Valid(
        with_init(
            """
            from metaflow.user_configs.config_parameters import Config


            class AcmeCompiler:
                def __init__(self, flow):
                    self.flow = flow
                    self.parameters = {}
                    for _, param in flow._get_parameters():
                        if isinstance(param, Config):
                            continue
                        self.parameters[param.name] = None
            """
        ),
        why="isinstance-config",
    ),
    Valid(
        with_init(
            """
            from metaflow import Config as MFConfig


            class AcmeCompiler:
                def __init__(self, flow):
                    self.flow = flow
                    self.parameters = {}
                    for _, param in flow._get_parameters():
                        if isinstance(param, MFConfig):
                            continue
                        self.parameters[param.name] = None
            """
        ),
        why="Config imported under another name",
    ),
    Valid(
        with_init(
            """
            class AcmeCompiler:
                def __init__(self, flow):
                    from metaflow.user_configs.config_parameters import ConfigValue as CV

                    self.flow = flow
                    self.parameters = {p.name: None for _, p in flow._get_parameters() if not isinstance(p, (str, CV))}
            """
        ),
        why="ConfigValue aliased inside the function, in a tuple of classes",
    ),
    Valid(
        with_init(
            """
            import metaflow as mf


            class AcmeCompiler:
                def __init__(self, flow):
                    self.flow = flow
                    self.parameters = {}
                    for _, param in flow._get_parameters():
                        if type(param) is mf.Config:
                            continue
                        self.parameters[param.name] = None
            """
        ),
        why="type test through a module alias",
    ),
    # validation only: nothing is collected
    Valid(
        with_init(
            """
            class AcmeCompiler:
                def __init__(self, flow):
                    self.flow = flow
                    self.parameters = {}
                    for _, param in flow._get_parameters():
                        if "default" not in param.kwargs:
                            raise ValueError(param.name)
            """
        ),
        why="validation-only",
    ),
    Valid(COLLECTING_LOOP, why="files without an init command are not reported"),
    Valid(with_init(COLLECTING_LOOP, FIXED_OPTIONS_INIT), why="init with fixed options only is not reported"),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_preview_only():
    text = with_init(COLLECTING_LOOP)
    stable = Settings(select=["MFO"], preview=False)
    assert [d for d in lint_text(text, path=DEFAULT_PATH, settings=stable) if d.code == RULE] == []
