"""mfok runtime: the extension scaffold and the live compliance runner (`mfok-run`)."""

__version__ = "0.1.0"
