"""Read-only libcst traversals that do not rebuild the tree.

``CSTNode.visit`` is written for transformers: even for a read-only ``CSTVisitor`` it calls
``_visit_and_replace_children``, which constructs, validates and returns a new copy of every node it passes,
and routes every child through ``on_visit_attribute``/``on_leave_attribute``. On the modules that build
Metaflow commands that rebuilding is most of a lint run's CPU (a walk of ``argo_workflows.py`` rebuilds
~270,000 nodes). ``visit`` and ``visit_batched`` here send a visitor the same calls in the same order (node
visit, each child field's attribute events, children, node leave; a ``visit_`` method returning ``False``
prunes the children but not the leave), while only reading the tree.

Decisions:
* **The order is libcst's own.** Which fields a node visits, and in what order, is read once per node class
  from the source of its ``_visit_and_replace_children`` (every one of them is a constructor call whose
  keyword arguments are ``visit_required/optional/sentinel/sequence/...(self, "field", ...)`` calls, evaluated
  left to right). A class whose source cannot be read, or does not have that shape, is walked by libcst's
  own ``visit`` for its subtree, so an unexpected libcst release is slower, never different.
* **Events for absent children.** libcst sends attribute events for a ``None`` or ``MaybeSentinel`` child
  (nothing to visit, but the attribute is announced), except where a node guards the call with
  ``if <field> is not None`` (an f-string's ``format_spec``); both are reproduced.
* **Dispatch is resolved per visitor class**, the way ``CSTVisitor.on_visit`` would find it by name, with
  libcst's no-op stubs dropped. A visitor that overrides ``on_visit``/``on_leave``/the attribute hooks
  gets those overrides called instead.
* ``tests/model/test_traverse.py`` records every event of libcst's walk and of this one, for plain and
  batched visitors, over Metaflow's and the standard library's sources, and requires them to be identical.
"""

from __future__ import annotations

import inspect
import re
import textwrap
import weakref
from contextlib import ExitStack
from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

import libcst as cst
from libcst._nodes.base import CSTNode
from libcst.metadata import MetadataWrapper as _LibcstMetadataWrapper

__all__ = ["MetadataWrapper", "child_fields", "visit", "visit_batched"]

# A field of a node class: its name, and whether a ``None`` value skips the attribute events too.
_Field = Tuple[str, bool]
_CHILD_CALL = re.compile(
    r"\bvisit_(?:required|optional|sentinel|sequence|iterable|body_sequence|body_iterable)\(\s*self,\s*\"(\w+)\""
)
# Anything else in the method body that could visit (a nested ``.visit(`` or a helper called another way).
_OTHER_VISIT = re.compile(r"\.visit\(|(?<![\w.])visit_\w+\((?!\s*self,\s*\")")
_fields_by_class: Dict[type, Optional[Tuple[_Field, ...]]] = {}


def _token_classes() -> FrozenSet[type]:
    """Whitespace, comments, operators and brackets: nodes whose subtrees hold nothing but more of them."""
    from libcst._nodes import op, whitespace

    found = set()
    for module in (op, whitespace):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, CSTNode) and not inspect.isabstract(value):
                if value.__module__ == module.__name__:
                    found.add(value)
    brackets = ("LeftParen", "RightParen", "LeftSquareBracket", "RightSquareBracket", "LeftCurlyBrace", "RightCurlyBrace")
    found.update(getattr(cst, name) for name in brackets)
    return frozenset(found)


_TOKEN_CLASSES = _token_classes()
_TOKEN_CLASS_NAMES = frozenset(cls.__name__ for cls in _TOKEN_CLASSES)


def _read_fields(cls: type) -> Optional[Tuple[_Field, ...]]:
    try:
        source = textwrap.dedent(inspect.getsource(cls._visit_and_replace_children))  # type: ignore[attr-defined]
    except (OSError, TypeError):
        return None
    body = source.split("\n", 1)[1] if "\n" in source else ""
    if _OTHER_VISIT.search(body) or "for " in body:
        return None
    fields: List[_Field] = []
    for name in _CHILD_CALL.findall(body):
        if fields and fields[-1][0] == name:
            continue  # ``names=(visit_required(...) if ... else visit_sequence(...))``: one field, two spellings
        if any(existing == name for existing, _ in fields):
            return None
        guarded = f"if {name} is not None" in body or f"if self.{name} is not None" in body
        fields.append((name, guarded))
    return tuple(fields)


def child_fields(cls: type) -> Optional[Tuple[_Field, ...]]:
    """The child fields libcst visits on nodes of ``cls``, in its order; None when unknown (walk with libcst)."""
    try:
        return _fields_by_class[cls]
    except KeyError:
        found = _fields_by_class[cls] = _read_fields(cls)
        return found


def _no_op(method: object) -> bool:
    return method is None or getattr(method, "_is_no_op", False)


class _Dispatch:
    """Callbacks for one walk: per node class, the visit/leave calls and, per field, the attribute calls."""

    def __init__(
        self,
        visits: Callable[[str], Sequence[Callable[[CSTNode], object]]],
        leaves: Callable[[str], Sequence[Callable[[CSTNode], object]]],
        attributes: Optional[Callable[[str, str, str], Sequence[Callable[[CSTNode], object]]]],
        prunes: bool,
        handler_names: Iterable[str] = (),
        generic: bool = False,
    ) -> None:
        self._visits = visits
        self._leaves = leaves
        self._attributes = attributes
        self.prunes = prunes
        # Subtrees of whitespace and punctuation are skipped when no callback could see anything in them.
        handled = {name.split("_")[1] for name in handler_names if name.count("_") >= 1}
        self.skipped = frozenset() if generic or handled & _TOKEN_CLASS_NAMES else _TOKEN_CLASSES
        self.node_calls: Dict[type, Tuple[Sequence[Callable], Sequence[Callable]]] = {}
        self.attribute_calls: Dict[Tuple[type, str], Tuple[Sequence[Callable], Sequence[Callable]]] = {}

    def for_node(self, cls: type) -> Tuple[Sequence[Callable], Sequence[Callable]]:
        calls = self.node_calls.get(cls)
        if calls is None:
            name = cls.__name__
            calls = self.node_calls[cls] = (tuple(self._visits(name)), tuple(self._leaves(name)))
        return calls

    def for_attribute(self, cls: type, field: str) -> Tuple[Sequence[Callable], Sequence[Callable]]:
        key = (cls, field)
        calls = self.attribute_calls.get(key)
        if calls is None:
            assert self._attributes is not None
            name = cls.__name__
            calls = self.attribute_calls[key] = (
                tuple(self._attributes("visit", name, field)),
                tuple(self._attributes("leave", name, field)),
            )
        return calls


def _has_attribute_methods(names: Iterable[str]) -> bool:
    # ``visit_<Node>_<field>``: an underscore after the node name, which node names (CamelCase) never contain.
    return any(name.count("_") >= 2 for name in names)


# Visitor classes are often defined inside the function that uses them, so a new class per call: weak keys let
# each one (and the closures its methods hold) go with its last visitor instead of living as long as the process.
_handlers_by_class: "weakref.WeakKeyDictionary[type, Dict[str, Callable]]" = weakref.WeakKeyDictionary()


def _class_handlers(cls: type) -> Dict[str, Callable]:
    """The ``visit_*``/``leave_*`` functions a visitor class defines, libcst's no-op stubs left out."""
    found = _handlers_by_class.get(cls)
    if found is None:
        found = _handlers_by_class[cls] = {}
        # Read each class's own namespace, nearest first, instead of ``dir()``: libcst's bases define a no-op
        # stub for every node and attribute, and visitor classes made inside functions are new on every call.
        seen = set()
        for klass in cls.__mro__:
            if klass.__module__ == "libcst._typed_visitor":
                continue  # the classes of no-op stubs, one per node and attribute
            for name, value in vars(klass).items():
                if name in seen:
                    continue
                seen.add(name)
                if name.startswith(("visit_", "leave_")):
                    function = getattr(cls, name, None)
                    if callable(function) and not _no_op(function):
                        found[name] = function
    return found


class _VisitorClass:
    """What a visitor class answers to, looked up by name once per class as ``CSTVisitor.on_visit`` would."""

    def __init__(self, cls: type) -> None:
        self.overrides_visit = cls.on_visit is not cst.CSTVisitor.on_visit
        self.overrides_leave = cls.on_leave is not cst.CSTVisitor.on_leave
        self.overrides_attributes = (
            cls.on_visit_attribute is not cst.CSTVisitor.on_visit_attribute
            or cls.on_leave_attribute is not cst.CSTVisitor.on_leave_attribute
        )
        self.handlers = _class_handlers(cls)
        self.attribute_methods = _has_attribute_methods(self.handlers)


_visitor_classes: "weakref.WeakKeyDictionary[type, _VisitorClass]" = weakref.WeakKeyDictionary()


def _visitor_dispatch(visitor: cst.CSTVisitor) -> _Dispatch:
    cls = type(visitor)
    known = _visitor_classes.get(cls)
    if known is None:
        known = _visitor_classes[cls] = _VisitorClass(cls)
    handlers = known.handlers

    def lookup(name: str) -> List[Callable]:
        function = handlers.get(name)
        return [] if function is None else [function.__get__(visitor, cls)]

    if known.overrides_visit:
        def visits(name: str) -> List[Callable]:
            # libcst descends when ``on_visit`` returns anything truthy; a handler prunes only on ``False``.
            return [lambda node: bool(visitor.on_visit(node))]
    else:
        def visits(name: str) -> List[Callable]:
            return lookup(f"visit_{name}")

    if known.overrides_leave:
        def leaves(name: str) -> List[Callable]:
            return [visitor.on_leave]
    else:
        def leaves(name: str) -> List[Callable]:
            return lookup(f"leave_{name}")

    attributes = None
    if known.overrides_attributes:
        def attributes(prefix: str, name: str, field: str) -> List[Callable]:
            hook = visitor.on_visit_attribute if prefix == "visit" else visitor.on_leave_attribute
            return [lambda node: hook(node, field)]
    elif known.attribute_methods:
        def attributes(prefix: str, name: str, field: str) -> List[Callable]:
            return lookup(f"{prefix}_{name}_{field}")

    generic = known.overrides_visit or known.overrides_leave or known.overrides_attributes
    return _Dispatch(visits, leaves, attributes, prunes=True, handler_names=handlers, generic=generic)


def _batched_dispatch(visitors: Iterable[cst.BatchableCSTVisitor]) -> _Dispatch:
    methods: Dict[str, List[Callable]] = {}
    for batchable in visitors:
        cls = type(batchable)
        if cls.get_visitors is cst.BatchableCSTVisitor.get_visitors:
            # libcst's ``get_visitors`` inspects the instance on every call; the class answers the same.
            found = {name: function.__get__(batchable, cls) for name, function in _class_handlers(cls).items()}
        else:
            found = dict(batchable.get_visitors())
        for name, method in sorted(found.items()):
            methods.setdefault(name, []).append(method)
    attributes = None
    if _has_attribute_methods(methods):
        def attributes(prefix: str, name: str, field: str) -> List[Callable]:
            return methods.get(f"{prefix}_{name}_{field}", [])
    return _Dispatch(
        lambda name: methods.get(f"visit_{name}", []),
        lambda name: methods.get(f"leave_{name}", []),
        attributes,
        prunes=False,
        handler_names=methods,
    )


def _fallback(node: CSTNode, dispatch: _Dispatch) -> None:
    """libcst's own walk of one subtree, for a node class whose fields are not known."""

    class _Replay(cst.CSTVisitor):
        def on_visit(self, inner: CSTNode) -> bool:
            descend = True
            for call in dispatch.for_node(type(inner))[0]:
                if call(inner) is False and dispatch.prunes:
                    descend = False
            return descend

        def on_leave(self, inner: CSTNode) -> None:
            for call in dispatch.for_node(type(inner))[1]:
                call(inner)

        def on_visit_attribute(self, inner: CSTNode, field: str) -> None:
            if dispatch._attributes is not None:
                for call in dispatch.for_attribute(type(inner), field)[0]:
                    call(inner)

        def on_leave_attribute(self, inner: CSTNode, field: str) -> None:
            if dispatch._attributes is not None:
                for call in dispatch.for_attribute(type(inner), field)[1]:
                    call(inner)

    node.visit(_Replay())


_UNSEEN = object()


def _walk(root: CSTNode, dispatch: _Dispatch) -> None:
    node_calls = dispatch.node_calls
    for_node = dispatch.for_node
    for_attribute = dispatch.for_attribute
    known_fields = _fields_by_class
    skipped = dispatch.skipped
    prunes = dispatch.prunes
    with_attributes = dispatch._attributes is not None

    def walk(node: CSTNode) -> None:
        cls = type(node)
        fields = known_fields.get(cls, _UNSEEN)
        if fields is _UNSEEN:
            fields = child_fields(cls)
        if fields is None:
            _fallback(node, dispatch)
            return
        visits, leaves = node_calls.get(cls) or for_node(cls)
        descend = True
        for call in visits:
            if call(node) is False and prunes:
                descend = False
        if descend:
            for field, guarded in fields:
                value = getattr(node, field)
                if with_attributes:
                    if value is None and guarded:
                        continue
                    before, after = for_attribute(cls, field)
                    for call in before:
                        call(node)
                if isinstance(value, CSTNode):
                    if type(value) not in skipped:
                        walk(value)
                elif isinstance(value, (tuple, list)):
                    for child in value:
                        if type(child) not in skipped:
                            walk(child)
                if with_attributes:
                    for call in after:
                        call(node)
        for call in leaves:
            call(node)

    walk(root)


def visit(node: CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a read-only visitor, without rebuilding the tree."""
    if not isinstance(visitor, cst.CSTVisitor):
        raise TypeError(f"traverse.visit takes a read-only CSTVisitor, not {type(visitor).__name__}")
    _walk(node, _visitor_dispatch(visitor))


def visit_batched(node: CSTNode, visitors: Iterable[cst.BatchableCSTVisitor]) -> None:
    """``libcst.visit_batched(node, visitors)`` without rebuilding the tree (metadata is not resolved here)."""
    _walk(node, _batched_dispatch(visitors))


class MetadataWrapper(_LibcstMetadataWrapper):
    """libcst's ``MetadataWrapper`` whose batched walks (the engine's shared traversal, and the batchable
    metadata providers such as ``ParentNodeProvider`` and ``ScopeProvider`` that ``resolve`` runs) do not
    rebuild the tree. Walks a provider starts on its own (``ScopeProvider``'s inner visitor) are libcst's."""

    def visit_batched(self, visitors, before_visit=None, after_leave=None):  # type: ignore[override]
        if before_visit is not None or after_leave is not None:
            return super().visit_batched(visitors, before_visit, after_leave)
        visitors = list(visitors)
        with ExitStack() as stack:
            for visitor in visitors:
                stack.enter_context(visitor.resolve(self))
            visit_batched(self.module, visitors)
        return self.module


class Piggyback(cst.BatchableCSTVisitor):
    """Runs a collector's ``visit_*``/``leave_*`` methods in a batched traversal, guarded (see module doc)."""

    def __init__(self, inner: object) -> None:
        super().__init__()
        self.inner = inner
        self.complete = False
        self.broken = False

    def usable(self) -> bool:
        return self.complete and not self.broken

    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        methods: Dict[str, Callable[[cst.CSTNode], None]] = {}
        for name in dir(type(self.inner)):
            if not (name.startswith("visit_") or name.startswith("leave_")):
                continue
            method = getattr(self.inner, name)
            if getattr(method, "_is_no_op", False) or not callable(method):
                continue
            methods[name] = self._guard(method)
        finish = methods.get("leave_Module")

        def leave_module(node: cst.CSTNode) -> None:
            if finish is not None:
                finish(node)
            self.complete = True

        methods["leave_Module"] = leave_module
        return methods

    def _guard(self, method: Callable[[cst.CSTNode], object]) -> Callable[[cst.CSTNode], None]:
        def guarded(node: cst.CSTNode) -> None:
            if self.broken:
                return
            try:
                method(node)
            except RecursionError:
                raise  # the file's depth, not the collector's fault: the engine reports it for the whole file
            except Exception:  # noqa: BLE001 - re-raised by the model's own walk, in the rule that asks
                self.broken = True

        return guarded
