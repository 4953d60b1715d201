"""Training and export of gr-securejscc's networks (PyTorch; never imported by the runtime)."""
