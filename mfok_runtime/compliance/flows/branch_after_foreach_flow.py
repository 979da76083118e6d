"""BRANCHING, second shape: a static split in the step right after a foreach join."""

from metaflow import FlowSpec, step


class MfokBranchAfterForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.square, foreach="items")

    @step
    def square(self):
        self.value = self.input * self.input
        self.next(self.collect)

    @step
    def collect(self, inputs):
        self.squares = [inp.value for inp in inputs]
        self.next(self.fork)

    @step
    def fork(self):
        self.next(self.low, self.high)

    @step
    def low(self):
        self.part = min(self.squares)
        self.next(self.combine)

    @step
    def high(self):
        self.part = max(self.squares)
        self.next(self.combine)

    @step
    def combine(self, inputs):
        self.parts = sorted(inp.part for inp in inputs)
        assert self.parts == [1, 9], self.parts
        self.next(self.end)

    @step
    def end(self):
        self.verdict = "ok"


if __name__ == "__main__":
    MfokBranchAfterForeachFlow()
