"""Models collected in the shared traversal give exactly what their own walks give (``lint.shared_walk``).

Checked on Metaflow's own scheduler compilers (large modules with generated code, templates and commands), so
the speed-ups of the cold run cannot change a finding.
"""

from __future__ import annotations

import os

import libcst as cst
import metaflow
import pytest

from mfok_lint.lint.check import lint_text
from mfok_lint.lint.shared_walk import model_collectors
from mfok_lint.model import generated_code
from mfok_lint.model.commands import index as commands_index
from mfok_lint.model.values import Assignments, small_statements
from mfok_lint.rules import all_rules
from mfok_lint.syntax.source_file import SourceFile
from mfok_lint.syntax.visiting import Piggyback

PLUGINS = os.path.join(os.path.dirname(metaflow.__file__), "plugins")
REAL_FILES = [
    os.path.join(PLUGINS, "argo", "argo_workflows.py"),
    os.path.join(PLUGINS, "airflow", "airflow.py"),
    os.path.join(PLUGINS, "aws", "step_functions", "step_functions.py"),
    os.path.join(PLUGINS, "kubernetes", "kubernetes.py"),
]


def _ids(value):
    if isinstance(value, dict):
        return {k: _ids(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_ids(v) for v in value]
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, cst.CSTNode):
        return id(value)
    return value


@pytest.fixture(params=REAL_FILES, ids=os.path.basename)
def real_module(request):
    with open(request.param, encoding="utf-8") as handle:
        return cst.parse_module(handle.read())


def test_command_index_from_shared_traversal_equals_its_own_walk(real_module):
    own = commands_index._Index()
    real_module.visit(own)
    shared = Piggyback(commands_index._Index())
    cst.visit_batched(real_module, [shared])
    assert shared.usable()
    for field in ("functions", "class_of", "strings", "line_lists", "constants", "filled_templates", "assignments", "interesting"):
        assert _ids(getattr(shared.inner, field)) == _ids(getattr(own, field)), field
    assert own.strings, "the sample must exercise the index"


def test_code_strings_from_shared_traversal_equal_their_own_walk(real_module):
    own = generated_code._Collector()
    real_module.visit(own)
    shared = Piggyback(generated_code._FlatCollector())
    cst.visit_batched(real_module, [shared])
    assert [id(n) for n in shared.inner.found] == [id(n) for n in own.found]
    assert [id(n) for n in own.found if id(n) in own.percent_templates] == [
        id(n) for n in shared.inner.found if id(n) in shared.inner.percent_templates
    ]


def test_implicit_concatenation_is_one_unit_in_both_collectors():
    module = cst.parse_module('x = "a" f"{y} b" "c"\nz = f"{\'inner\'}"\n')
    own = generated_code._Collector()
    module.visit(own)
    shared = Piggyback(generated_code._FlatCollector())
    cst.visit_batched(module, [shared])
    # the concatenation (nothing inside it), the second f-string and the literal in its field
    assert [type(n).__name__ for n in own.found] == ["ConcatenatedString", "FormattedString", "SimpleString"]
    assert [id(n) for n in shared.inner.found] == [id(n) for n in own.found]


def test_a_failing_collector_is_not_used_and_does_not_stop_the_traversal():
    class Failing:
        def visit_Name(self, node):
            raise ValueError("boom")

    class Counting(cst.BatchableCSTVisitor):
        names = 0

        def visit_Name(self, node):
            Counting.names += 1

    module = cst.parse_module("a = b + c\n")
    failing = Piggyback(Failing())
    cst.visit_batched(module, [failing, Counting()])
    assert failing.broken and not failing.usable()
    assert Counting.names == 3


def test_unfinished_traversal_is_not_used():
    assert not Piggyback(commands_index._Index()).usable()


def test_collectors_join_only_for_rules_that_need_the_models():
    text = 'cmd = ["python", "flow.py", "step", "start", "--run-id", run_id]\n'
    ctx = SourceFile("x.py", text, cst.parse_module(text))
    rules = all_rules()

    def needs(*codes):
        return {need for code in codes for need in rules[code].needs}

    assert len(model_collectors(ctx, needs("MFO003", "MFO024"))) == 2
    assert model_collectors(ctx, needs("MFO045")) == []
    no_command = "x = 1\n"
    ctx = SourceFile("x.py", no_command, cst.parse_module(no_command))
    assert len(model_collectors(ctx, needs("MFO003"))) == 0


def test_findings_do_not_depend_on_the_shared_collection():
    # MFO004 alone: no rule declares node classes, so the model walks by itself; with MFO006 (which does) it is
    # collected in the shared traversal. Same findings either way.
    text = (
        "def build(run_id, step_name, task_id):\n"
        '    cmd = ["python", "flow.py", "step", step_name, "--run-id", run_id, "--task-id", task_id,\n'
        '           "--retry-count", "0"]\n'
        "    return cmd\n"
    )
    alone = [(d.code, d.location.row, d.location.column) for d in lint_text(text, select=["MFO004"])]
    shared = [(d.code, d.location.row, d.location.column) for d in lint_text(text, select=["MFO004", "MFO006"]) if d.code == "MFO004"]
    assert alone and alone == shared


def test_statement_walk_finds_the_assignments_a_full_walk_finds(real_module):
    class Full(cst.CSTVisitor):
        def __init__(self):
            super().__init__()
            self.index = Assignments()

        def visit_Assign(self, node):
            self.index.visit_Assign(node)

        def visit_AnnAssign(self, node):
            self.index.visit_AnnAssign(node)

    full = Full()
    real_module.visit(full)
    fast = Assignments().collect(real_module)
    assert _ids(fast.values) == _ids(full.index.values)
    assert sum(1 for _ in small_statements(real_module)) > 100


def test_statement_walk_prunes_like_a_visitor_returning_false():
    from mfok_lint.rules.mfo043_sibling_absolute_import import _handles_import_error, _imports, _is_main_guard
    from mfok_lint.syntax.statements import statements

    class Finder(cst.CSTVisitor):
        def __init__(self):
            super().__init__()
            self.found = []

        def visit_ExceptHandler(self, node):
            return not _handles_import_error(node)

        def visit_Try(self, node):
            return not any(_handles_import_error(h) for h in node.handlers)

        def visit_If(self, node):
            return not _is_main_guard(node)

        def visit_Import(self, node):
            self.found.append(node)

        def visit_ImportFrom(self, node):
            if not node.relative and node.module is not None:
                self.found.append(node)

    text = (
        "import a\n"
        "try:\n    import b\nexcept ImportError:\n    import c\n"
        "class K:\n    def f(self):\n        from d import e\n"
        "if __name__ == '__main__':\n    import f\nelse:\n    import g\n"
        "if x:\n    import h\nelif __name__ == '__main__':\n    import i\n"
    )
    module = cst.parse_module(text)
    finder = Finder()
    module.visit(finder)
    assert [id(n) for n in _imports(module)] == [id(n) for n in finder.found]
    assert [cst.Module([]).code_for_node(n) for n in _imports(module)] == ["import a", "from d import e", "import h"]
    assert sum(isinstance(n, cst.FunctionDef) for n in statements(module)) == 1


def test_value_scopes_agree_with_the_scope_provider(real_module):
    """``model.values`` resolves names with its own scope walk; on Metaflow's compilers it must find the
    same bindings as libcst's ScopeProvider for every name that is read."""
    from libcst.metadata import MetadataWrapper, ScopeProvider

    from mfok_lint.model.values.tracing import _Scopes

    wrapper = MetadataWrapper(real_module, unsafe_skip_copy=True)
    provider = wrapper.resolve(ScopeProvider)
    ours = _Scopes()
    real_module.visit(ours)

    compared = 0
    for scope in {id(s): s for s in provider.values() if s is not None}.values():
        for access in scope.accesses:
            node = access.node
            if not isinstance(node, cst.Name):
                continue
            # the old tracer's question: every assignment of the name where it is read
            theirs = [a for a in provider[node][node.value] if hasattr(a, "node")]
            found = ours.lookup(node) or []
            def key(kind, node_):
                return (kind, id(node_)) if kind in ("param", "import") else (kind,)

            mine = sorted(key("other" if kind in ("value", "opaque") else kind, first) for kind, first, _ in found)
            libcsts = sorted(
                key("param" if isinstance(a.node, cst.Param) else
                    "import" if isinstance(a.node, (cst.Import, cst.ImportFrom)) else "other", a.node)
                for a in theirs
            )
            assert mine == libcsts, node.value
            compared += 1
    assert compared > 200
