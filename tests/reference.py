"""Shared helpers for the engine tests: the PyTorch reference cases and the small data sets the spec names.

The reference file lives outside the repository, in a sibling folder of it:

    <parent of repo>/shared/reference/reference_cases.json

or wherever the environment variable BACKPROP_LAB_REFERENCE points (a JSON file, or a folder holding
reference_cases.json). A missing file is an error, never a reason to skip: the engine's acceptance test
is these numbers.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from app.nn import Network, OutputLayer

ENV_VAR = "BACKPROP_LAB_REFERENCE"
FILE_NAME = "reference_cases.json"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "reference" / FILE_NAME

# The reference file's short loss names, mapped to the engine's.
LOSS_NAMES = {"ce": "cross_entropy", "mse": "mse", "bce": "binary_cross_entropy"}

RTOL = 1e-6
ATOL = 1e-9


class ReferenceMissing(AssertionError):
    """Raised (as a test failure, not a skip) when the reference file cannot be found."""


def reference_path() -> Path:
    override = os.environ.get(ENV_VAR)
    if override:
        path = Path(override).expanduser()
        return path / FILE_NAME if path.is_dir() else path
    return DEFAULT_PATH


@lru_cache(maxsize=None)
def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        hint = f" (from ${ENV_VAR})" if os.environ.get(ENV_VAR) else f"; set ${ENV_VAR} to its location"
        raise ReferenceMissing(f"reference cases not found at {path}{hint}")
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def load_reference() -> dict[str, Any]:
    return _load(reference_path())


def case_names() -> list[str]:
    """Names of the reference cases, for parametrizing; a placeholder when the file is missing,
    so that the parametrized tests run and FAIL (through load_case) instead of vanishing."""
    try:
        return [case["name"] for case in load_reference()["cases"]]
    except ReferenceMissing:
        return ["<reference file missing>"]


def load_case(name: str) -> dict[str, Any]:
    for case in load_reference()["cases"]:
        if case["name"] == name:
            return case
    raise AssertionError(f"no reference case named {name!r} in {reference_path()}")


def engine_loss(reference_loss: str) -> str:
    try:
        return LOSS_NAMES[reference_loss]
    except KeyError:
        raise AssertionError(f"unknown loss {reference_loss!r} in the reference file") from None


def output_layer(case: dict[str, Any]) -> OutputLayer:
    return OutputLayer(case["output_activation"], engine_loss(case["loss"]))


def network_from_params(case: dict[str, Any], params: dict[str, Any] | None = None) -> Network:
    """A float64 Network with the case's architecture and the given (default: initial) parameters."""
    params = params or case["initial_params"]
    sizes = case["layer_sizes"]
    W = [np.array(w, dtype=np.float64).reshape(n_out, n_in) for w, n_in, n_out in zip(params["W"], sizes[:-1], sizes[1:])]
    b = [np.array(v, dtype=np.float64).reshape(n_out) for v, n_out in zip(params["b"], sizes[1:])]
    hidden = case["hidden_activation"] if len(sizes) > 2 else None
    return Network(W, b, hidden, output_layer(case))


def case_data(case: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    return np.array(case["inputs"], dtype=np.float64), np.array(case["labels"], dtype=np.float64)


# --- the data sets the spec names, defined here so the engine tests do not depend on app.datasets ---

TWO_POINTS_X = np.array([[1.0, 0.0], [0.0, 1.0]])
TWO_POINTS_Y = np.array([[1.0, 0.0], [0.0, 1.0]])

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])


def raw_pixels(scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Two 16-pixel images, all 255 except one dark pixel each (index 5, index 10); labels [1,0], [0,1]."""
    X = np.full((2, 16), 255.0)
    X[0, 5] = 0.0
    X[1, 10] = 0.0
    return X * scale, np.array([[1.0, 0.0], [0.0, 1.0]])


MAIN_KINDS = ("sigmoid_mse", "sigmoid_bce", "softmax_ce")


def max_error(net: Network, X: np.ndarray, Y: np.ndarray) -> float:
    return float(np.abs(net.predict(X) - Y).max())
