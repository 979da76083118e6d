"""The live compliance suite: shipped flows, a pytest plugin with one test per capability, and the runner.

Nothing here is imported by `mfok_runtime.capabilities`, and the runner (`runner.py`) imports neither pytest
nor metaflow: both are needed only in the interpreter that runs the suite (see docs/compliance.md).
"""
