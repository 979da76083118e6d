"""FOREACH: every item gets its own task with the right input, and the join sees results in item order."""

from metaflow import FlowSpec, current, step

ITEMS = ["c", "a", "d", "b", "e"]


class MfokForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = list(ITEMS)
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.result = self.input.upper()
        self.seen_index = self.index
        self.pathspec_seen = current.pathspec
        self.next(self.join)

    @step
    def join(self, inputs):
        self.results = [inp.result for inp in inputs]
        assert self.results == [item.upper() for item in ITEMS], self.results
        assert [inp.seen_index for inp in inputs] == list(range(len(ITEMS)))
        assert len({inp.pathspec_seen for inp in inputs}) == len(ITEMS), "foreach tasks share a task id"
        self.next(self.end)

    @step
    def end(self):
        assert self.results == ["C", "A", "D", "B", "E"], self.results
        self.verdict = "ok"


if __name__ == "__main__":
    MfokForeachFlow()
