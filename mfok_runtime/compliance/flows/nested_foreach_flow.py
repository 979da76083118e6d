"""NESTED_FOREACH: a foreach inside a foreach keeps both levels' inputs and ordering."""

from metaflow import FlowSpec, step


class MfokNestedForeachFlow(FlowSpec):
    @step
    def start(self):
        self.outer = ["x", "y"]
        self.next(self.outer_body, foreach="outer")

    @step
    def outer_body(self):
        self.letter = self.input
        self.inner = [1, 2, 3]
        self.next(self.inner_body, foreach="inner")

    @step
    def inner_body(self):
        self.cell = "%s%d" % (self.letter, self.input)
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.row = [inp.cell for inp in inputs]
        self.next(self.outer_join)

    @step
    def outer_join(self, inputs):
        self.grid = [inp.row for inp in inputs]
        assert self.grid == [["x1", "x2", "x3"], ["y1", "y2", "y3"]], self.grid
        self.next(self.end)

    @step
    def end(self):
        assert self.grid == [["x1", "x2", "x3"], ["y1", "y2", "y3"]], self.grid
        self.verdict = "ok"


if __name__ == "__main__":
    MfokNestedForeachFlow()
