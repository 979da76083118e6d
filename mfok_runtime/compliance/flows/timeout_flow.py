"""TIMEOUT without @catch: a step over its limit fails the run, and fails it within the limit."""

import time

from metaflow import FlowSpec, step, timeout

LIMIT_SECONDS = 4
SLEEP_SECONDS = 120


class MfokTimeoutFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.slow)

    @timeout(seconds=LIMIT_SECONDS)
    @step
    def slow(self):
        time.sleep(SLEEP_SECONDS)
        self.slept_through = True
        self.next(self.end)

    @step
    def end(self):
        self.verdict = "should never get here"


if __name__ == "__main__":
    MfokTimeoutFlow()
