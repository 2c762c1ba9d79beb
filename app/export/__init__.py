"""Model files: export a saved model as JSON, safetensors or ONNX, and read JSON, safetensors or NumPy .npz back.

Export takes a checked model document (as the store keeps it) and gives bytes; import takes bytes and
gives the document checked by app/nn/model_doc.py's check_model, like every other way a model comes in.
Nothing here ever unpickles: JSON is parsed as JSON, safetensors by its own NumPy reader, .npz from its .npy headers
(npz_format.py; docs/models.md).
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath
from typing import Any

from app.export.errors import FormatError
from app.export.json_format import from_json, to_json
from app.export.model_file import ModelFile
from app.export.npz_format import from_npz
from app.export.onnx_format import to_onnx
from app.export.safetensors_format import from_safetensors, to_safetensors
from app.nn import ModelError, SizeLimits, check_model, to_document

EXPORT_FORMATS = {  # format: (file extension, media type)
    "json": (".json", "application/json"),
    "safetensors": (".safetensors", "application/octet-stream"),
    "onnx": (".onnx", "application/octet-stream"),
}

__all__ = [
    "EXPORT_FORMATS", "FormatError", "ModelFile", "export_model", "from_json", "from_npz",
    "from_safetensors", "import_format", "read_model", "to_json", "to_onnx", "to_safetensors",
]


def export_model(document: dict[str, Any], fmt: str, *, name: str | None = None,
                 class_names: list[str] | None = None, kind: str | None = None) -> bytes:
    """`kind`: the run kind the weights were trained as, which JSON and safetensors keep (ONNX only computes)."""
    if fmt == "json":
        return to_json(document, kind)
    if fmt == "safetensors":
        return to_safetensors(document, name=name, class_names=class_names, kind=kind)
    if fmt == "onnx":
        return to_onnx(document, name=name, class_names=class_names)
    raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(EXPORT_FORMATS)}")


def import_format(data: bytes, filename: str | None = None) -> str:
    """json, safetensors or npz: by the file's extension, else by its first bytes (JSON starts with `{`, a zip
    with `PK`)."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in (".json", ".safetensors", ".npz"):
        return suffix[1:]
    if suffix == ".onnx":
        raise FormatError((), "ONNX files cannot be imported; import the model as JSON, safetensors or .npz")
    if data.startswith(b"PK\x03\x04"):
        return "npz"
    return "json" if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") else "safetensors"


def read_model(data: bytes, filename: str | None = None, limits: SizeLimits | None = None,
               architecture: dict[str, str | None] | None = None) -> ModelFile:
    """The model in a JSON, safetensors or .npz file, its document checked (and within `limits`, when given);
    FormatError says what is wrong and where in the file. `architecture` (hidden_activation, output_activation,
    loss) is what an .npz, which holds only numbers, does not say; other formats say it themselves."""
    if not data:
        raise FormatError((), "the file is empty")
    fmt = import_format(data, filename)
    if fmt == "npz":
        file = from_npz(data, limits, architecture)
    else:
        file = from_json(data) if fmt == "json" else from_safetensors(data)
    try:
        net = check_model(file.document, limits)
    except ModelError as e:
        raise FormatError((*file.document_loc, *e.loc), e.message) from None
    return dataclasses.replace(file, document=to_document(net))
