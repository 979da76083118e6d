"""CONDA: a step with @conda, deployed with --environment conda; the step must run inside that environment."""

import sys

from metaflow import FlowSpec, conda, step


class MfokCondaFlow(FlowSpec):
    @conda(python="3.11", packages={"six": "1.16.0"})
    @step
    def start(self):
        import six  # noqa: F401  (only importable inside the resolved environment)

        self.python = sys.executable
        self.next(self.end)

    @step
    def end(self):
        self.verdict = "ok"


if __name__ == "__main__":
    MfokCondaFlow()
