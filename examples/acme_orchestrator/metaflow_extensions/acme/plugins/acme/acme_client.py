class AcmeClient:
    """Talks to the Acme scheduler's HTTP API (elided: this example is lint material)."""

    def register(self, spec):
        raise NotImplementedError("the example is not meant to run")

    def start(self, payload):
        raise NotImplementedError("the example is not meant to run")
