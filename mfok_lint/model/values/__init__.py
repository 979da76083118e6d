"""The value model: where does a value in the extension's code come from, and where does it go?

``tracing``: what a value is (a constant, a scheduler counter, unknown) and what computed it (``trace``,
``trace_token``, ``trace_origin``), through the file's scopes, same-module call sites and imports of the
extension's own modules. ``reaching``: a function's statements in order and the definitions of a name that reach
one of them. ``tuples``: where a tuple (a click multi-value option, or one built in the code) reaches code that
requires a list.
"""

from mfok_lint.model.values.tracing import (
    COUNTER_NAMES,
    UNKNOWN,
    Assignments,
    Source,
    combine,
    small_statements,
    trace,
    trace_origin,
    trace_text,
    trace_token,
    traced_option_values,
)
from mfok_lint.model.values.tuples import TUPLE_FLOW_NODES, TupleFlow, TupleFlows, tuple_flows

__all__ = [
    "COUNTER_NAMES", "UNKNOWN", "Assignments", "Source", "combine", "small_statements", "trace",
    "trace_origin", "trace_text", "trace_token", "traced_option_values", "TUPLE_FLOW_NODES", "TupleFlow",
    "TupleFlows", "tuple_flows",
]
