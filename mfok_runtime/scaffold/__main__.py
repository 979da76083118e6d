"""``python -m mfok_runtime.scaffold NAME``: the scaffold without the ``mfok-run`` group."""

import sys

from .cli import main

sys.exit(main())
