"""Every call of a function in the package, code and generated code: what each passes, or None when unreadable."""

from __future__ import annotations

import os
import textwrap

from mfok_lint.model.package_calls import package_calls
from mfok_lint.model.package_code import PackageCode, package_scope
from mfok_lint.syntax import cstparse
from mfok_lint.syntax.source_file import SourceFile

PLUGIN = "metaflow_extensions/acme/plugins/acme/"


def _calls(tmp_path, files, name, own=PLUGIN + "codegen.py"):
    for rel, text in {PLUGIN + "__init__.py": "", **files}.items():
        path = os.path.join(str(tmp_path), rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text))
    path = os.path.join(str(tmp_path), own)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    source = SourceFile(path, text, cstparse.parse_module(text))
    sites = package_calls(PackageCode(source, package_scope(path)), name)
    return None if sites is None else [(site.in_string, site.positional, site.keywords) for site in sites]


def test_calls_in_code_and_in_emitted_lines(tmp_path):
    files = {
        PLUGIN + "codegen.py": '''
            HELPERS = """
            def _cmd(name, run_id, retry_count=0):
                return [name, run_id, str(retry_count)]
            """

            def body(step):
                lines = ["run(_cmd(", "    %r, run_id," % step.name]
                if step.foreach:
                    lines.append("    retry_count=attempt,")
                lines.append("))")
                return lines
        ''',
        PLUGIN + "worker.py": "from .codegen import _cmd\n\ndef go(ti):\n    return _cmd('a', 'r', ti.try_number)\n",
    }
    assert sorted(_calls(tmp_path, files, "_cmd")) == [
        (False, ["'a'", "'r'", "ti.try_number"], {}),
        (True, ["ǁ", "run_id"], {"retry_count": "attempt"}),
    ]


def test_a_docstring_mention_is_no_call_and_a_value_mention_is_unknown(tmp_path):
    files = {
        PLUGIN + "codegen.py": '''
            def body():
                """Emits ``_cmd(...)`` lines."""
                return ["_cmd(name)"]
        ''',
    }
    assert _calls(tmp_path, files, "_cmd") == [(True, ["name"], {})]
    files[PLUGIN + "worker.py"] = "from .codegen import _cmd\nHANDLERS = {'step': _cmd}\n"
    assert _calls(tmp_path, files, "_cmd") is None


def test_unreadable_emissions_are_unknown(tmp_path):
    shapes = [
        'return ["_cmd(" + arguments + ")"]',  # concatenated with a variable
        'return ["_cmd(%s)" % arguments]',  # a placeholder that may be several arguments
        'lines = ["_cmd("]\n    lines.extend(more)\n    lines.append(")")\n    return lines',  # lines from a variable
        'return ["_cmd(", "name,"]',  # never closed where it is seen
        'return ["_cmd(*args)"]',
    ]
    for shape in shapes:
        files = {PLUGIN + "codegen.py": f"def body(arguments, more):\n    {shape}\n"}
        assert _calls(tmp_path, files, "_cmd") is None, shape
