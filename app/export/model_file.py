"""What reading a model file gives: the document and what the file said about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ModelFile:
    document: dict[str, Any]  # from read_model: checked, canonical (every number a float)
    format: str  # "json", "safetensors" or "npz"
    name: str | None = None
    class_names: list[str] | None = None
    kind: str | None = None  # the run kind the weights were trained as (a mistake kind stays one), if the file says
    document_loc: tuple[str | int, ...] = ()  # where the document sits in the file, for error locations
