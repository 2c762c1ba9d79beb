"""Why a network is stuck, as data: saturation, indistinguishable inputs, outputs at the mean label.

Softmax shortens the [0.5, 0.5] plateau but cannot cure a real collapse: when the last hidden layer
gives examples with different labels the same code, every output layer can only answer their mean
label. These checks find such causes; `causes()` says them in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.nn.network import BackwardPass, ForwardPass, Network

SATURATION_THRESHOLD = 0.01  # σ'(z) below this passes on almost no gradient (σ' is at most 0.25)
IDENTICAL_TOLERANCE = 1e-3  # hidden codes closer than this (max abs difference) count as the same
MEAN_LABEL_TOLERANCE = 0.05
MAX_EXAMPLES_COMPARED = 256
INDISTINGUISHABLE_SHARE = 0.1  # below this, a few coinciding codes do not explain a stuck run  # pairwise comparison cost grows as N²


@dataclass(frozen=True)
class LayerDiagnostics:
    layer: int
    saturated_fraction: float  # (example, unit) pairs where the activation's slope is below the threshold
    stuck_fraction: float  # units with that slope on every example: saturated for good, or ReLUs dead
    mean_abs_activation: float


@dataclass(frozen=True)
class Cause:
    code: str
    message: str
    suggestion: str


@dataclass(frozen=True)
class Diagnosis:
    layers: list[LayerDiagnostics]
    indistinguishable_fraction: float  # of example pairs with different labels, those the last hidden layer codes alike
    outputs_at_mean_label: bool
    gradient_vanished: bool
    nonfinite_loss: bool
    has_hidden_layer: bool
    hidden_activation: str | None
    cause_list: list[Cause] = field(default_factory=list)

    @property
    def collapsed(self) -> bool:
        return self.outputs_at_mean_label or self.gradient_vanished


def _slopes(net: Network, layer: int, fwd: ForwardPass) -> np.ndarray | None:
    z, a = fwd.zs[layer], fwd.activations[layer + 1]
    if layer < len(net.W) - 1:
        name = net.hidden_activation
        if name in ("linear", "leaky_relu"):
            return None  # these never stop passing gradient
        return net._hidden.derivative(z, a)
    if net.output.activation == "linear":
        return None
    return a * (1.0 - a)  # sigmoid's slope, and the diagonal of softmax's Jacobian


def layer_diagnostics(net: Network, fwd: ForwardPass) -> list[LayerDiagnostics]:
    result = []
    for l in range(len(net.W)):
        slopes = _slopes(net, l, fwd)
        if slopes is None:
            saturated = stuck = 0.0
        else:
            flat = slopes < SATURATION_THRESHOLD
            saturated, stuck = float(flat.mean()), float(flat.all(axis=0).mean())
        mean_abs = float(np.abs(fwd.activations[l + 1]).mean())
        result.append(LayerDiagnostics(l, saturated, stuck, mean_abs))
    return result


def _indistinguishable_fraction(code: np.ndarray, Y: np.ndarray) -> float:
    if len(code) > MAX_EXAMPLES_COMPARED:
        picked = np.linspace(0, len(code) - 1, MAX_EXAMPLES_COMPARED).astype(int)
        code, Y = code[picked], Y[picked]
    labels = Y.argmax(axis=1)
    different = labels[:, None] != labels[None, :]
    if not different.any():
        return 0.0
    # Chebyshev distance between every pair of codes, one unit at a time: N² numbers in memory instead of
    # N² × units (a 5 MB temporary for 200 examples and 16 units, which made this check cost a dozen steps).
    distance = np.zeros((len(code), len(code)), dtype=code.dtype)
    gap = np.empty_like(distance)
    for unit in code.T:
        np.subtract(unit[:, None], unit[None, :], out=gap)
        np.abs(gap, out=gap)
        np.maximum(distance, gap, out=distance)
    return float((distance[different] < IDENTICAL_TOLERANCE).mean())


def diagnose(net: Network, X: np.ndarray, Y: np.ndarray, fwd: ForwardPass | None = None,
             bwd: BackwardPass | None = None) -> Diagnosis:
    Y = np.asarray(Y, dtype=np.float64)
    if fwd is None or bwd is None:
        fwd, bwd = net.gradients(X, Y)
    outputs = fwd.output
    loss = net.loss(fwd, Y)
    mean_label = Y.mean(axis=0)
    labels_differ = bool(np.abs(Y - mean_label).max() > 0.1)
    error = float(np.abs(outputs - Y).max()) if np.isfinite(outputs).all() else np.inf
    grad_size = max(float(np.abs(g).max()) for g in bwd.grad_W + bwd.grad_b)
    has_hidden = len(net.W) > 1
    code = fwd.activations[-2]  # the last hidden layer, or the inputs when there is none
    d = Diagnosis(
        layers=layer_diagnostics(net, fwd),
        indistinguishable_fraction=_indistinguishable_fraction(code, Y),
        outputs_at_mean_label=labels_differ and bool(np.abs(outputs - mean_label).max() < MEAN_LABEL_TOLERANCE),
        gradient_vanished=bool(grad_size < 1e-10 and error > 0.1),
        nonfinite_loss=not np.isfinite(loss),
        has_hidden_layer=has_hidden,
        hidden_activation=net.hidden_activation,
    )
    d.cause_list.extend(causes(d))
    return d


def causes(d: Diagnosis) -> list[Cause]:
    """The likely reasons a run is stuck, most fundamental first, each with what to try."""
    found: list[Cause] = []
    if d.nonfinite_loss:
        found.append(Cause("nonfinite_loss", "The loss is no longer a finite number: training diverged.",
                           "Lower the learning rate."))
    hidden = d.layers[:-1]
    first_saturated = hidden[0].stuck_fraction if hidden else 0.0
    if d.indistinguishable_fraction >= INDISTINGUISHABLE_SHARE:
        where = "the last hidden layer" if d.has_hidden_layer else "the inputs themselves"
        share = "every" if d.indistinguishable_fraction == 1.0 else f"{d.indistinguishable_fraction:.0%} of the"
        found.append(Cause(
            "identical_representations",
            f"For {share} pair of examples with different labels, {where} gives the same numbers, "
            "so no output layer can tell them apart; the best it can answer is their mean label.",
            "Scale the inputs (for pixels, divide by 255), use Xavier init, or make the inputs differ more.",
        ))
    if hidden and first_saturated > 0.5 and d.hidden_activation in ("sigmoid", "tanh"):
        found.append(Cause(
            "saturated_layer",
            f"{first_saturated:.0%} of the first layer's units are saturated on every example: "
            f"σ'(z) is almost 0 there, so almost no gradient flows back through them.",
            "Scale the inputs to about [0, 1] and use Xavier init.",
        ))
    dead = [l for l in hidden if l.stuck_fraction > 0.5] if d.hidden_activation == "relu" else []
    if dead:
        found.append(Cause(
            "dead_relus",
            f"Most ReLUs in layer {dead[0].layer + 1} output 0 for every example, so they pass no gradient.",
            "Use He init, a lower learning rate, or leaky_relu.",
        ))
    if not d.has_hidden_layer and d.outputs_at_mean_label and d.indistinguishable_fraction < INDISTINGUISHABLE_SHARE:
        found.append(Cause(
            "not_linearly_separable",
            "With no hidden layer the network can only draw a straight line between classes, "
            "and these classes are not on two sides of any line (XOR is the classic case).",
            "Add a hidden layer.",
        ))
    if d.gradient_vanished and not found:
        found.append(Cause(
            "zero_gradient",
            "The gradients are zero although the outputs are far from the labels: nothing will change.",
            "Check the saturation of each layer; try Xavier init or another activation.",
        ))
    return found
