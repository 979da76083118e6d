"""SCHEDULE: a flow with @schedule; the deployment must carry the cron expression."""

from metaflow import FlowSpec, schedule, step

CRON = "17 3 * * *"


@schedule(cron=CRON)
class MfokScheduleFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        self.verdict = "ok"


if __name__ == "__main__":
    MfokScheduleFlow()
