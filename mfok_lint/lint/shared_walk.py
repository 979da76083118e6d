"""File models collected during the engine's one shared traversal instead of by a walk of their own.

Every walk of a libcst tree visits, and rebuilds, every node; on large modules one walk costs tens of
milliseconds, about what all the rules' checks of that file cost together. The command model's index and the
generated-code string collector each used to walk the module again after the shared traversal. Here they ride
along in it.

Decisions:
* **Speculative, never required.** A model is collected on the side only when the file already gets a shared
  traversal (some active rule has a visitor), an active rule may ask for it (judged once per rule class from
  what its module uses), and the model's own text test passes. The model checks ``usable()`` before taking
  the result and otherwise walks as before, so a rule never depends on this pass having happened.
* **Failures stay where they were.** A collector that raises inside the shared traversal stops collecting
  and is marked broken, instead of ending the traversal for every rule; the model then walks on its own at
  the moment a rule asks, so the error is raised (and attributed to that rule) exactly as without this pass.
  A traversal that ends early (a recursion error) never reaches ``leave_Module``, so its partial result is
  never used either.
* **Only non-pruning collectors.** Batched visitors cannot skip a subtree; a collector used here must give the
  same result without returning ``False`` from a ``visit_`` method.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Dict, FrozenSet, List, Sequence

import libcst as cst


def _modules_used(rule: object) -> FrozenSet[str]:
    cached = _USED.get(type(rule))
    if cached is None:
        module = sys.modules.get(type(rule).__module__)
        names = set()
        for value in vars(module).values() if module is not None else ():
            owner = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
            if isinstance(owner, str):
                names.add(owner)
        for klass in type(rule).__mro__:
            names.add(klass.__module__)
        cached = _USED[type(rule)] = frozenset(names)
    return cached


_USED: Dict[type, FrozenSet[str]] = {}


def _any_rule_uses(rules: Sequence[object], modules: FrozenSet[str]) -> bool:
    return any(_modules_used(rule) & modules for rule in rules)


_COMMAND_MODULES = frozenset(
    {"mfok_lint.model.commands", "mfok_lint.model.command_evidence", "mfok_lint.rules.command_rule"}
)
_GENCODE_MODULES = frozenset({"mfok_lint.model.generated_code", "mfok_lint.model.processes"})


def piggyback_visitors(ctx, rules: Sequence[object]) -> List[cst.BatchableCSTVisitor]:
    """Collectors of the file models the active ``rules`` may ask for, to join the shared traversal."""
    visitors: List[cst.BatchableCSTVisitor] = []
    if _any_rule_uses(rules, _COMMAND_MODULES):
        from mfok_lint.model.commands import index_collector

        collector = index_collector(ctx)
        if collector is not None:
            visitors.append(collector)
    if _any_rule_uses(rules, _GENCODE_MODULES):
        from mfok_lint.model.generated_code import strings_collector

        visitors.append(strings_collector(ctx))
    return visitors
