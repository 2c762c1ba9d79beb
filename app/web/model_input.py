"""Turn a request's model and examples into engine objects, with a 422 that points at the field to fix."""

from __future__ import annotations

import numpy as np

from app.nn import ModelError, Network, SizeLimits, check_model
from app.settings import Settings
from app.web.errors import invalid
from app.web.schemas import Examples, ModelDocument


def size_limits(settings: Settings) -> SizeLimits:
    return SizeLimits(settings.max_layers, settings.max_units, settings.max_parameters)


def network_from(doc: ModelDocument | dict, settings: Settings, loc: tuple = ("body", "model")) -> Network:
    """The network a request's model describes (app/nn/model_doc.py decides), or a 422 at the field to fix."""
    try:
        return check_model(doc, size_limits(settings))
    except ModelError as e:
        raise invalid((*loc, *e.loc), e.message) from None


def examples_from(body: Examples, net: Network, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    return rows_from(body.inputs, body.labels, net, settings)


def rows_from(inputs: list, labels: list, net: Network, settings: Settings,
              names: tuple[str, str] = ("inputs", "labels")) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and labels checked against the model, a 422 at the offending field (`names`: the body's fields)."""
    n_in, n_out = net.layer_sizes[0], net.layer_sizes[-1]
    inputs_name, labels_name = names
    if len(inputs) > settings.max_examples:
        raise invalid(("body", inputs_name), f"at most {settings.max_examples:,} examples are allowed; "
                                             f"got {len(inputs):,}")
    if len(labels) != len(inputs):
        raise invalid(("body", labels_name), f"one label row per input row: got {len(inputs)} {inputs_name} "
                                             f"and {len(labels)} {labels_name}")
    for name, rows, width, what in ((inputs_name, inputs, n_in, "inputs (layer_sizes[0])"),
                                    (labels_name, labels, n_out, "outputs (layer_sizes[-1])")):
        for n, row in enumerate(rows):
            if len(row) != width:
                raise invalid(("body", name, n), f"{name}[{n}] has {len(row)} numbers; the model has "
                                                 f"{width} {what}")
    label_rows = np.array(labels, dtype=np.float64)
    check_labels(label_rows, net.output.loss, labels_name)
    return np.array(inputs, dtype=np.float64), label_rows


LABEL_SUM_TOLERANCE = 1e-9
CE_RULE = ("with cross_entropy each label row must be non-negative and sum to 1: a one-hot row such as [0, 1, 0] "
           "or a probability distribution")
BCE_RULE = "with binary_cross_entropy every label must be between 0 and 1 (the probability that the unit is on)"


def check_labels(labels: np.ndarray, loss: str, name: str = "labels") -> None:
    """Labels the loss can mean. Cross-entropy's δᴸ = a − y holds only for rows that sum to 1 (the engine computes
    a Σy − y) and a negative y rewards a wrong answer; binary cross-entropy is the cost of a probability. The
    quadratic cost takes any finite number. The first offending row is named."""
    if loss == "cross_entropy":
        negative = (labels < 0).any(axis=1)
        sums = labels.sum(axis=1)
        off = np.abs(sums - 1.0) > LABEL_SUM_TOLERANCE
        bad = np.flatnonzero(negative | off)
        if bad.size:
            n = int(bad[0])
            what = (f"{name}[{n}] has {labels[n].min():g}, below 0" if negative[n]
                    else f"{name}[{n}] sums to {sums[n]:.12g}, not 1")
            raise invalid(("body", name, n), f"{what}; {CE_RULE}")
    elif loss == "binary_cross_entropy":
        bad = np.argwhere((labels < 0) | (labels > 1))
        if bad.size:
            n, j = (int(i) for i in bad[0])
            raise invalid(("body", name, n), f"{name}[{n}][{j}] is {labels[n, j]:g}; {BCE_RULE}")


def finite_or_422(*arrays: np.ndarray) -> None:
    """Weights large enough to overflow give inf or NaN: say so rather than send them."""
    if not all(np.isfinite(a).all() for a in arrays):
        raise invalid(("body", "model"), "the model's numbers overflow (some z, a or cost is infinite or NaN); "
                                         "use smaller weights or inputs")
