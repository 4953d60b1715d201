"""Reads the "training" metadata of a model file without loading its weights.

Model files are safetensors (docs/model-format.md): an 8-byte little-endian header length,
then a JSON header whose "__metadata__" values are strings; "training" holds JSON text
with the facts the chain around a network needs (srec's modulation, lwe's quantiser).
Pure Python on purpose: securejscc-sim reads it before the core library (and OpenBLAS) is
loaded, and the hierarchical blocks read it before building any block.
"""
import json
import struct


def _metadata(path):
    """The "__metadata__" dict of a safetensors model file."""
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) != 8:
            raise ValueError("shorter than a safetensors header")
        (n,) = struct.unpack("<Q", raw)
        if n > 100_000_000:
            raise ValueError(f"header length {n} is not plausible")
        header = f.read(n)
    try:
        return json.loads(header.decode("utf-8")).get("__metadata__", {}) or {}
    except (UnicodeDecodeError, AttributeError) as e:
        raise ValueError(f"header is not a JSON object ({e})") from e


def downsample(path):
    """The resolution divisor r of an srec encoder or decoder file (its "config"
    metadata; 1 when it has none): the codec carries the image at 1/r resolution and the
    receiver upscales by r."""
    try:
        config = json.loads(_metadata(path).get("config", "{}"))
    except (TypeError, ValueError):
        return 1
    return int(config.get("downsample", 1)) if isinstance(config, dict) else 1


def training_metadata(path):
    """The model's "training" metadata as a dict ({} when it has none or it is free text).
    Raises OSError when the file cannot be read and ValueError when its header is not a
    safetensors header."""
    training = _metadata(path).get("training", "{}")
    try:
        training = json.loads(training) if isinstance(training, str) else training
    except ValueError:
        return {}  # free-form text (docs/model-format.md): no facts for the chain in it
    return training if isinstance(training, dict) else {}
