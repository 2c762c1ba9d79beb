"""The independent numbers of the classic learner's mistakes: ../shared/reference/mistakes.json, beside the
PyTorch reference cases (tests/reference.py finds the folder, $BACKPROP_LAB_REFERENCE included). A missing file
fails the tests that use it; it never skips them."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import numpy as np

from app.nn import Network, OutputLayer
from reference import ReferenceMissing, reference_path

FILE_NAME = "mistakes.json"


@lru_cache(maxsize=None)
def load_mistakes() -> dict[str, Any]:
    path = reference_path().parent / FILE_NAME
    if not path.is_file():
        raise ReferenceMissing(f"mistake reference numbers not found at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def case_names() -> list[str]:
    try:
        return [case["name"] for case in load_mistakes()["cases"]]
    except ReferenceMissing:
        return ["<mistakes.json missing>"]


def case_mistakes() -> list[tuple[str, str]]:
    """(case name, mistake id) for every mistake's numbers in the file."""
    try:
        return [(case["name"], m) for case in load_mistakes()["cases"] for m in case["mistakes"]]
    except ReferenceMissing:
        return [("<mistakes.json missing>", "")]


def load_case(name: str) -> dict[str, Any]:
    for case in load_mistakes()["cases"]:
        if case["name"] == name:
            return case
    raise AssertionError(f"no case named {name!r} in mistakes.json")


def network(case: dict[str, Any]) -> Network:
    hidden = case["hidden_activation"] if len(case["layer_sizes"]) > 2 else None
    W = [np.array(w, dtype=np.float64) for w in case["W"]]
    b = [np.array(v, dtype=np.float64) for v in case["b"]]
    return Network(W, b, hidden, OutputLayer(case["output_activation"], case["loss"]))


def examples(case: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    return np.array(case["inputs"], dtype=np.float64), np.array(case["labels"], dtype=np.float64)


def as_yours(numbers: dict[str, Any]) -> dict[str, Any]:
    """A case's numbers (right or mistaken) shaped like /api/backprop's answer: δ, ∂C/∂W, ∂C/∂b per layer."""
    return {"layers": [{"delta": d, "grad_W": gW, "grad_b": gb}
                       for d, gW, gb in zip(numbers["delta"], numbers["grad_W"], numbers["grad_b"])]}
