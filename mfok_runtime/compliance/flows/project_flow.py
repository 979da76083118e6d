"""PROJECT_BRANCH: every step (branches and foreach bodies included) sees the deploy-time branch.

The suite deploys with `branch=<name>` and expects `current.branch_name == "test.<name>"` everywhere; the
end step gathers what each step saw so a miss names the step."""

from metaflow import FlowSpec, current, project, step


def _merge(inputs):
    merged = {}
    for inp in inputs:
        merged.update(inp.seen)
    return merged


@project(name="mfok_compliance")
class MfokProjectFlow(FlowSpec):
    @step
    def start(self):
        self.seen = {"start": current.branch_name}
        self.next(self.left, self.right)

    @step
    def left(self):
        self.seen = dict(self.seen, left=current.branch_name)
        self.next(self.meet)

    @step
    def right(self):
        self.seen = dict(self.seen, right=current.branch_name)
        self.next(self.meet)

    @step
    def meet(self, inputs):
        self.seen = dict(_merge(inputs), meet=current.branch_name)
        self.next(self.fan)

    @step
    def fan(self):
        self.seen = dict(self.seen, fan=current.branch_name)
        self.items = [0, 1]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.seen = dict(self.seen, **{"body[%d]" % self.input: current.branch_name})
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.seen = dict(_merge(inputs), gather=current.branch_name)
        self.next(self.end)

    @step
    def end(self):
        self.seen = dict(self.seen, end=current.branch_name)
        self.project_seen = current.project_name
        self.verdict = "ok"


if __name__ == "__main__":
    MfokProjectFlow()
