"""safetensors: the weights as float64 tensors, the architecture in the header's string metadata.

Tensors are named like PyTorch's nn.Linear layers, so they load into one:

    layers.{l}.weight   shape (n_out, n_in), float64 (W[l], exactly as in the model document)
    layers.{l}.bias     shape (n_out,)

Metadata (all strings): format = "backprop-lab", format_version = "1", layer_sizes = "[2, 8, 2]",
hidden_activation (a name, or "none" without hidden layers), output_activation, loss, and optionally
name, class_names (a JSON list) and kind (the run kind the weights were trained as: a mistake kind stays one).

Reading never unpickles anything: a safetensors file is a JSON header followed by raw little-endian
numbers, parsed by the safetensors package's NumPy API (`safetensors.numpy.load`, from bytes). The file
becomes a model document, which `read_model` checks like every other (layers.{l}.weight is W[l]).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from app.export.errors import FormatError
from app.export.model_file import ModelFile

FORMAT_NAME = "backprop-lab"
FORMAT_VERSION = "1"
NO_HIDDEN = "none"
ACCEPTED_DTYPES = (np.float64, np.float32)  # float32 widens to float64 exactly


def weight_name(layer: int) -> str:
    return f"layers.{layer}.weight"


def bias_name(layer: int) -> str:
    return f"layers.{layer}.bias"


def to_safetensors(document: dict[str, Any], *, name: str | None = None,
                   class_names: list[str] | None = None, kind: str | None = None) -> bytes:
    from safetensors.numpy import save

    sizes = document["layer_sizes"]
    tensors: dict[str, np.ndarray] = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        tensors[weight_name(l)] = np.array(document["W"][l], dtype=np.float64).reshape(n_out, n_in)
        tensors[bias_name(l)] = np.array(document["b"][l], dtype=np.float64).reshape(n_out)
    metadata = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "layer_sizes": json.dumps(sizes),
        "hidden_activation": document.get("hidden_activation") or NO_HIDDEN,
        "output_activation": document["output_activation"],
        "loss": document["loss"],
    }
    if name is not None:
        metadata["name"] = name
    if class_names is not None:
        metadata["class_names"] = json.dumps(class_names, ensure_ascii=False)
    if kind is not None:
        metadata["kind"] = kind
    return _sorted_header(save(tensors, metadata=metadata))


def _sorted_header(data: bytes) -> bytes:
    """The same file with its header's keys in a fixed order: the safetensors writer orders the metadata by
    hash, so without this the same model would give different bytes each time."""
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    ordered = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ordered += b" " * (-len(ordered) % 8)  # the format pads the header with spaces to a multiple of 8 bytes
    return len(ordered).to_bytes(8, "little") + ordered + data[8 + length:]


def read_header(data: bytes) -> dict[str, Any]:
    """The JSON header of a safetensors file (8-byte little-endian length, then that many bytes of JSON)."""
    if len(data) < 8:
        raise FormatError((), "the file is too short to be a safetensors file")
    length = int.from_bytes(data[:8], "little")
    if length < 2 or length > len(data) - 8:
        raise FormatError((), "this is not a safetensors file: its first 8 bytes do not give the length of a "
                              "header that fits in the file")
    try:
        header = json.loads(data[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise FormatError((), "this is not a safetensors file: its header is not JSON") from None
    if not isinstance(header, dict):
        raise FormatError((), "this is not a safetensors file: its header is not a JSON object")
    return header


def _metadata(header: dict[str, Any]) -> dict[str, str]:
    metadata = header.get("__metadata__")
    if metadata is None:
        raise FormatError(("metadata",), "the file has no metadata; Backprop Lab needs layer_sizes, "
                                         "hidden_activation, output_activation and loss there (as strings)")
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise FormatError(("metadata",), "safetensors metadata must map names to strings")
    return metadata


def _document(metadata: dict[str, str], tensors: dict[str, np.ndarray]) -> dict[str, Any]:
    """The model document the file describes, unchecked: check_model (app/nn/model_doc.py) judges it."""
    doc: dict[str, Any] = {key: metadata[key] for key in ("output_activation", "loss") if key in metadata}
    if "layer_sizes" in metadata:
        try:
            doc["layer_sizes"] = json.loads(metadata["layer_sizes"])
        except (json.JSONDecodeError, RecursionError):
            doc["layer_sizes"] = metadata["layer_sizes"]  # not a list: check_model says what it must be
    hidden = metadata.get("hidden_activation", NO_HIDDEN)
    doc["hidden_activation"] = None if hidden == NO_HIDDEN else hidden
    n_layers = (len(tensors) + 1) // 2  # a missing tensor is named below
    for key, array in tensors.items():
        if key not in {name(l) for l in range(n_layers) for name in (weight_name, bias_name)}:
            raise FormatError(("tensors", key), f"unexpected tensor {key!r}: the tensors are named "
                                                f"layers.{{l}}.weight and layers.{{l}}.bias, l = 0, 1, ...")
        if array.dtype not in ACCEPTED_DTYPES:
            raise FormatError(("tensors", key), f"tensor {key!r} holds {array.dtype}; weights must be float64 "
                                                f"(or float32)")
    for l in range(n_layers):
        for key in (weight_name(l), bias_name(l)):
            if key not in tensors:
                raise FormatError(("tensors", key), f"the file has no tensor {key!r}")
    doc["W"] = [tensors[weight_name(l)].astype(np.float64).tolist() for l in range(n_layers)]
    doc["b"] = [tensors[bias_name(l)].astype(np.float64).tolist() for l in range(n_layers)]
    return doc


def _class_names(metadata: dict[str, str]) -> list[str] | None:
    if "class_names" not in metadata:
        return None
    try:
        names = json.loads(metadata["class_names"])
    except (json.JSONDecodeError, RecursionError):
        names = None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise FormatError(("metadata", "class_names"), "class_names must be a JSON list of strings")
    return names


def from_safetensors(data: bytes) -> ModelFile:
    from safetensors import SafetensorError
    from safetensors.numpy import load

    metadata = _metadata(read_header(data))
    try:
        tensors = load(data)
    except (SafetensorError, ValueError, TypeError, KeyError) as e:
        raise FormatError((), f"the file is not a valid safetensors file: {e}") from None
    return ModelFile(_document(metadata, tensors), "safetensors", metadata.get("name"), _class_names(metadata),
                     metadata.get("kind"))
