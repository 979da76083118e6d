"""RESUME: the run fails at `fragile` until the suite creates a marker file; resuming reruns only from there."""

import os

from metaflow import FlowSpec, step


class MfokResumeFlow(FlowSpec):
    @step
    def start(self):
        self.prepared = "from the first run"
        self.next(self.fragile)

    @step
    def fragile(self):
        marker = os.environ.get("MFOK_RESUME_MARKER", "")
        if not marker or not os.path.exists(marker):
            raise RuntimeError("planned failure: resume marker %r is absent" % marker)
        assert self.prepared == "from the first run", self.prepared
        self.next(self.end)

    @step
    def end(self):
        self.verdict = "ok"


if __name__ == "__main__":
    MfokResumeFlow()
