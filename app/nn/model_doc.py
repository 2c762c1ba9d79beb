"""A network as a plain JSON document, in the conventions of the reference cases:

    {"layer_sizes": [2, 3, 2], "hidden_activation": "sigmoid", "output_activation": "softmax",
     "loss": "cross_entropy", "W": [...], "b": [...]}

W[l] is a list of n_out rows of n_in numbers; b[l] has n_out numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.nn.activations import HIDDEN_ACTIVATIONS
from app.nn.network import Network
from app.nn.output_layer import OUTPUT_ACTIVATIONS, OutputLayer


class ModelError(ValueError):
    """A model document that does not describe a network; `loc` points at the offending field."""

    def __init__(self, loc: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


def to_document(net: Network) -> dict[str, Any]:
    return {
        "layer_sizes": net.layer_sizes,
        "hidden_activation": net.hidden_activation,
        "output_activation": net.output.activation,
        "loss": net.output.loss,
        "W": [W.tolist() for W in net.W],
        "b": [b.tolist() for b in net.b],
    }


def shape_problems(doc: dict[str, Any]) -> ModelError | None:
    """The first mismatch between layer_sizes and the W and b arrays, explained."""
    sizes = doc["layer_sizes"]
    n_layers = len(sizes) - 1
    for key in ("W", "b"):
        if len(doc[key]) != n_layers:
            return ModelError((key,), f"layer_sizes {sizes} describes {n_layers} weight layers, "
                                      f"so {key} needs {n_layers} entries, not {len(doc[key])}")
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = doc["W"][l]
        if len(W) != n_out:
            return ModelError(("W", l), f"W[{l}] needs {n_out} rows (one per unit of layer {l + 1}), not {len(W)}")
        for j, row in enumerate(W):
            if len(row) != n_in:
                return ModelError(("W", l, j), f"W[{l}][{j}] needs {n_in} numbers (one per unit of layer {l}), "
                                               f"not {len(row)}")
        if len(doc["b"][l]) != n_out:
            return ModelError(("b", l), f"b[{l}] needs {n_out} numbers, not {len(doc['b'][l])}")
    if n_layers > 1 and doc.get("hidden_activation") is None:
        return ModelError(("hidden_activation",), "a network with hidden layers needs a hidden_activation")
    return None


def from_document(doc: dict[str, Any], dtype: np.dtype = np.float64) -> Network:
    problem = shape_problems(doc)
    if problem:
        raise problem
    if doc["output_activation"] not in OUTPUT_ACTIVATIONS:
        raise ModelError(("output_activation",), f"unknown output activation {doc['output_activation']!r}; "
                                                 f"allowed: {', '.join(OUTPUT_ACTIVATIONS)}")
    try:
        output = OutputLayer(doc["output_activation"], doc["loss"])
    except ValueError as e:
        raise ModelError(("loss",), str(e)) from None
    hidden = doc.get("hidden_activation") if len(doc["layer_sizes"]) > 2 else None
    if hidden is not None and hidden not in HIDDEN_ACTIVATIONS:
        raise ModelError(("hidden_activation",), f"unknown hidden activation {hidden!r}; "
                                                 f"allowed: {', '.join(HIDDEN_ACTIVATIONS)}")
    W = [np.array(w, dtype=dtype).reshape(n_out, n_in)
         for w, n_in, n_out in zip(doc["W"], doc["layer_sizes"][:-1], doc["layer_sizes"][1:])]
    b = [np.array(v, dtype=dtype) for v in doc["b"]]
    return Network(W, b, hidden, output)
