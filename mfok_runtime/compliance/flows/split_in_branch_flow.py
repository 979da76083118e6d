"""BRANCHING: a static split inside one branch of another split.

start -> (outer_a -> (inner_x, inner_y) -> inner_join, outer_b) -> outer_join -> end. A compiler that finds
a split's join by following only its first branch takes inner_join for the outer join and drops outer_join
and end."""

from metaflow import FlowSpec, step


class MfokSplitInBranchFlow(FlowSpec):
    @step
    def start(self):
        self.base = 10
        self.next(self.outer_a, self.outer_b)

    @step
    def outer_a(self):
        self.label = "a"
        self.next(self.inner_x, self.inner_y)

    @step
    def inner_x(self):
        self.part = self.base + 1
        self.next(self.inner_join)

    @step
    def inner_y(self):
        self.part = self.base + 2
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.parts = sorted(inp.part for inp in inputs)
        self.label = inputs[0].label
        self.next(self.outer_join)

    @step
    def outer_b(self):
        self.label = "b"
        self.parts = [self.base * 2]
        self.next(self.outer_join)

    @step
    def outer_join(self, inputs):
        self.labels = sorted(inp.label for inp in inputs)
        self.parts = sorted(part for inp in inputs for part in inp.parts)
        assert self.labels == ["a", "b"], self.labels
        self.next(self.end)

    @step
    def end(self):
        assert self.parts == [11, 12, 20], self.parts
        self.verdict = "ok"


if __name__ == "__main__":
    MfokSplitInBranchFlow()
