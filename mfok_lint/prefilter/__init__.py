"""The prefilter: cheap tests that decide, before any parse, which rules can report in a file.

A rule declares its ``triggers`` as one expression over the tests here, and the engine runs the rule only on
files where the expression holds (a file no rule wants is never given to libcst). Tests compose with ``|``
(either) and ``&`` (both):

    triggers = Text(b"retry-count") & CommandText()
    triggers = InExtensionPackage() & SiblingImport()

A test must be a *superset* of the rule's question: a file it turns away cannot hold a finding of that rule.
That is what makes the speed safe, so every test beyond a plain text search says in its docstring why it is a
superset, and the rule's test cases include files at its edge. Tests that look beside the file read other files
through ``mfok_lint.core.dependencies``, so a cached result follows those files.

The tests themselves live in this package, never in a rule module: ``text`` (bytes and regexes), ``paths``
(where a file sits), ``commands`` (can the file build a Metaflow command) and ``screens`` (questions answered on
CPython's ``ast``, about a tenth of a libcst parse).
"""

from mfok_lint.prefilter.base import ALWAYS, Trigger
from mfok_lint.prefilter.commands import CommandText
from mfok_lint.prefilter.paths import InExtensionPackage, InPluginsPackage, OutsideMetaflowCore
from mfok_lint.prefilter.text import Text

__all__ = [
    "ALWAYS", "Trigger", "Text", "CommandText", "InExtensionPackage", "InPluginsPackage", "OutsideMetaflowCore",
]
