"""RUN_PARAMS: Parameters of every type a flow can declare, several at once, given at trigger time.

`retry_count` looks like an orchestrator option on purpose: it must reach the flow as a Parameter.
Every step records what it saw so the suite can name the step that lost a value."""

from metaflow import FlowSpec, JSONType, Parameter, step


def _snapshot(flow):
    return {
        "text": flow.text,
        "count": flow.count,
        "ratio": flow.ratio,
        "flag": flow.flag,
        "payload": flow.payload,
        "retry_count": flow.retry_count,
    }


class MfokParamsFlow(FlowSpec):
    text = Parameter("text", type=str, default="default text")
    count = Parameter("count", type=int, default=1)
    ratio = Parameter("ratio", type=float, default=0.5)
    flag = Parameter("flag", type=bool, default=True)
    payload = Parameter("payload", type=JSONType, default='{"default": true}')
    retry_count = Parameter("retry_count", type=int, default=0)

    @step
    def start(self):
        self.seen = {"start": _snapshot(self)}
        self.next(self.end)

    @step
    def end(self):
        self.seen = dict(self.seen, end=_snapshot(self))
        self.verdict = "ok"


if __name__ == "__main__":
    MfokParamsFlow()
