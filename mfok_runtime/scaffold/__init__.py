"""The extension scaffold: ``mfok-run scaffold NAME`` renders a complete, installable orchestrator extension.

The generated package is working code, not a skeleton: its default scheduler client runs the compiled
workflow on the local machine, so the package passes the compliance suite as generated. Authors replace
one seam, ``metaflow_extensions/NAME/plugins/NAME/client.py``, to target their scheduler.
"""

from .generator import ScaffoldError, render_package, validate_name, write_package

__all__ = ["ScaffoldError", "render_package", "validate_name", "write_package"]
