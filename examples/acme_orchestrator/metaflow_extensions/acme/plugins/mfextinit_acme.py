CLIS_DESC = [("acme", ".acme.acme_cli.cli")]
DEPLOYER_IMPL_PROVIDERS_DESC = [("acme", ".acme.acme_deployer.AcmeDeployer")]
