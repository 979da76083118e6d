"""MFO020 sysroot-runtime-override: emitted worker code letting the worker's sysroot beat the compiled one."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO020"]) if d.code == "MFO020"]


@pytest.mark.parametrize(
    "source, line",
    [
        (
            """
            SCRIPT = '''
            root = os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", "{sysroot}")
            '''
            """,
            3,
        ),
        (
            """
            def render(sysroot):
                return f'root = os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL") or {sysroot!r}\\n'
            """,
            3,
        ),
        (
            """
            SCRIPT = "root = os.getenv('METAFLOW_DATASTORE_SYSROOT_LOCAL', '%s')\\n" % sysroot
            """,
            2,
        ),
        (
            """
            SCRIPT = "env.setdefault('METAFLOW_DATASTORE_SYSROOT_LOCAL', %(sysroot)r)\\n"
            """,
            2,
        ),
        (
            """
            BASH = '''#!/bin/bash
            export METAFLOW_DATASTORE_SYSROOT_LOCAL="${{METAFLOW_DATASTORE_SYSROOT_LOCAL:-{sysroot}}}"
            python {flow_file} step {step_name}
            '''
            """,
            3,
        ),
        (
            """
            TEMPLATE = '''
            import os
            DATASTORE_ROOT = "{{ vars.DATASTORE_ROOT }}"
            env = {}
            env.update({
            %(env_block)s
            })
            if DATASTORE_TYPE == "local":
                _sysroot = os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL")
                if _sysroot:
                    DATASTORE_ROOT = os.path.join(_sysroot, ".metaflow")
            '''
            """,
            10,
        ),
    ],
    ids=["get-default", "get-or", "getenv-percent", "setdefault", "bash-expansion", "statement-form"],
)
def test_runtime_override_of_compiled_sysroot_is_reported(source, line):
    assert [d.location.row for d in lint(source)] == [line]


@pytest.mark.parametrize(
    "source",
    [
        # the compiled value set unconditionally
        'SCRIPT = \'os.environ["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = "{sysroot}"\\n\'\n',
        'BASH = "export METAFLOW_DATASTORE_SYSROOT_LOCAL={sysroot}\\n"\n',
        # a literal default, not a captured value
        "SCRIPT = \"env.setdefault('METAFLOW_DATASTORE_SYSROOT_LOCAL', os.path.expanduser('~'))\\n\"\n",
        'BASH = "export X=${METAFLOW_DATASTORE_SYSROOT_LOCAL:-$HOME}\\n"\n',
        # the extension's own code (compile time / client side) is not worker-side
        'import os\n\n\ndef sysroot(compiled):\n'
        '    return os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", compiled)\n',
        # prose: docstrings and comments inside generated code
        'def f():\n    """Uses os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", "{sysroot}")."""\n',
        'SCRIPT = """\n# os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", "{sysroot}")\nx = 1\n"""\n',
        # a rebinding of something that is not a compiled value
        'SCRIPT = """\nroot = None\nv = os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL")\nif v:\n    root = v\n"""\n',
    ],
)
def test_correct_or_unrelated_code_is_clean(source):
    assert lint(source) == []
