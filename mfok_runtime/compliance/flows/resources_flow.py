"""RESOURCES: @resources requests are accepted (deploy and run) on every kind of step."""

from metaflow import FlowSpec, resources, step


class MfokResourcesFlow(FlowSpec):
    @resources(cpu=1, memory=512)
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.body, foreach="items")

    @resources(cpu=1, memory=256, disk=1024)
    @step
    def body(self):
        self.doubled = self.input * 2
        self.next(self.join)

    @resources(memory=1024)
    @step
    def join(self, inputs):
        self.doubled = [inp.doubled for inp in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.doubled == [2, 4], self.doubled
        self.verdict = "ok"


if __name__ == "__main__":
    MfokResourcesFlow()
