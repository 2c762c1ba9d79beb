"""Helpers for the saved-model tests (test_models_*.py, test_cli.py, ...): model documents and bit-for-bit
comparison. The database fixtures (`database_url` over SQLite and PostgreSQL) are in conftest.py."""

from __future__ import annotations

import numpy as np

from app.nn import Network, OutputLayer, to_document


def model_doc(sizes=(2, 3, 2), kind: str = "softmax_ce", hidden: str = "sigmoid", seed: int = 0) -> dict:
    return to_document(Network.create(list(sizes), hidden, OutputLayer.from_kind(kind), seed=seed))


def bits(document: dict) -> list[np.ndarray]:
    """Every weight and bias as its raw 64 bits, to compare documents bit for bit (-0.0 included)."""
    return [np.asarray(a, dtype=np.float64).view(np.uint64) for key in ("W", "b") for a in document[key]]


def same_bits(a: dict, b: dict) -> bool:
    return (a["layer_sizes"] == b["layer_sizes"] and len(a["W"]) == len(b["W"])
            and all(np.array_equal(x, y) for x, y in zip(bits(a), bits(b))))
