"""Model JSON: the model document itself, exactly as POST /api/backprop takes it.

Each float is written as its shortest repr, which Python (and any correct JSON reader) reads back to the
same 64 bits, so a JSON export round-trips bit for bit. A model trained under a mistake kind is written as
{"model": document, "kind": ...}: a bare document is read as the right kind of its output layer and loss.
"""

from __future__ import annotations

import json
from typing import Any

from app.export.errors import FormatError
from app.export.model_file import ModelFile
from app.nn import RUN_KINDS


def to_json(document: dict[str, Any], kind: str | None = None) -> bytes:
    """Compact JSON in which every float is its shortest repr (the store keeps documents in this form too); under
    "model", beside its `kind`, when that kind is a mistake."""
    value = {"model": document, "kind": kind} if kind in RUN_KINDS and RUN_KINDS[kind].mistake else document
    return json.dumps(value, allow_nan=False, separators=(",", ":")).encode()


def from_json(data: bytes) -> ModelFile:
    """Read a model document, or an object holding one under "model" (with optional "name", "class_names" and
    "kind"), as GET /api/models/{id} returns it. The document is checked by read_model; a NaN or
    Infinity in it is read as a number, so that the check points at the weight that holds it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError((), "the file is not UTF-8 text, so it is not model JSON") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise FormatError((), f"the file is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except RecursionError:
        raise FormatError((), "the file's JSON is nested too deeply to be a model") from None
    if not isinstance(value, dict):
        raise FormatError((), "model JSON is an object with layer_sizes, output_activation, loss, W and b")
    if "model" in value:  # a bare model document has no "model" key
        name, class_names, kind = value.get("name"), value.get("class_names"), value.get("kind")
        if name is not None and not isinstance(name, str):
            raise FormatError(("name",), "name must be text")
        if kind is not None and not isinstance(kind, str):
            raise FormatError(("kind",), "kind must be the name of a run kind, such as softmax_ce")
        if class_names is not None and not (isinstance(class_names, list)
                                            and all(isinstance(n, str) for n in class_names)):
            raise FormatError(("class_names",), "class_names must be a list of text")
        if not isinstance(value["model"], dict):
            raise FormatError(("model",), "model must be an object with layer_sizes, output_activation, loss, W and b")
        return ModelFile(value["model"], "json", name, class_names, kind, ("model",))
    return ModelFile(value, "json")
