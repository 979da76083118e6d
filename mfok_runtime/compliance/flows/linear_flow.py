"""LINEAR_DAG: artifacts travel start -> middle -> end, and @environment variables reach the task."""

import os

from metaflow import FlowSpec, environment, step


class MfokLinearFlow(FlowSpec):
    @environment(vars={"MFOK_PROBE": "linear=ok,with;punctuation"})
    @step
    def start(self):
        assert os.environ.get("MFOK_PROBE") == "linear=ok,with;punctuation", os.environ.get("MFOK_PROBE")
        self.trail = ["start"]
        self.next(self.middle)

    @step
    def middle(self):
        assert self.trail == ["start"], self.trail
        self.trail = self.trail + ["middle"]
        self.next(self.end)

    @step
    def end(self):
        assert self.trail == ["start", "middle"], self.trail
        self.verdict = "ok"


if __name__ == "__main__":
    MfokLinearFlow()
