"""CONDA: a step with @conda, deployed with --environment conda; the step must run inside that environment.

`start` checks that its interpreter is the one Metaflow resolved (a conda/micromamba prefix), not the
orchestrator's own, so a scheduler that runs the step without entering the environment fails here even
when the package happens to be importable."""

import os
import sys

from metaflow import FlowSpec, conda, step


class MfokCondaFlow(FlowSpec):
    @conda(python="3.11", packages={"six": "1.16.0"})
    @step
    def start(self):
        import six  # noqa: F401  (only importable inside the resolved environment)

        prefix = sys.prefix.lower()
        assert "conda" in prefix or "mamba" in prefix or os.environ.get("CONDA_PREFIX"), (
            "the @conda step ran in %s, not in the environment Metaflow resolved" % sys.prefix)
        self.python = sys.executable
        self.next(self.end)

    @step
    def end(self):
        self.verdict = "ok"


if __name__ == "__main__":
    MfokCondaFlow()
