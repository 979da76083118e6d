"""MFO014 split-index-missing (preview): a module that runs foreach bodies passes --split-index."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO014"]) if d.code == "MFO014"]


INVALID = {
    "node-type-test": """
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
    "num-splits": '''
        BODY = """#!/bin/bash
        COUNT=$(python read.py _foreach_num_splits)
        for i in $(seq 0 $COUNT); do
          python3 {flow_file} --quiet step {step_name} --run-id "$RUN_ID" --task-id "t-$i" --input-paths "$P"
        done
        """
        ''',
}

VALID = {
    "guarded": """
        def step_cmd(node, run_id, split_index=None):
            cmd = ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, "--task-id", "1"]
            if split_index is not None:
                cmd += ["--split-index", str(split_index)]
            return cmd

        def is_body(graph, node):
            return any(graph[p].type == "foreach" for p in node.in_funcs)
        """,
    "no-foreach-handling": """
        def step_cmd(node, run_id):
            return ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, "--task-id", "1"]
        """,
    "foreach-only-in-a-comment": """
        # foreach steps are rejected at compile time; node.type == "foreach" never gets here
        def step_cmd(node, run_id):
            return ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, "--task-id", "1"]
        """,
    "continued-elsewhere": '''
        def head(node):
            if node.type == "foreach":
                pass
            return " ".join(["python", "flow.py", "--quiet", "step", node.name, "--run-id", "$RUN_ID"])

        BODY = """{head} --task-id "t-$I" --split-index "$I" """
        ''',
    "splat-after-step": """
        def step_cmd(node, run_id, extra):
            if node.type == "foreach":
                pass
            return ["python", "flow.py", "--quiet", "step", node.name, "--run-id", run_id, *extra]
        """,
}


@pytest.mark.parametrize("idiom", sorted(INVALID))
def test_foreach_handling_module_without_split_index_is_reported(idiom):
    found = lint(INVALID[idiom])
    assert len(found) == 1, [d.message for d in found]
    assert "--split-index" in found[0].message


@pytest.mark.parametrize("idiom", sorted(VALID))
def test_split_index_passed_or_no_foreach_is_not_reported(idiom):
    assert lint(VALID[idiom]) == []


def test_rule_is_preview():
    from mfok_lint.rules import all_rules

    assert all_rules()["MFO014"].preview
