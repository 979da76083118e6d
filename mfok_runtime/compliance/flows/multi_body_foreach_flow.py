"""FOREACH: a foreach whose body is three steps; each item keeps its own chain of tasks to the join."""

from metaflow import FlowSpec, step

ITEMS = [3, 1, 2]


class MfokMultiBodyForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = list(ITEMS)
        self.next(self.load, foreach="items")

    @step
    def load(self):
        self.value = self.input
        self.trail = ["load"]
        self.next(self.transform)

    @step
    def transform(self):
        self.value = self.value * 10
        self.trail = self.trail + ["transform"]
        self.next(self.finish_item)

    @step
    def finish_item(self):
        self.value = self.value + self.input
        self.trail = self.trail + ["finish_item"]
        self.next(self.join)

    @step
    def join(self, inputs):
        self.results = [inp.value for inp in inputs]
        assert all(inp.trail == ["load", "transform", "finish_item"] for inp in inputs)
        self.next(self.end)

    @step
    def end(self):
        assert self.results == [33, 11, 22], self.results
        self.verdict = "ok"


if __name__ == "__main__":
    MfokMultiBodyForeachFlow()
