"""TIMEOUT with @catch: a step over its limit is aborted within the limit and the flow continues.

`slow` sleeps far past @timeout(seconds=4) and must be cut off early (it records nothing after the sleep);
`patient` sleeps 5 s under @timeout(minutes=1), so an orchestrator that reads minutes as seconds kills it."""

import time

from metaflow import FlowSpec, catch, step, timeout

LIMIT_SECONDS = 4
SLEEP_SECONDS = 120


class MfokTimeoutCatchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.slow)

    @catch(var="timed_out")
    @timeout(seconds=LIMIT_SECONDS)
    @step
    def slow(self):
        self.started_at = time.time()
        time.sleep(SLEEP_SECONDS)
        self.slept_through = True
        self.next(self.patient)

    @timeout(minutes=1)
    @step
    def patient(self):
        time.sleep(5)
        self.patient_done = True
        self.next(self.end)

    @step
    def end(self):
        assert self.timed_out is not None, "@timeout did not abort the step"
        assert not getattr(self, "slept_through", False), "the step slept through its timeout"
        assert self.patient_done
        self.verdict = "ok"


if __name__ == "__main__":
    MfokTimeoutCatchFlow()
