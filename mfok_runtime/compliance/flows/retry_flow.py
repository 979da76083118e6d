"""RETRY: @retry re-runs the step, and the task sees the real attempt number (0-based, one per attempt).

`flaky` fails on attempts 0 and 1 and succeeds on attempt 2, recording what `current.retry_count` said;
an orchestrator that passes a constant or its own 1-based counter to --retry-count is caught here."""

from metaflow import FlowSpec, current, retry, step


class MfokRetryFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.flaky)

    @retry(times=3, minutes_between_retries=0)
    @step
    def flaky(self):
        self.attempt_seen = current.retry_count
        if current.retry_count < 2:
            raise RuntimeError("planned failure on attempt %d" % current.retry_count)
        self.next(self.end)

    @step
    def end(self):
        assert self.attempt_seen == 2, self.attempt_seen
        self.verdict = "ok"


if __name__ == "__main__":
    MfokRetryFlow()
