"""FROM_DEPLOYMENT: a @project flow (so its deployment name is dotted) re-attached by identifier and triggered."""

from metaflow import FlowSpec, Parameter, current, project, step


@project(name="mfok_compliance")
class MfokFromDeploymentFlow(FlowSpec):
    marker = Parameter("marker", type=str, default="unset")

    @step
    def start(self):
        self.marker_seen = self.marker
        self.branch_seen = current.branch_name
        self.next(self.end)

    @step
    def end(self):
        self.verdict = "ok"


if __name__ == "__main__":
    MfokFromDeploymentFlow()
