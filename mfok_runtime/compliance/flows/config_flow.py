"""CONFIG_EXPR: @config values reach every step, also through config_expr in decorators.

Deployed twice by the suite: with the default value and with a value overridden at deploy time."""

import os

from metaflow import Config, FlowSpec, config_expr, environment, step


class MfokConfigFlow(FlowSpec):
    cfg = Config("cfg", default_value={"greeting": "default-greeting", "fanout": 2})

    @environment(vars={"MFOK_GREETING": config_expr("cfg.greeting")})
    @step
    def start(self):
        self.seen = {"start": self.cfg.greeting}
        assert os.environ.get("MFOK_GREETING") == self.cfg.greeting, os.environ.get("MFOK_GREETING")
        self.items = list(range(self.cfg.fanout))
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.seen = dict(self.seen, **{"body[%d]" % self.input: self.cfg.greeting})
        self.next(self.join)

    @step
    def join(self, inputs):
        merged = {}
        for inp in inputs:
            merged.update(inp.seen)
        merged["join"] = self.cfg.greeting
        self.seen = merged
        self.fanout_seen = len(list(inputs))
        self.next(self.end)

    @environment(vars={"MFOK_GREETING": config_expr("cfg.greeting")})
    @step
    def end(self):
        assert os.environ.get("MFOK_GREETING") == self.cfg.greeting, os.environ.get("MFOK_GREETING")
        self.seen = dict(self.seen, end=self.cfg.greeting)
        self.verdict = "ok"


if __name__ == "__main__":
    MfokConfigFlow()
