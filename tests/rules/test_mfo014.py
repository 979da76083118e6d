"""MFO014 split-index-missing (preview): a module that runs foreach bodies passes --split-index."""

from __future__ import annotations

from mfok_lint.rules.registry import by_code
from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO014"

INVALID = [
    Invalid(
        """
        def step_cmd(node, run_id, task_id, paths):
            cmd = ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, "--task-id", task_id]
            cmd += ["--input-paths", paths]
            return cmd

        def tasks(graph, run_id):
            for node in graph:
                if node.type == "foreach":
                    yield from fan_out(node)
                yield step_cmd(node, run_id, "1", "p")
        """,
        rows=[3], message="--split-index", why="node-type-test",
    ),
    Invalid(
        '''
        BODY = """#!/bin/bash
        COUNT=$(python read.py _foreach_num_splits)
        for i in $(seq 0 $COUNT); do
          python3 {flow_file} --quiet step {step_name} --run-id "$RUN_ID" --task-id "t-$i" --input-paths "$P"
        done
        """
        ''',
        rows=[5], message="--split-index", why="num-splits",
    ),
]

VALID = [
    Valid(
        """
        def step_cmd(node, run_id, split_index=None):
            cmd = ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, "--task-id", "1"]
            if split_index is not None:
                cmd += ["--split-index", str(split_index)]
            return cmd

        def is_body(graph, node):
            return any(graph[p].type == "foreach" for p in node.in_funcs)
        """,
        why="guarded",
    ),
    Valid(
        """
        def step_cmd(node, run_id):
            return ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, "--task-id", "1"]
        """,
        why="no-foreach-handling",
    ),
    Valid(
        """
        # foreach steps are rejected at compile time; node.type == "foreach" never gets here
        def step_cmd(node, run_id):
            return ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, "--task-id", "1"]
        """,
        why="foreach-only-in-a-comment",
    ),
    Valid(
        '''
        def head(node):
            if node.type == "foreach":
                pass
            return " ".join(["python", "flow.py", "--quiet", "step", node.name, "--run-id", "$RUN_ID"])

        BODY = """{head} --task-id "t-$I" --split-index "$I" """
        ''',
        why="continued-elsewhere",
    ),
    Valid(
        """
        def step_cmd(node, run_id, extra):
            if node.type == "foreach":
                pass
            return ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, *extra]
        """,
        why="splat-after-step",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)


def test_rule_is_preview():
    assert by_code()[RULE].preview
