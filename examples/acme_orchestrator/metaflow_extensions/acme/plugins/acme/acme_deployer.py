from metaflow.runner.deployer_impl import DeployerImpl


class AcmeDeployer(DeployerImpl):
    TYPE = "acme"

    def __init__(self, deployer_kwargs, **kwargs):
        self._deployer_kwargs = deployer_kwargs
        super().__init__(**kwargs)

    @property
    def deployer_kwargs(self):
        return self._deployer_kwargs

    @staticmethod
    def deployed_flow_type():
        from .acme_objects import AcmeDeployedFlow

        return AcmeDeployedFlow

    def create(self, **kwargs):
        from .acme_objects import AcmeDeployedFlow

        return self._create(AcmeDeployedFlow, **kwargs)
