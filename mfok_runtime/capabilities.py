"""What an orchestrator extension can promise, and which promises are mandatory.

Importable by extensions at runtime: depends on nothing but the standard library (no pytest, no metaflow).
An extension declares what it supports with a module-level ``SUPPORTED_CAPABILITIES`` (an iterable of
``Cap`` members or their names) in the module that defines its ``DeployerImpl`` subclass.
"""

from __future__ import annotations

import enum
from typing import FrozenSet, Iterable


class Cap(str, enum.Enum):
    LINEAR_DAG = "LINEAR_DAG"
    BRANCHING = "BRANCHING"
    FOREACH = "FOREACH"
    RETRY = "RETRY"
    CATCH = "CATCH"
    TIMEOUT = "TIMEOUT"
    RESOURCES = "RESOURCES"
    PROJECT_BRANCH = "PROJECT_BRANCH"
    CONFIG_EXPR = "CONFIG_EXPR"
    RUN_PARAMS = "RUN_PARAMS"
    FROM_DEPLOYMENT = "FROM_DEPLOYMENT"
    CONDA = "CONDA"
    NESTED_FOREACH = "NESTED_FOREACH"
    RESUME = "RESUME"
    SCHEDULE = "SCHEDULE"

    def __str__(self) -> str:  # "RETRY", not "Cap.RETRY", in reports
        return self.value


REQUIRED: FrozenSet[Cap] = frozenset(
    {
        Cap.LINEAR_DAG,
        Cap.BRANCHING,
        Cap.FOREACH,
        Cap.RETRY,
        Cap.CATCH,
        Cap.TIMEOUT,
        Cap.RESOURCES,
        Cap.PROJECT_BRANCH,
        Cap.CONFIG_EXPR,
        Cap.RUN_PARAMS,
        Cap.FROM_DEPLOYMENT,
        Cap.CONDA,
    }
)

OPTIONAL: FrozenSet[Cap] = frozenset({Cap.NESTED_FOREACH, Cap.RESUME, Cap.SCHEDULE})


def parse_caps(values: Iterable[object]) -> FrozenSet[Cap]:
    """Normalise a declared capability list (members or names, any case); unknown names raise ValueError."""
    caps = set()
    for value in values:
        if isinstance(value, Cap):
            caps.add(value)
            continue
        name = str(value).strip().upper().replace("-", "_")
        try:
            caps.add(Cap[name])
        except KeyError:
            raise ValueError(f"unknown capability {value!r}; known: {', '.join(c.value for c in Cap)}") from None
    return frozenset(caps)
