"""gr-securejscc: secure deep joint source-channel coding blocks for GNU Radio.

Blocks, bindings and hierarchical TX/RX blocks are added here as they are built; the C core
(libsecurejscc-core) does the work of every block.
"""

import os

# The compiled bindings are added by later work; import them when present.
try:
    from .securejscc_python import *  # noqa: F401,F403
except ImportError as err:  # pragma: no cover - only while bindings are absent or unbuilt
    if "securejscc_python" not in str(err):
        raise

__version__ = "0.1.0"
