"""MFO013 config-passed-to-init (preview): parameters collected for init without skipping configs."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"

INIT_BUILDER = """

    def init_command(self, run_id):
        cmd = ["python", "flow.py", "--no-pylint", "init", "--run-id", run_id, "--task-id", "params"]
        for name, value in self.parameters.items():
            cmd += ["--" + name, value]
        return cmd
"""


def lint(source: str, with_init: bool = True):
    text = textwrap.dedent(source) + (INIT_BUILDER if with_init else "")
    return [d for d in lint_text(text, path=PATH, select=["MFO013"]) if d.code == "MFO013"]


COLLECTING_LOOP = """
class AcmeCompiler:
    def __init__(self, flow):
        self.flow = flow
        self.parameters = {}
        for var, param in self.flow._get_parameters():
            self.parameters[param.name] = param.kwargs.get("default")
"""


@pytest.mark.parametrize(
    "source",
    [
        COLLECTING_LOOP,
        """
        class AcmeCompiler:
            def __init__(self, flow):
                self.flow = flow
                self.parameters = []
                for _, param in flow._get_parameters():
                    self.parameters.append({"name": param.name})
        """,
        """
        class AcmeCompiler:
            def __init__(self, flow):
                self.flow = flow
                self.parameters = {p.name: p.kwargs.get("default") for _, p in flow._get_parameters()}
        """,
        """
        class AcmeCompiler:
            def __init__(self, flow):
                self.flow = flow
                self.parameters = {}
                for _, param in flow._get_parameters():
                    if param.name.lower() == "config-value":
                        continue
                    self.parameters[param.name] = None
        """,
    ],
    ids=["subscript-store", "append", "comprehension", "filter-by-wrong-name"],
)
def test_reports_unfiltered_collection(source):
    assert len(lint(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        """
        class AcmeCompiler:
            def __init__(self, flow):
                self.flow = flow
                self.parameters = {}
                for var, param in self.flow._get_parameters():
                    if param.IS_CONFIG_PARAMETER:
                        continue
                    self.parameters[param.name] = param.kwargs.get("default")
        """,
        """
        class AcmeCompiler:
            def __init__(self, flow):
                self.flow = flow
                self.parameters = {
                    p.name: None for _, p in flow._get_parameters() if not getattr(p, "IS_CONFIG_PARAMETER", False)
                }
        """,
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
        """,
        # validation only: nothing is collected
        """
        class AcmeCompiler:
            def __init__(self, flow):
                self.flow = flow
                self.parameters = {}
                for _, param in flow._get_parameters():
                    if "default" not in param.kwargs:
                        raise ValueError(param.name)
        """,
    ],
    ids=["is-config-attribute", "getattr-in-comprehension", "isinstance-config", "validation-only"],
)
def test_clean_code(source):
    assert lint(source) == []


def test_files_without_an_init_command_are_not_reported():
    assert lint(COLLECTING_LOOP, with_init=False) == []


def test_init_with_fixed_options_only_is_not_reported():
    fixed_init = """

    def init_command(self, run_id):
        return ["python", "flow.py", "--no-pylint", "init", "--run-id", run_id, "--task-id", "params"]
"""
    text = textwrap.dedent(COLLECTING_LOOP) + fixed_init
    assert [d for d in lint_text(text, path=PATH, select=["MFO013"]) if d.code == "MFO013"] == []


def test_init_variables_count_as_forwarding():
    env_init = """

    def init_env(self):
        return {"METAFLOW_INIT_" + k.upper(): str(v) for k, v in self.parameters.items()}
"""
    text = textwrap.dedent(COLLECTING_LOOP) + env_init
    assert len([d for d in lint_text(text, path=PATH, select=["MFO013"]) if d.code == "MFO013"]) == 1


def test_preview_only():
    text = textwrap.dedent(COLLECTING_LOOP) + INIT_BUILDER
    stable = Settings(select=["MFO"], preview=False)
    assert [d for d in lint_text(text, path=PATH, settings=stable) if d.code == "MFO013"] == []
