"""Turn checked request bodies into engine objects, with a 422 that points at the field to fix."""

from __future__ import annotations

import numpy as np

from app.nn import ModelError, Network, from_document
from app.nn.output_layer import loss_mismatch_message
from app.settings import Settings
from app.web.errors import invalid
from app.web.schemas import Examples, ModelDocument


def network_from(doc: ModelDocument, settings: Settings, loc: tuple = ("body", "model")) -> Network:
    sizes = doc.layer_sizes
    if len(sizes) - 1 > settings.max_layers:
        raise invalid((*loc, "layer_sizes"), f"at most {settings.max_layers} weight layers are allowed; "
                                             f"this model has {len(sizes) - 1}")
    if max(sizes) > settings.max_units:
        raise invalid((*loc, "layer_sizes"), f"at most {settings.max_units} units per layer are allowed; "
                                             f"this model has a layer of {max(sizes)}")
    parameters = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    if parameters > settings.max_parameters:
        raise invalid((*loc, "layer_sizes"), f"at most {settings.max_parameters:,} weights and biases are "
                                             f"allowed; this model has {parameters:,}")
    problem = loss_mismatch_message(doc.output_activation, doc.loss)
    if problem:
        raise invalid((*loc, "loss"), problem)
    try:
        return from_document(doc.model_dump())
    except ModelError as e:
        raise invalid((*loc, *e.loc), e.message) from None


def examples_from(body: Examples, net: Network, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    n_in, n_out = net.layer_sizes[0], net.layer_sizes[-1]
    if len(body.inputs) > settings.max_examples:
        raise invalid(("body", "inputs"), f"at most {settings.max_examples:,} examples are allowed; "
                                          f"got {len(body.inputs):,}")
    if len(body.labels) != len(body.inputs):
        raise invalid(("body", "labels"), f"one label row per input row: got {len(body.inputs)} inputs "
                                          f"and {len(body.labels)} labels")
    for name, rows, width, what in (("inputs", body.inputs, n_in, "inputs (layer_sizes[0])"),
                                    ("labels", body.labels, n_out, "outputs (layer_sizes[-1])")):
        for n, row in enumerate(rows):
            if len(row) != width:
                raise invalid(("body", name, n), f"{name}[{n}] has {len(row)} numbers; the model has "
                                                 f"{width} {what}")
    return np.array(body.inputs, dtype=np.float64), np.array(body.labels, dtype=np.float64)


def finite_or_422(*arrays: np.ndarray) -> None:
    """Weights large enough to overflow give inf or NaN: say so rather than send them."""
    if not all(np.isfinite(a).all() for a in arrays):
        raise invalid(("body", "model"), "the model's numbers overflow (some z, a or cost is infinite or NaN); "
                                         "use smaller weights or inputs")
