"""MFO029 conda-in-process: flow code called in the orchestrator's own interpreter."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/worker.py"


def lint(source: str, path: str = PATH):
    return [d for d in lint_text(textwrap.dedent(source), path=path, select=["MFO029"]) if d.code == "MFO029"]


@pytest.mark.parametrize(
    "source, row",
    [
        (
            """
            import importlib.util

            def run_handler(flow_file, class_name, handler):
                spec = importlib.util.spec_from_file_location("_flow", flow_file)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                flow_class = getattr(module, class_name)
                instance = object.__new__(flow_class)
                getattr(instance, handler)()
            """,
            9,
        ),
        (
            """
            import runpy

            async def run_step(flow_file, name, step):
                namespace = runpy.run_path(flow_file)
                cls = namespace[name]
                flow = cls(use_cli=False)
                flow.start()
            """,
            7,
        ),
        (
            """
            from importlib.machinery import SourceFileLoader

            def call(flow_file, name):
                mod = SourceFileLoader("flow", flow_file).load_module()
                klass = mod.MyFlow
                inst = klass.__new__(klass)
                return inst.end()
            """,
            7,
        ),
        (
            """
            from metaflow.task import MetaflowTask

            def execute(flow, datastore, metadata, environment, console, event_logger, monitor, step):
                task = MetaflowTask(flow, datastore, metadata, environment, console, event_logger, monitor, None)
                task.run_step(step, "r", "1", None, [], 0, 0, 0)
            """,
            5,
        ),
    ],
    ids=["exec-module-new", "run-path-call", "source-file-loader", "metaflow-task"],
)
def test_reported(source, row):
    (found,) = lint(source)
    assert "@conda" in found.message
    assert found.location.row == row


@pytest.mark.parametrize(
    "source",
    [
        # Loading a generated scheduler module and calling its entry point: steps run as subprocesses.
        """
        import importlib.util

        def run_generated(path, name):
            spec = importlib.util.spec_from_file_location("_gen", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            getattr(mod, name)()
        """,
        # Importing installed code by module name (decorator classes).
        """
        import importlib

        def decorator(snapshot):
            module = importlib.import_module(snapshot["module"])
            cls = getattr(module, snapshot["class"])
            deco = cls()
            deco.init()
            return deco
        """,
        # The class is taken from the loaded flow file but nothing is called on an instance.
        """
        import importlib.util

        def flow_name(path):
            spec = importlib.util.spec_from_file_location("_f", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            cls = getattr(mod, "MyFlow")
            return cls.__name__
        """,
        # Launching the step as a subprocess: the supported way.
        """
        import subprocess, sys

        def run_step(flow_file, step):
            subprocess.run([sys.executable, flow_file, "--environment", "conda", "step", step], check=True)
        """,
    ],
    ids=["generated-entry-point", "import-module-by-name", "no-call", "subprocess"],
)
def test_not_reported(source):
    assert lint(source) == []


def test_metaflow_core_may_build_its_own_task():
    source = "from metaflow.task import MetaflowTask\n\ndef step(*a):\n    MetaflowTask(*a).run_step()\n"
    assert lint(source, path="site-packages/metaflow/cli_components/step_cmd.py") == []
    assert len(lint(source)) == 1


def test_metaflow_core_modules_are_not_even_parsed_for_the_rule():
    from mfok_lint.rules.mfo029_conda_in_process import CondaInProcess

    rule = CondaInProcess()
    assert not rule.applies_to_file("site-packages/metaflow/task.py", b"MetaflowTask()")
    assert rule.applies_to_file("site-packages/metaflow/plugins/argo/argo_workflows.py", b"MetaflowTask()")
    assert rule.applies_to_file("metaflow_extensions/acme/plugins/acme/worker.py", b"MetaflowTask()")
