"""mfok-lint: a semantic linter for Metaflow orchestrator extensions.

Importing this package must stay cheap and must never import metaflow or pytest:
the flake8 plugin loads it in every flake8 run.
"""

__version__ = "0.1.0"
