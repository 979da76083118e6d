"""BRANCHING: a static split whose branches see the parent's artifacts and whose join sees both results."""

from metaflow import FlowSpec, step


class MfokBranchFlow(FlowSpec):
    @step
    def start(self):
        self.seed = 10
        self.next(self.left, self.right)

    @step
    def left(self):
        assert self.seed == 10, self.seed
        self.value = self.seed + 1
        self.side = "left"
        self.next(self.join)

    @step
    def right(self):
        assert self.seed == 10, self.seed
        self.value = self.seed * 2
        self.side = "right"
        self.next(self.join)

    @step
    def join(self, inputs):
        by_side = {inp.side: inp.value for inp in inputs}
        assert by_side == {"left": 11, "right": 20}, by_side
        assert inputs.left.value == 11 and inputs.right.value == 20
        self.merge_artifacts(inputs, include=["seed"])
        self.total = sum(by_side.values())
        self.next(self.end)

    @step
    def end(self):
        assert self.seed == 10 and self.total == 31, (self.seed, self.total)
        self.verdict = "ok"


if __name__ == "__main__":
    MfokBranchFlow()
