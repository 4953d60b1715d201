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

# Hierarchical TX/RX blocks of the four schemes (Python, over the compiled blocks): only
# once the bindings they are built from loaded.
if "jscc_encoder" in globals():
    from .hier_plain import plain_rx, plain_tx  # noqa: F401
    from .hier_lwe import lwe_rx, lwe_tx  # noqa: F401
    from .hier_srec import srec_rx, srec_tx  # noqa: F401
    from .hier_djescc import djescc_rx, djescc_tx  # noqa: F401

__version__ = "0.1.0"
