"""LINEAR_DAG: a flow whose first and last steps are named by `@step(start=True)` / `@step(end=True)`.

Metaflow 2.19 takes the graph's endpoints from these annotations (`FlowGraph.start_step`, `end_step`); a
compiler that hard-codes `start` and `end` cannot run this flow, or runs it without its endpoints."""

from metaflow import FlowSpec, current, step


class MfokCustomStepsFlow(FlowSpec):
    @step(start=True)
    def begin(self):
        self.trail = ["begin"]
        self.next(self.process)

    @step
    def process(self):
        assert self.trail == ["begin"], self.trail
        self.trail = self.trail + ["process"]
        self.next(self.finish)

    @step(end=True)
    def finish(self):
        assert self.trail == ["begin", "process"], self.trail
        self.trail = self.trail + [current.step_name]
        self.verdict = "ok"


if __name__ == "__main__":
    MfokCustomStepsFlow()
