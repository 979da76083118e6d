"""MFO020 sysroot-runtime-override: emitted worker code letting the worker's sysroot beat the compiled one."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO020"

INVALID = [
    Invalid(
        """
        SCRIPT = '''
        root = os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", "{sysroot}")
        '''
        """,
        rows=[3], why="get-default",
    ),
    Invalid(
        """
        def render(sysroot):
            return f'root = os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL") or {sysroot!r}\\n'
        """,
        rows=[3], why="get-or",
    ),
    Invalid(
        """
        SCRIPT = "root = os.getenv('METAFLOW_DATASTORE_SYSROOT_LOCAL', '%s')\\n" % sysroot
        """,
        rows=[2], why="getenv-percent",
    ),
    Invalid(
        """
        SCRIPT = "env.setdefault('METAFLOW_DATASTORE_SYSROOT_LOCAL', %(sysroot)r)\\n"
        """,
        rows=[2], why="setdefault",
    ),
    Invalid(
        """
        BASH = '''#!/bin/bash
        export METAFLOW_DATASTORE_SYSROOT_LOCAL="${{METAFLOW_DATASTORE_SYSROOT_LOCAL:-{sysroot}}}"
        python {flow_file} step {step_name}
        '''
        """,
        rows=[3], why="bash-expansion",
    ),
    Invalid(
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
        rows=[10], why="statement-form",
    ),
]

VALID = [
    # the compiled value set unconditionally
    Valid('SCRIPT = \'os.environ["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = "{sysroot}"\\n\'\n', why="set unconditionally"),
    Valid('BASH = "export METAFLOW_DATASTORE_SYSROOT_LOCAL={sysroot}\\n"\n', why="exported unconditionally"),
    # a literal default, not a captured value
    Valid(
        "SCRIPT = \"env.setdefault('METAFLOW_DATASTORE_SYSROOT_LOCAL', os.path.expanduser('~'))\\n\"\n",
        why="setdefault with a literal default",
    ),
    Valid(
        'BASH = "export X=${METAFLOW_DATASTORE_SYSROOT_LOCAL:-$HOME}\\n"\n', why="bash expansion with a literal default"
    ),
    # the extension's own code (compile time / client side) is not worker-side
    Valid(
        'import os\n\n\ndef sysroot(compiled):\n'
        '    return os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", compiled)\n',
        why="the extension's own code",
    ),
    # prose: docstrings and comments inside generated code
    Valid(
        'def f():\n    """Uses os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", "{sysroot}")."""\n', why="docstring"
    ),
    Valid(
        'SCRIPT = """\n# os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", "{sysroot}")\nx = 1\n"""\n',
        why="comment inside generated code",
    ),
    # a rebinding of something that is not a compiled value
    Valid(
        'SCRIPT = """\nroot = None\nv = os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL")\nif v:\n    root = v\n"""\n',
        why="rebinding of a value that is not compiled",
    ),
    # the extension hands the worker the compiled value itself: the worker's "own" value is the compiled one
    Valid(
        """
        def worker_env(sysroot):
            env = {"METAFLOW_RUN_ID": "x"}
            if sysroot:
                env["METAFLOW_DATASTORE_SYSROOT_LOCAL"] = sysroot
            return env


        READER = '''
        root = os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL", "{sysroot}")
        '''
        """,
        why="the worker environment the extension builds sets the key",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)
