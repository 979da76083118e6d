"""``model.traverse`` sends a visitor exactly the calls libcst's own walk sends, in the same order.

Every event (node visit and leave, each attribute's visit and leave) is recorded from libcst's ``visit`` /
``visit_batched`` and from ours, over real modules: Metaflow's scheduler compilers and CLI, and standard
library modules with every syntax they use (async, match, decorators, f-strings with format specs, star
imports, walrus, type annotations).
"""

from __future__ import annotations

import inspect
import os
import sysconfig

import libcst as cst
import metaflow
import pytest
from libcst._nodes.base import CSTNode
from libcst.metadata import MetadataWrapper as LibcstWrapper
from libcst.metadata import ParentNodeProvider, ScopeProvider

from mfok_lint.syntax import visiting

METAFLOW = os.path.dirname(metaflow.__file__)
STDLIB = sysconfig.get_paths()["stdlib"]
FILES = [
    os.path.join(METAFLOW, "plugins", "argo", "argo_workflows.py"),
    os.path.join(METAFLOW, "plugins", "argo", "argo_workflows_cli.py"),
    os.path.join(METAFLOW, "runtime.py"),
    os.path.join(STDLIB, "asyncio", "tasks.py"),
    os.path.join(STDLIB, "dataclasses.py"),
    os.path.join(STDLIB, "typing.py"),
    os.path.join(STDLIB, "re", "_parser.py"),
    os.path.join(STDLIB, "string.py"),
]
SNIPPET = '''
from . import *
from os import (path as p, sep)
async def f(x, /, *a, y=1, **k) -> int:
    async with a as b, c:
        async for i in b:
            yield f"{i!r:>{y}} {k=}"
    match x:
        case [1, *rest] if rest: pass
        case {"k": v, **kw}: pass
        case Point(x=0) | None: pass
    if (n := len(a)) > 1: del a[0]
    lambda q, *r: q @ r
    try: pass
    except* ValueError as e: raise
    finally: global g
@decorator(1)
class C(B, metaclass=M):
    z: int = 2
    def m(self): nonlocal_name = [i async for i in x if i]; return {**d}, {1, 2}, (yield)
'''


def _modules():
    for path in FILES:
        with open(path, "rb") as handle:
            yield os.path.basename(path), cst.parse_module(handle.read())
    yield "snippet", cst.parse_module(SNIPPET)


MODULES = list(_modules())
NODE_CLASSES = sorted(
    {cls for cls in vars(cst).values() if isinstance(cls, type) and issubclass(cls, CSTNode)
     and not inspect.isabstract(cls)},
    key=lambda cls: cls.__name__,
)


class GenericRecorder(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_visit(self, node):
        self.events.append(("visit", id(node)))
        return True

    def on_leave(self, node):
        self.events.append(("leave", id(node)))

    def on_visit_attribute(self, node, attribute):
        self.events.append(("visit_attribute", id(node), attribute))

    def on_leave_attribute(self, node, attribute):
        self.events.append(("leave_attribute", id(node), attribute))


def _typed_recorder(base, classes, prune=(), attributes=()):
    """A visitor class with a ``visit_X``/``leave_X`` method per class in ``classes`` (``False`` for ``prune``)
    and ``visit_X_field``/``leave_X_field`` for each (class name, field) in ``attributes``."""
    namespace = {}

    def handler(kind, name, result=None):
        def method(self, node):
            self.events.append((kind, name, id(node)))
            return result

        method.__name__ = f"{kind}_{name}".replace("_attribute", "").replace(".", "_")  # what libcst looks for
        return method

    for cls in classes:
        name = cls.__name__
        namespace[f"visit_{name}"] = handler("visit", name, False if name in prune else None)
        namespace[f"leave_{name}"] = handler("leave", name)
    for name, field in attributes:
        namespace[f"visit_{name}_{field}"] = handler("visit_attribute", f"{name}.{field}")
        namespace[f"leave_{name}_{field}"] = handler("leave_attribute", f"{name}.{field}")

    def __init__(self, events=None):
        base.__init__(self)
        self.events = [] if events is None else events

    namespace["__init__"] = __init__
    return type("Typed", (base,), namespace)


NON_TOKEN = [cls for cls in NODE_CLASSES if cls not in visiting._TOKEN_CLASSES]
SOME_ATTRIBUTES = [("Call", "func"), ("Call", "whitespace_after_func"), ("Param", "default"),
                   ("FormattedStringExpression", "format_spec"), ("ImportFrom", "names"), ("If", "orelse")]


def _assert_same_events(module, make_visitor, at_least):
    ours, theirs = make_visitor(), make_visitor()
    module.visit(theirs)
    visiting.visit(module, ours)
    assert len(theirs.events) > at_least  # the comparison must have something to compare
    assert ours.events == theirs.events


@pytest.mark.parametrize("name,module", MODULES, ids=[name for name, _ in MODULES])
def test_generic_visitor_gets_every_event_in_libcst_order(name, module):
    _assert_same_events(module, GenericRecorder, 1000)


@pytest.mark.parametrize("name,module", MODULES, ids=[name for name, _ in MODULES])
@pytest.mark.parametrize(
    "classes,prune,attributes",
    [
        (NODE_CLASSES, (), SOME_ATTRIBUTES),  # every class: whitespace and punctuation are walked
        (NON_TOKEN, (), SOME_ATTRIBUTES),  # no token handler: their subtrees are skipped, unseen
        (NON_TOKEN, ("FunctionDef", "Call", "FormattedString"), ()),  # pruning, leave still called
    ],
    ids=["all-classes", "no-token-classes", "pruning"],
)
def test_typed_visitor_methods_in_libcst_order(name, module, classes, prune, attributes):
    _assert_same_events(module, _typed_recorder(cst.CSTVisitor, classes, prune, attributes), 50)


@pytest.mark.parametrize("name,module", MODULES, ids=[name for name, _ in MODULES])
def test_batched_visitors_in_libcst_order(name, module):
    first = _typed_recorder(cst.BatchableCSTVisitor, NON_TOKEN[::2], attributes=SOME_ATTRIBUTES)
    second = _typed_recorder(cst.BatchableCSTVisitor, NON_TOKEN[::3])
    theirs, ours = [], []
    cst.visit_batched(module, [first(theirs), second(theirs)])
    visiting.visit_batched(module, [first(ours), second(ours)])
    assert len(theirs) > 100
    assert ours == theirs


def test_a_class_of_unknown_shape_is_walked_by_libcst(monkeypatch):
    monkeypatch.setitem(visiting._fields_by_class, cst.Call, None)
    monkeypatch.setitem(visiting._fields_by_class, cst.Module, None)
    _assert_same_events(dict(MODULES)["snippet"], GenericRecorder, 100)


def test_field_order_is_read_from_libcst():
    assert visiting.child_fields(cst.Call) == (
        ("lpar", False), ("func", False), ("whitespace_after_func", False), ("whitespace_before_args", False),
        ("args", False), ("rpar", False),
    )
    guarded = dict(visiting.child_fields(cst.FormattedStringExpression))
    assert guarded["format_spec"] is True and guarded["expression"] is False
    assert [field for field, _ in visiting.child_fields(cst.ImportFrom)].count("names") == 1


@pytest.mark.parametrize("name,module", MODULES, ids=[name for name, _ in MODULES])
def test_token_subtrees_hold_only_tokens(name, module):
    """Skipping whitespace and punctuation subtrees is sound only if nothing else can be inside them."""
    stack = [(module, False)]
    tokens_met = 0
    while stack:
        node, under_token = stack.pop()
        is_token = type(node) in visiting._TOKEN_CLASSES
        assert is_token or not under_token, f"{type(node).__name__} inside a token subtree"
        tokens_met += is_token
        stack.extend((child, under_token or is_token) for child in node.children)
    assert tokens_met > 50


@pytest.mark.parametrize("name,module", MODULES[1:2] + MODULES[-1:], ids=[MODULES[1][0], MODULES[-1][0]])
def test_metadata_providers_resolve_the_same(name, module):
    theirs = LibcstWrapper(module, unsafe_skip_copy=True).resolve_many([ParentNodeProvider, ScopeProvider])
    ours = visiting.MetadataWrapper(module, unsafe_skip_copy=True).resolve_many([ParentNodeProvider, ScopeProvider])
    assert {id(k): id(v) for k, v in ours[ParentNodeProvider].items()} == {
        id(k): id(v) for k, v in theirs[ParentNodeProvider].items()
    }

    def accesses(scopes):
        by_node = {id(node): (type(scope).__name__, id(getattr(scope, "node", None))) for node, scope in scopes.items()}
        found = set()
        for scope in {id(scope): scope for scope in scopes.values() if scope is not None}.values():
            for access in scope.accesses:
                referents = tuple(sorted(id(getattr(r, "node", None)) for r in access.referents))
                found.add((id(access.node), referents))
        return by_node, found

    assert accesses(ours[ScopeProvider]) == accesses(theirs[ScopeProvider])


def test_transformers_are_refused():
    with pytest.raises(TypeError, match="read-only"):
        visiting.visit(dict(MODULES)["snippet"], cst.CSTTransformer())


def test_handlers_read_per_class_are_what_libcst_finds_on_the_instance():
    """Every visitor class of the linter's models and rules, and libcst's metadata providers: the same methods
    libcst would find on an instance by name (``get_visitors`` / ``on_visit``)."""
    import importlib
    import inspect
    import pkgutil

    import mfok_lint.model
    import mfok_lint.rules

    classes = {ParentNodeProvider, ScopeProvider}
    for package in (mfok_lint.model, mfok_lint.rules):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for _, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, (cst.CSTVisitor, cst.BatchableCSTVisitor)) and value.__module__ == module.__name__:
                    classes.add(value)
    checked = 0
    for visitor_class in classes:
        if issubclass(visitor_class, cst.BatchableCSTVisitor):
            if visitor_class.get_visitors is not cst.BatchableCSTVisitor.get_visitors:
                continue
        expected = {
            name for name in dir(visitor_class)
            if name.startswith(("visit_", "leave_")) and not getattr(getattr(visitor_class, name), "_is_no_op", False)
        }
        assert set(visiting._class_handlers(visitor_class)) == expected, visitor_class
        checked += 1
    assert checked >= 10


def test_visitor_classes_made_per_call_are_not_kept_alive():
    """Rules define visitor classes inside functions; a cache keyed by class must not hold every one of them."""
    import gc

    module = dict(MODULES)["snippet"]

    def lint_once():
        class Plain(cst.CSTVisitor):
            def visit_Call(self, node):
                pass

        class Batched(cst.BatchableCSTVisitor):
            def visit_Name(self, node):
                pass

        visiting.visit(module, Plain())
        visiting.visit_batched(module, [Batched()])

    lint_once()
    gc.collect()
    before = len(visiting._handlers_by_class), len(visiting._visitor_classes)
    for _ in range(200):
        lint_once()
    gc.collect()
    assert (len(visiting._handlers_by_class), len(visiting._visitor_classes)) == before
