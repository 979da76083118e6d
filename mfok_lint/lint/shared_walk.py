"""The one shared traversal of a Python unit: the node index the rules declared, and the models that ride along.

Every walk of a libcst tree visits every node; on large modules one walk costs tens of milliseconds, about what
all the rules' checks of that file cost together. When some active rule declares node classes in its ``needs``,
the engine walks the module once for all of them (``syntax.node_index``), and the models the active rules need
(the command model's index for ``"commands"``, the generated-code strings for ``"code_strings"``) are collected in
the same walk instead of by one of their own.

Decisions:
* **Speculative, never required.** A model collector rides along only when the walk happens anyway, and the
  model checks ``usable()`` before taking the result and otherwise walks on its own when a rule asks for it, so
  a rule never depends on this pass having happened.
* **Failures stay where they were.** A collector that raises inside the shared traversal stops collecting and is
  marked broken (``syntax.visiting.Piggyback``), instead of ending the traversal for every rule; the model then
  walks on its own at the moment a rule asks, so the error is raised (and attributed to that rule) exactly as
  without this pass. A traversal that ends early (a recursion error) never reaches ``leave_Module``, so its
  partial result is never used either.
"""

from __future__ import annotations

from typing import AbstractSet, List

import libcst as cst


def model_collectors(ctx, needs: AbstractSet[object]) -> List[cst.BatchableCSTVisitor]:
    """Collectors of the file models these ``needs`` ask for, to join the shared traversal."""
    visitors: List[cst.BatchableCSTVisitor] = []
    if "commands" in needs:
        from mfok_lint.model.commands import index_collector

        collector = index_collector(ctx)
        if collector is not None:
            visitors.append(collector)
    if "code_strings" in needs:
        from mfok_lint.model.generated_code import strings_collector

        visitors.append(strings_collector(ctx))
    return visitors
