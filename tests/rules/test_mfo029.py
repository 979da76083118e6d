"""MFO029 conda-in-process: flow code called in the orchestrator's own interpreter."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, passes_prefilter, rule_cases

RULE = "MFO029"
PATH = "metaflow_extensions/acme/plugins/acme/worker.py"

OWN_TASK = "from metaflow.task import MetaflowTask\n\ndef step(*a):\n    MetaflowTask(*a).run_step()\n"

INVALID = [
    Valid(
        "from acme.runner import Runner as MetaflowTask\n\ndef step(*a):\n    MetaflowTask(*a).run_step()\n",
        path=PATH, why="another class imported under the name",
    ),
    Invalid(
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
        rows=[9], message="@conda", path=PATH, why="exec-module-new",
    ),
    Invalid(
        """
        import runpy

        async def run_step(flow_file, name, step):
            namespace = runpy.run_path(flow_file)
            cls = namespace[name]
            flow = cls(use_cli=False)
            flow.start()
        """,
        rows=[7], message="@conda", path=PATH, why="run-path-call",
    ),
    Invalid(
        """
        from importlib.machinery import SourceFileLoader

        def call(flow_file, name):
            mod = SourceFileLoader("flow", flow_file).load_module()
            klass = mod.MyFlow
            inst = klass.__new__(klass)
            return inst.end()
        """,
        rows=[7], message="@conda", path=PATH, why="source-file-loader",
    ),
    Invalid(
        """
        from metaflow.task import MetaflowTask

        def execute(flow, datastore, metadata, environment, console, event_logger, monitor, step):
            task = MetaflowTask(flow, datastore, metadata, environment, console, event_logger, monitor, None)
            task.run_step(step, "r", "1", None, [], 0, 0, 0)
        """,
        rows=[5], message="@conda", path=PATH, why="metaflow-task",
    ),
    Invalid(OWN_TASK, rows=[4], path=PATH, why="an extension building its own MetaflowTask"),
    Invalid(
        OWN_TASK.replace("import MetaflowTask", "import MetaflowTask as MFTask").replace("    MetaflowTask(", "    MFTask("),
        rows=[4], path=PATH, why="MetaflowTask imported under another name",
    ),
]

VALID = [
    # Loading a generated scheduler module and calling its entry point: steps run as subprocesses.
    Valid(
        """
        import importlib.util

        def run_generated(path, name):
            spec = importlib.util.spec_from_file_location("_gen", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            getattr(mod, name)()
        """,
        path=PATH, why="generated-entry-point",
    ),
    # Importing installed code by module name (decorator classes).
    Valid(
        """
        import importlib

        def decorator(snapshot):
            module = importlib.import_module(snapshot["module"])
            cls = getattr(module, snapshot["class"])
            deco = cls()
            deco.init()
            return deco
        """,
        path=PATH, why="import-module-by-name",
    ),
    # The class is taken from the loaded flow file but nothing is called on an instance.
    Valid(
        """
        import importlib.util

        def flow_name(path):
            spec = importlib.util.spec_from_file_location("_f", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            cls = getattr(mod, "MyFlow")
            return cls.__name__
        """,
        path=PATH, why="no-call",
    ),
    # Launching the step as a subprocess: the supported way.
    Valid(
        """
        import subprocess, sys

        def run_step(flow_file, step):
            subprocess.run([sys.executable, flow_file, "--environment", "conda", "step", step], check=True)
        """,
        path=PATH, why="subprocess",
    ),
    Valid(
        OWN_TASK, path="site-packages/metaflow/cli_components/step_cmd.py", why="Metaflow core may build its own task"
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_metaflow_core_modules_are_not_even_parsed_for_the_rule():
    assert not passes_prefilter(RULE, "MetaflowTask()", path="site-packages/metaflow/task.py")
    assert passes_prefilter(RULE, "MetaflowTask()", path="site-packages/metaflow/plugins/argo/argo_workflows.py")
    assert passes_prefilter(RULE, "MetaflowTask()", path="metaflow_extensions/acme/plugins/acme/worker.py")
