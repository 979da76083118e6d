"""MFO019 host-pythonpath-leak: the deployer's import path shipped into worker environments."""

from __future__ import annotations

import textwrap

import pytest

from mfok_lint.lint.check import lint_text

PATH = "metaflow_extensions/acme/plugins/acme/acme_compiler.py"


def lint(source: str):
    return [d for d in lint_text(textwrap.dedent(source), path=PATH, select=["MFO019"]) if d.code == "MFO019"]


@pytest.mark.parametrize(
    "source, origin",
    [
        (
            """
            import os

            def worker_env():
                env = {"METAFLOW_DEFAULT_DATASTORE": "s3"}
                env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
                return env
            """,
            'os.environ.get("PYTHONPATH", "")',
        ),
        (
            """
            import os
            import sys

            def container_spec():
                search_path = os.pathsep.join(sys.path)
                return {"env": [{"name": "PYTHONPATH", "value": search_path},
                                {"name": "METAFLOW_DEFAULT_METADATA", "value": "service"}]}
            """,
            "sys.path",
        ),
        (
            """
            import os

            def script(run_id):
                return "export PYTHONPATH=%s\\npython flow.py init --run-id %s" % (os.environ["PYTHONPATH"], run_id)
            """,
            'os.environ["PYTHONPATH"]',
        ),
        (
            """
            import site

            def script():
                return f"export PYTHONPATH={':'.join(site.getsitepackages())}\\npython flow.py"
            """,
            "getsitepackages(",
        ),
    ],
    ids=["env-subscript", "container-spec", "bash-percent", "bash-fstring"],
)
def test_reports_host_path(source, origin):
    found = lint(source)
    assert len(found) == 1, found
    assert origin in found[0].message


@pytest.mark.parametrize(
    "source",
    [
        # the worker extends its own path
        """
        def script():
            return "export PYTHONPATH=$PYTHONPATH:/app\\nexport RUN_ID=%s" % run_id
        """,
        # a fixed path inside the worker image
        """
        def worker_env():
            return {"METAFLOW_DEFAULT_DATASTORE": "s3", "PYTHONPATH": "/opt/flow"}
        """,
        # the deployer launching its own CLI locally keeps its own path: same machine
        """
        import os
        import subprocess

        def create(flow_file):
            env = dict(os.environ)
            env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
            subprocess.run(["python", flow_file, "acme", "create"], env=env, check=True)
        """,
        # explained, not done
        """
        def worker_env():
            '''Never copies os.environ["PYTHONPATH"] into the worker.'''
            # PYTHONPATH = os.environ["PYTHONPATH"] would leak the host path
            return {"METAFLOW_DEFAULT_DATASTORE": "s3"}
        """,
    ],
    ids=["worker-own-path", "image-path", "local-subprocess", "comment-docstring"],
)
def test_clean_code(source):
    assert lint(source) == []
