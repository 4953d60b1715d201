"""A small reader and writer of safetensors files (the model format of the C runtime).

Layout: an 8-byte little-endian header length N, N bytes of JSON (each tensor's dtype,
shape and [begin, end) byte offsets into the data that follows, plus "__metadata__", a map
of strings), then the raw little-endian tensor bytes. Only float32 ("F32") is written.
The header is padded with spaces to a multiple of 8 bytes so the data starts aligned.
"""
import json
import struct

import numpy as np


def save(path, tensors, metadata):
    """tensors: {name: array-like of float32}; metadata: {str: str}."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(np.asarray(tensors[name], dtype="<f4"))
        raw = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    for k, v in metadata.items():
        if not isinstance(v, str):
            raise TypeError(f"metadata value for {k!r} must be a string (safetensors rule)")
    header["__metadata__"] = dict(metadata)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load(path):
    """Returns (tensors {name: np.ndarray float32}, metadata {str: str})."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors header")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, e in header.items():
        if e["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} has dtype {e['dtype']}, not F32")
        b, en = e["data_offsets"]
        tensors[name] = np.frombuffer(data[base + b:base + en], dtype="<f4").reshape(e["shape"]).copy()
    return tensors, metadata
