import sys

from metaflow.runner.deployer import DeployedFlow, TriggeredRun
from metaflow.runner.utils import get_lower_level_group, handle_timeout, temporary_fifo


class AcmeTriggeredRun(TriggeredRun):
    pass


class AcmeDeployedFlow(DeployedFlow):
    TYPE = "acme"

    def trigger(self, **kwargs):
        run_params = tuple("%s=%s" % (k, v) for k, v in kwargs.items())
        with temporary_fifo() as (attribute_file_path, attribute_file_fd):
            trigger_kwargs = dict(deployer_attribute_file=attribute_file_path)
            if run_params:
                trigger_kwargs["run_params"] = run_params
            command = get_lower_level_group(
                self.deployer.api,
                self.deployer.top_level_kwargs,
                self.deployer.TYPE,
                self.deployer.deployer_kwargs,
            ).trigger(**trigger_kwargs)
            pid = self.deployer.spm.run_command(
                [sys.executable, *command], env=self.deployer.env_vars, cwd=self.deployer.cwd
            )
            command_obj = self.deployer.spm.get(pid)
            content = handle_timeout(attribute_file_fd, command_obj, self.deployer.file_read_timeout)
            command_obj.sync_wait()
            if command_obj.process.returncode == 0:
                return AcmeTriggeredRun(deployer=self.deployer, content=content)
        raise RuntimeError("triggering the flow on Acme failed")
