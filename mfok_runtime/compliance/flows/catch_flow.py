"""CATCH: a step that raises under @catch lets the flow continue with the exception stored.

`caught_after_retry` also carries @retry(times=1): its user code must run again on attempt 1 (the stored
exception names the attempt), which fails when --max-user-code-retries is not forwarded with --retry-count."""

from metaflow import FlowSpec, catch, current, retry, step


class MfokCatchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.caught)

    @catch(var="failure")
    @step
    def caught(self):
        raise ValueError("planned failure in caught")
        self.next(self.caught_after_retry)

    @catch(var="late_failure")
    @retry(times=1, minutes_between_retries=0)
    @step
    def caught_after_retry(self):
        raise ValueError("planned failure on attempt %d" % current.retry_count)
        self.next(self.end)

    @step
    def end(self):
        assert self.failure is not None and "planned failure in caught" in str(self.failure), self.failure
        assert self.late_failure is not None, "the @catch variable is empty"
        assert "attempt 1" in str(self.late_failure), self.late_failure
        self.verdict = "ok"


if __name__ == "__main__":
    MfokCatchFlow()
