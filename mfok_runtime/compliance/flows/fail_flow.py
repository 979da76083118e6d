"""LINEAR_DAG: a run that fails at a step must read as failed through the extension's `TriggeredRun`
(`status` and `run.successful`), not as running for ever."""

from metaflow import FlowSpec, step


class MfokFailFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.boom)

    @step
    def boom(self):
        raise RuntimeError("planned failure in boom")
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    MfokFailFlow()
