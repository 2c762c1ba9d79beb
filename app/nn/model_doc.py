"""A network as a plain JSON document, in the conventions of the reference cases:

    {"layer_sizes": [2, 3, 2], "hidden_activation": "sigmoid", "output_activation": "softmax",
     "loss": "cross_entropy", "W": [...], "b": [...]}

W[l] is a list of n_out rows of n_in numbers; b[l] has n_out numbers.

`check_model` is the one place that decides whether a document describes a network: the REST API, the live
socket (through the store), the store, the command line and every file format call it, so a model refused by
one is refused by all, at the same `loc` and with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from app.nn.activations import HIDDEN_ACTIVATIONS
from app.nn.network import Network
from app.nn.output_layer import LOSSES, OUTPUT_ACTIVATIONS, OutputLayer, loss_mismatch_message

FIELDS = ("layer_sizes", "hidden_activation", "output_activation", "loss", "W", "b")
REQUIRED = ("layer_sizes", "output_activation", "loss", "W", "b")  # hidden_activation may be left out
NOT_FINITE = "NaN and Infinity are not allowed; every number must be finite"
NUMBER_TYPES = {float, int}
ONE_UNIT_SOFTMAX = ("a softmax output layer needs at least 2 units: with one unit its output is always 1 and it "
                    "can never learn; for one output use sigmoid with binary_cross_entropy")


class ModelError(ValueError):
    """A model document that does not describe a network; `loc` is the path to the offending field."""

    def __init__(self, loc: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


@dataclass(frozen=True)
class SizeLimits:
    """How large a network an entry point accepts (the settings' max_layers, max_units, max_parameters)."""

    layers: int
    units: int
    parameters: int


def parameter_count(layer_sizes: Sequence[int]) -> int:
    """Weights and biases of a fully connected network with these layer sizes."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))


def to_document(net: Network) -> dict[str, Any]:
    return {
        "layer_sizes": net.layer_sizes,
        "hidden_activation": net.hidden_activation,
        "output_activation": net.output.activation,
        "loss": net.output.loss,
        "W": [W.tolist() for W in net.W],
        "b": [b.tolist() for b in net.b],
    }


def check_model(doc: Any, limits: SizeLimits | None = None, dtype: np.dtype = np.float64) -> Network:
    """The network a model document describes, or ModelError naming the first thing to fix.

    `doc` is a mapping as JSON gives it (or a pydantic model with model_dump()); `limits`, when given, bounds
    the network's size. Checked in this order: the document's keys, layer_sizes, the size limits, the
    activations and loss (and their pairing), a one-unit softmax, then every W and b: shape and finiteness.
    """
    if hasattr(doc, "model_dump"):
        doc = doc.model_dump()
    if not isinstance(doc, Mapping):
        raise ModelError((), "a model document is a JSON object with layer_sizes, output_activation, loss, W and b")
    for key in doc:
        if key not in FIELDS:
            raise ModelError((key,), f"{key!r} is not a field of a model document; its fields are: "
                                     f"{', '.join(FIELDS)}")
    for key in REQUIRED:
        if key not in doc:
            raise ModelError((key,), f"the model document has no {key!r}")
    sizes = _layer_sizes(doc["layer_sizes"])
    if limits is not None:
        _check_size(sizes, limits)
    hidden, output = _activations(doc, sizes)
    for key in ("W", "b"):
        arrays = doc[key]
        if not _list(arrays) or len(arrays) != len(sizes) - 1:
            raise ModelError((key,), f"layer_sizes {sizes} describes {len(sizes) - 1} weight layers, so {key} "
                                     f"needs {len(sizes) - 1} entries, not {_length(arrays)}")
    W = [_array(doc["W"][l], ("W", l), (n_out, n_in), dtype)
         for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))]
    b = [_array(doc["b"][l], ("b", l), (n_out,), dtype) for l, n_out in enumerate(sizes[1:])]
    return Network(W, b, hidden, output)


def from_document(doc: Any, dtype: np.dtype = np.float64) -> Network:
    """check_model without size limits: for documents that were checked when they were saved."""
    return check_model(doc, dtype=dtype)


def _layer_sizes(sizes: Any) -> list[int]:
    if (isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2
            or not all(_whole(n) and n >= 1 for n in sizes)):
        raise ModelError(("layer_sizes",), "layer_sizes must be a list of at least two whole numbers, each 1 or "
                                           "more: [n_in, hidden..., n_out]")
    return [int(n) for n in sizes]


def _check_size(sizes: list[int], limits: SizeLimits) -> None:
    if len(sizes) - 1 > limits.layers:
        raise ModelError(("layer_sizes",), f"at most {limits.layers} weight layers are allowed; this model has "
                                           f"{len(sizes) - 1}")
    if max(sizes) > limits.units:
        raise ModelError(("layer_sizes",), f"at most {limits.units} units per layer are allowed; this model has "
                                           f"a layer of {max(sizes)}")
    count = parameter_count(sizes)
    if count > limits.parameters:
        raise ModelError(("layer_sizes",), f"at most {limits.parameters:,} weights and biases are allowed; this "
                                           f"model has {count:,}")


def _activations(doc: Mapping[str, Any], sizes: list[int]) -> tuple[str | None, OutputLayer]:
    hidden = doc.get("hidden_activation")
    if hidden is not None and hidden not in HIDDEN_ACTIVATIONS:
        raise ModelError(("hidden_activation",), f"unknown hidden activation {hidden!r}; allowed: "
                                                 f"{', '.join(HIDDEN_ACTIVATIONS)}, or null without hidden layers")
    if hidden is None and len(sizes) > 2:
        raise ModelError(("hidden_activation",), f"layer_sizes {sizes} has hidden layers, so hidden_activation "
                                                 f"must name one of: {', '.join(HIDDEN_ACTIVATIONS)}")
    activation, loss = doc["output_activation"], doc["loss"]
    if activation not in OUTPUT_ACTIVATIONS:
        raise ModelError(("output_activation",), f"unknown output activation {activation!r}; allowed: "
                                                 f"{', '.join(OUTPUT_ACTIVATIONS)}")
    if loss not in LOSSES:
        raise ModelError(("loss",), f"unknown loss {loss!r}; allowed: {', '.join(LOSSES)}")
    problem = loss_mismatch_message(activation, loss)
    if problem:
        raise ModelError(("loss",), problem)
    if activation == "softmax" and sizes[-1] < 2:
        raise ModelError(("layer_sizes",), ONE_UNIT_SOFTMAX)
    return (hidden if len(sizes) > 2 else None), OutputLayer(activation, loss)


def _array(value: Any, loc: tuple[str, int], shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """W[l] or b[l] as an array of `shape`, every entry a finite number; the message says what it needs."""
    name, l = loc
    rows = [value] if len(shape) == 1 else value
    if len(shape) == 2 and (not _list(value) or len(value) != shape[0]):
        raise ModelError(loc, f"{name}[{l}] needs {shape[0]} rows (one per unit of layer {l + 1}), "
                              f"not {_length(value)}")
    for j, row in enumerate(rows):
        at = loc if len(shape) == 1 else (*loc, j)
        if not _list(row) or len(row) != shape[-1]:
            needs = f"one per unit of layer {l}" if len(shape) == 2 else f"one per unit of layer {l + 1}"
            raise ModelError(at, f"{name}{''.join(f'[{i}]' for i in at[1:])} needs {shape[-1]} numbers ({needs}), "
                                 f"not {_length(row)}")
        if not set(map(type, row)) <= NUMBER_TYPES:  # one pass in C; the slow search only for the culprit
            for k, v in enumerate(row):
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, Real):
                    raise ModelError((*at, k), "every weight and bias must be a number")
    try:
        array = np.array(value, dtype=dtype)
    except OverflowError:  # a whole number too large for a float
        raise ModelError(loc, NOT_FINITE) from None
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        raise ModelError((*loc, *(int(i) for i in bad[0])), NOT_FINITE)
    return array


def _list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _length(value: Any) -> str:
    return str(len(value)) if _list(value) else "a single value"


def _whole(n: Any) -> bool:
    return isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_))
