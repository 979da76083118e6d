"""MFO019 host-pythonpath-leak: the deployer's import path shipped into worker environments."""

from __future__ import annotations

from tests.rules.conftest import Invalid, Valid, rule_cases

RULE = "MFO019"

INVALID = [
    Invalid(
        """
        import os

        def worker_env():
            env = {"METAFLOW_DEFAULT_DATASTORE": "s3"}
            env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
            return env
        """,
        rows=[6], message='os.environ.get("PYTHONPATH", "")', why="env-subscript",
    ),
    Invalid(
        """
        import os
        import sys

        def container_spec():
            search_path = os.pathsep.join(sys.path)
            return {"env": [{"name": "PYTHONPATH", "value": search_path},
                            {"name": "METAFLOW_DEFAULT_METADATA", "value": "service"}]}
        """,
        rows=[7], message="sys.path", why="container-spec",
    ),
    Invalid(
        """
        import os

        def script(run_id):
            return "export PYTHONPATH=%s\\npython flow.py init --run-id %s" % (os.environ["PYTHONPATH"], run_id)
        """,
        rows=[5], message='os.environ["PYTHONPATH"]', why="bash-percent",
    ),
    Invalid(
        """
        import site

        def script():
            return f"export PYTHONPATH={':'.join(site.getsitepackages())}\\npython flow.py"
        """,
        rows=[5], message="getsitepackages(", why="bash-fstring",
    ),
]

VALID = [
    Valid(
        """
        def script():
            return "export PYTHONPATH=$PYTHONPATH:/app\\nexport RUN_ID=%s" % run_id
        """,
        why="worker-own-path: the worker extends its own path",
    ),
    Valid(
        """
        def worker_env():
            return {"METAFLOW_DEFAULT_DATASTORE": "s3", "PYTHONPATH": "/opt/flow"}
        """,
        why="image-path: a fixed path inside the worker image",
    ),
    Valid(
        """
        import os
        import subprocess

        def create(flow_file):
            env = dict(os.environ)
            env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
            subprocess.run(["python", flow_file, "acme", "create"], env=env, check=True)
        """,
        why="local-subprocess: the deployer launching its own CLI locally keeps its own path (same machine)",
    ),
    Valid(
        """
        def worker_env():
            '''Never copies os.environ["PYTHONPATH"] into the worker.'''
            # PYTHONPATH = os.environ["PYTHONPATH"] would leak the host path
            return {"METAFLOW_DEFAULT_DATASTORE": "s3"}
        """,
        why="comment-docstring: explained, not done",
    ),
]

test_cases = rule_cases(RULE, VALID, INVALID)
