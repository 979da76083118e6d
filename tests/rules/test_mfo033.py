"""MFO033 retry-count-run-level-counter (preview): `--retry-count` fed a counter of the whole run's attempts."""

from __future__ import annotations

from mfok_lint.core.settings import Settings
from mfok_lint.lint.check import lint_text
from tests.rules.conftest import Invalid, Valid, passes_prefilter, rule_cases

RULE = "MFO033"
PATH = "metaflow_extensions/acme/plugins/acme/acme_worker.py"
HEAD = 'import os\nimport sys\nTOP = [sys.executable, "flow.py", "--metadata", "local"]\n'


def _cmd(value, prelude="", decorator=""):
    return (
        HEAD + decorator + f"def c(s, ctx):\n{prelude}"
        + f'    return TOP + ["step", s, "--run-id", "1", "--retry-count", {value}]\n'
    )


# The shape of metaflow-temporal 0.1: the workflow reads its own attempt into the activity's input record, the
# activity builds the command from the record's field.
TEMPORAL_RECORD = '''
import sys
from dataclasses import dataclass

from temporalio import activity, workflow


@dataclass
class StepInput:
    flow_file: str
    step_name: str
    run_id: str
    task_id: str
    input_paths: str
    retry_count: int
    max_retries: int


def _build_step_cmd(inp: StepInput) -> list:
    return [
        sys.executable, inp.flow_file, "--no-pylint", "step", inp.step_name,
        "--run-id", inp.run_id, "--task-id", inp.task_id, "--input-paths", inp.input_paths,
        "--retry-count", str(inp.retry_count), "--max-user-code-retries", str(inp.max_retries),
    ]


@workflow.defn
class MetaflowWorkflow:
    @workflow.run
    async def run(self, cfg: dict) -> None:
        attempt = workflow.info().attempt
        inp = StepInput(
            flow_file=cfg["flow_file"], step_name="start", run_id=cfg["run_id"], task_id="temporal-start-0",
            input_paths="", retry_count=attempt, max_retries=0,
        )
        await workflow.execute_activity("run_metaflow_step", inp)
'''

# The shape of metaflow-temporal 0.4: the counter, shifted, goes through a helper that builds the record and
# through recursive methods that hand it on unchanged.
TEMPORAL_RECURSIVE = '''
import sys
from dataclasses import dataclass

from temporalio import workflow


@dataclass
class StepInput:
    step_name: str
    retry_count: int
    split_index: int = -1


class _RuntimeCLIArgs:
    def __init__(self, inp: StepInput, input_paths: str):
        self.entrypoint = [sys.executable, "flow.py"]
        self.commands = ["step"]
        self.command_args = [inp.step_name]
        self.command_options = {"run-id": "r", "task-id": "t", "retry-count": inp.retry_count, "input-paths": input_paths}

    def get_args(self):
        args = list(self.entrypoint)
        args.extend(self.commands)
        args.extend(self.command_args)
        for k, v in self.command_options.items():
            args.extend(["--%s" % k, str(v)])
        return args


def _make_step_input(step_name, retry_count, split_index):
    return StepInput(step_name=step_name, retry_count=retry_count, split_index=split_index)


@workflow.defn
class MetaflowWorkflow:
    async def _execute_node(self, step_name):
        retry_count = max(0, workflow.info().attempt - 1)
        inp = _make_step_input(step_name, retry_count, -1)
        await self._run_body(step_name, 0, retry_count)
        return inp

    async def _run_body(self, step_name, depth, retry_count):
        if depth < 3:
            await self._run_body(step_name, depth + 1, retry_count)
        return _make_step_input(step_name, retry_count, depth)
'''

INVALID = [
    # the shape of metaflow-windmill 0.2: a variable of the scheduler that no documentation places at run level
    Valid(
        'S = """\nRETRY_COUNT="${{WM_FLOW_RETRY_COUNT:-0}}"\n'
        'python flow.py --metadata local step a --run-id 1 --retry-count "$RETRY_COUNT"\n"""\n',
        path=PATH, why="windmill's own variable",
    ),
    Valid(
        'S = """\nRETRY=$GITHUB_RUN_ATTEMPT\nif [ -n "$TASK_ATTEMPT" ]; then RETRY=$TASK_ATTEMPT; fi\n'
        'python flow.py --metadata local step a --run-id 1 --retry-count "$RETRY"\n"""\n',
        path=PATH, why="one of the script's assignments is not the run's counter",
    ),
    Invalid(TEMPORAL_RECORD, rows=[23], message="workflow.info().attempt", path=PATH, why="temporal record field"),
    Invalid(
        TEMPORAL_RECURSIVE, rows=[20], message="Temporal", path=PATH,
        why="temporal through a helper and a recursive pass-through",
    ),
    Invalid(
        _cmd('str(int(os.environ["GITHUB_RUN_ATTEMPT"]) - 1)'), rows=[5], message="GITHUB_RUN_ATTEMPT", path=PATH,
        why="github run attempt, adjusted",
    ),
    Invalid(
        _cmd("attempt", '    attempt = os.environ.get("GITHUB_RUN_ATTEMPT", "1")\n'), rows=[6],
        message="GitHub Actions", path=PATH, why="os.environ.get",
    ),
    Invalid(
        'S = """\npython flow.py --metadata local step a --run-id 1 --retry-count ${{ github.run_attempt }}\n"""\n',
        rows=[2], message="github.run_attempt", path=PATH, why="expression in a generated workflow",
    ),
    Invalid(
        'S = """\npython flow.py --metadata local step a --run-id 1 --retry-count $((GITHUB_RUN_ATTEMPT - 1))\n"""\n',
        rows=[2], message="GITHUB_RUN_ATTEMPT", path=PATH, why="shell arithmetic",
    ),
    Invalid(
        _cmd("str(max(0, flow_run.run_count - 1))", decorator="@task(retries=3)\n").replace(
            "import os\n", "import os\nfrom prefect import task\nfrom prefect.runtime import flow_run\n"
        ),
        rows=[8], message="Prefect", path=PATH, why="prefect flow run inside a task",
    ),
    Invalid(
        'S = """\nRETRY=$((GITHUB_RUN_ATTEMPT - 1))\npython flow.py --metadata local step a --run-id 1 --retry-count "$RETRY"\n"""\n',
        rows=[3], message="GITHUB_RUN_ATTEMPT", path=PATH, why="a variable the script sets from the run attempt",
    ),
    Invalid(
        'S = """\nexport METAFLOW_STEP_RETRY_COUNT=${GITHUB_RUN_ATTEMPT}\npython flow.py --metadata local step a --run-id 1\n"""\n',
        rows=[2], message="METAFLOW_STEP_RETRY_COUNT", path=PATH, why="the variable exported by a generated script",
    ),
    Invalid(
        'DOCKER = ["docker", "run", "-e", "METAFLOW_STEP_RETRY_COUNT=${GITHUB_RUN_ATTEMPT}", "img"]\n',
        rows=[1], message="METAFLOW_STEP_RETRY_COUNT", path=PATH, why="a container's variable in an argv list",
    ),
    Invalid(
        'import os\n\ndef step_env():\n    return {"METAFLOW_STEP_RETRY_COUNT": os.environ["GITHUB_RUN_ATTEMPT"]}\n',
        rows=[4], message="METAFLOW_STEP_RETRY_COUNT", path=PATH, why="the variable step reads its retry count from",
    ),
]

VALID = [
    Valid(_cmd("str(max(0, activity.info().attempt - 1))"), path=PATH, why="temporal activity attempt"),
    Valid(_cmd("str(ctx.task_run.run_count - 1)"), path=PATH, why="prefect task run"),
    Valid(
        _cmd("str(max(0, flow_run.run_count - 1))").replace("import os\n", "import os\nfrom prefect.runtime import flow_run\n"),
        path=PATH, why="prefect flow run outside a task: may be a subflow per step",
    ),
    Valid(_cmd("str(context.retry_number)"), path=PATH, why="dagster op retry"),
    Valid('DOCKER = ["docker", "run", "-e", "METAFLOW_STEP_RETRY_COUNT=$TASK_ATTEMPT", "img"]\n', path=PATH,
          why="another variable"),
    Valid(_cmd('"{{retries}}"'), path=PATH, why="argo template retry"),
    Valid(_cmd('os.environ["GITHUB_RUN_NUMBER"]'), path=PATH, why="not an attempt counter"),
    Valid(_cmd("str(retry_count)", "    retry_count = task['attempt']\n"), path=PATH, why="the extension's own queue counter (gha 0.1)"),
    Valid(
        TEMPORAL_RECORD.replace("await workflow.execute_activity", "RetryPolicy(maximum_attempts=1)\n        await workflow.execute_activity"),
        path=PATH, why="activity retries turned off: a workflow per step may be what is retried",
    ),
    Valid(
        TEMPORAL_RECORD.replace("retry_count=attempt", "retry_count=attempt if cfg else lookup()"),
        path=PATH, why="an unknown reaching definition: nothing is established",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_preview_only():
    stable = Settings(select=["MFO"], preview=False)
    found = lint_text(_cmd('os.environ["GITHUB_RUN_ATTEMPT"]'), path=PATH, settings=stable)
    assert [d for d in found if d.code == RULE] == []


def test_prefilter():
    assert passes_prefilter(RULE, _cmd('os.environ["GITHUB_RUN_ATTEMPT"]'), path=PATH)
    assert passes_prefilter(RULE, 'ENV = {"METAFLOW_STEP_RETRY_COUNT": x}\n', path=PATH)
    assert not passes_prefilter(RULE, 'ENV = {"GITHUB_RUN_ATTEMPT": x}\n', path=PATH)
