"""Why a network is stuck, as data: inputs too large, saturation, indistinguishable inputs, outputs at the mean label.

Softmax shortens the [0.5, 0.5] plateau but cannot cure a real collapse: when the last hidden layer
gives examples with different labels the same code, every output layer can only answer their mean
label. These checks find such causes; `causes()` gives each an id (`Cause.code`), a headline and a detail in
plain words, `collapse_detail()` says what the learner sees and why, and `divergence_suggestion()` what to do
when a run blows up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from app.nn.network import BackwardPass, ForwardPass, Network
from app.nn.training import largest_value

SATURATION_THRESHOLD = 0.01  # σ'(z) below this passes on almost no gradient (σ' is at most 0.25)
IDENTICAL_TOLERANCE = 1e-3  # hidden codes closer than this (max abs difference) count as the same
MEAN_LABEL_TOLERANCE = 0.05
NEARLY_IDENTICAL_SHARE = 0.1  # inputs with different labels closer than this share of the inputs' size
MAX_EXAMPLES_COMPARED = 256
INDISTINGUISHABLE_SHARE = 0.1  # below this, a few coinciding codes do not explain a stuck run
SAME_OUTPUT_TOLERANCE = 1e-3  # outputs closer than this (max abs difference) count as one output for every input
# Over this many steps a full-batch loss that swings by more than this share of its mean, changing direction often
# and not falling, is oscillating: each step overshoots the valley it is in.
OSCILLATION_WINDOW = 50
OSCILLATION_SWING = 0.2
OSCILLATION_FALL = 0.05  # the second half of the window this much lower than the first: it is still falling
# Inputs past this make the first layer's sums with N(0, 1) weights run far beyond where σ and tanh bend (|z| ≲ 4),
# and make every update of a ReLU or linear layer huge: scale them first.
INPUT_SCALE_LIMIT = 10.0
# Continuous targets closer than this count as the same label (0/1 labels differ by 1, one-hot rows by 1 too).
TARGET_DIFFERENCE = 0.1


@dataclass(frozen=True)
class LayerDiagnostics:
    layer: int
    saturated_fraction: float  # (example, unit) pairs where the activation's slope is below the threshold
    stuck_fraction: float  # units with that slope on every example: saturated for good, or ReLUs dead
    mean_abs_activation: float


@dataclass(frozen=True)
class Cause:
    code: str  # the machine id the socket's events carry
    message: str  # the detail: what was found, with its numbers
    suggestion: str
    headline: str = ""  # the cause in a few words
    remedies: tuple[str, ...] = ()  # ids of what the suggestion proposes (REMEDIES): each must be able to help


# What a suggestion can propose, by id: the test of every cause checks these, never the wording.
REMEDIES = ("add_hidden_layer", "scale_inputs", "lower_learning_rate", "xavier_init", "he_init", "leaky_relu",
            "other_activation", "differ_inputs", "keep_training")


@dataclass(frozen=True)
class Diagnosis:
    layers: list[LayerDiagnostics]
    indistinguishable_fraction: float  # of example pairs with different labels, those the last hidden layer codes alike
    # (measured only for a stuck run: outputs at the mean label, vanished gradients or a non-finite loss; else 0)
    outputs_at_mean_label: bool
    gradient_vanished: bool
    nonfinite_loss: bool
    has_hidden_layer: bool
    hidden_activation: str | None
    loss: float = 0.0  # the loss over these examples: a stuck run's stops falling
    input_scale: float = 0.0  # the largest |x| of any input
    first_sum_scale: float = 0.0  # the median |z| of the first layer: w·x + b
    same_output_for_every_input: bool = False
    mean_output: list[float] = field(default_factory=list)  # the outputs averaged over the examples
    mean_label: list[float] = field(default_factory=list)
    # of example pairs with different labels, those whose inputs are identical: no network tells them apart
    identical_input_fraction: float = 0.0
    continuous_targets: bool = False  # a regression set's labels: one number per example, not classes
    cause_list: list[Cause] = field(default_factory=list)

    @property
    def collapsed(self) -> bool:
        return self.outputs_at_mean_label or self.gradient_vanished

    @property
    def inputs_too_large(self) -> bool:
        return self.input_scale > INPUT_SCALE_LIMIT

    @property
    def headline(self) -> str:
        """What a learner sees in the outputs of a collapsed run, in a few words."""
        if self.outputs_at_mean_label:
            return "Stuck at the mean label"
        if self.same_output_for_every_input:
            return "The same output for every input"
        return "Outputs stopped changing"


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


def continuous_targets(Y: np.ndarray) -> bool:
    """Labels that are one number per example other than 0 and 1: a regression set's targets, not classes."""
    return Y.shape[1] == 1 and not np.isin(Y, (0.0, 1.0)).all()


def _pairs_with_different_labels(code: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Chebyshev distance between every two rows of `code` (at most MAX_EXAMPLES_COMPARED of them, evenly
    picked), and which pairs have different labels (targets more than TARGET_DIFFERENCE apart)."""
    if len(code) > MAX_EXAMPLES_COMPARED:
        picked = np.linspace(0, len(code) - 1, MAX_EXAMPLES_COMPARED).astype(int)
        code, Y = code[picked], Y[picked]
    if Y.shape[1] > 1:
        labels = Y.argmax(axis=1)
        different = labels[:, None] != labels[None, :]
    else:
        different = np.abs(Y[:, 0][:, None] - Y[:, 0][None, :]) > TARGET_DIFFERENCE
    # One unit at a time: N² numbers in memory instead of N² × units (a 5 MB temporary for 200 examples and
    # 16 units, which made this check cost a dozen steps).
    distance = np.zeros((len(code), len(code)), dtype=code.dtype)
    gap = np.empty_like(distance)
    for unit in code.T:
        np.subtract(unit[:, None], unit[None, :], out=gap)
        np.abs(gap, out=gap)
        np.maximum(distance, gap, out=distance)
    return distance, different


def _indistinguishable_fraction(code: np.ndarray, Y: np.ndarray, tolerance: float = IDENTICAL_TOLERANCE) -> float:
    distance, different = _pairs_with_different_labels(code, Y)
    return float((distance[different] <= tolerance).mean()) if different.any() else 0.0


def identical_input_fraction(X: np.ndarray, Y: np.ndarray) -> float:
    """Of the example pairs with different labels, the share whose inputs are the same numbers (to rounding)."""
    X = np.asarray(X, dtype=np.float64)
    return _indistinguishable_fraction(X, np.asarray(Y), tolerance=1e-12 * max(largest_value(X), 1.0))


def nearly_identical_inputs(X: np.ndarray, Y: np.ndarray) -> Cause | None:
    """Inputs with different labels that differ by little next to the inputs' scale: not a collapse (they can be
    told apart), but the gradients that separate them are tiny, so the plateau at the mean label is long."""
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    if continuous_targets(Y):
        return None  # a smooth target gives near points near targets: that slows nothing down
    distance, different = _pairs_with_different_labels(X, Y)
    scale = largest_value(X)
    if not different.any() or scale == 0.0:
        return None
    # For each example, how far the nearest one with another label is; typically, not just at a noisy border.
    nearest = np.where(different, distance, np.inf).min(axis=1)
    typical = float(np.median(nearest[np.isfinite(nearest)]))
    if not 0.0 < typical < NEARLY_IDENTICAL_SHARE * scale:
        return None  # identical inputs are a real collapse (identical_inputs), far ones are not this
    return Cause(
        "nearly_identical_inputs",
        f"Inputs with different labels are nearly identical: typically they differ by only {typical:.3g}, next to "
        f"inputs of size up to {scale:.3g}. The network can tell them apart, but the gradients that separate "
        "them are tiny, so this plateau can last thousands of steps before it ends by itself.",
        "Keep training (speed: as fast as possible), or make the inputs differ more.",
        "Nearly identical inputs",
        ("keep_training", "differ_inputs"),
    )


def diagnose(net: Network, X: np.ndarray, Y: np.ndarray, fwd: ForwardPass | None = None,
             bwd: BackwardPass | None = None, scale_hint: str | None = None) -> Diagnosis:
    """`scale_hint`: where the caller's user scales the inputs (e.g. a checkbox), added to that suggestion."""
    Y = np.asarray(Y, dtype=np.float64)
    if fwd is None or bwd is None:
        fwd, bwd = net.gradients(X, Y)
    outputs = fwd.output
    loss = net.loss(fwd, Y)
    mean_label = Y.mean(axis=0)
    labels_differ = bool(np.abs(Y - mean_label).max() > 0.1)
    finite = bool(np.isfinite(outputs).all())
    error = float(np.abs(outputs - Y).max()) if finite else np.inf
    grad_size = max(float(np.abs(g).max()) for g in bwd.grad_W + bwd.grad_b)
    has_hidden = len(net.W) > 1
    code = fwd.activations[-2]  # the last hidden layer, or the inputs when there is none
    at_mean_label = labels_differ and bool(np.abs(outputs - mean_label).max() < MEAN_LABEL_TOLERANCE)
    vanished = bool(grad_size < 1e-10 and error > 0.1)
    stuck = at_mean_label or vanished or not np.isfinite(loss)
    d = Diagnosis(
        layers=layer_diagnostics(net, fwd),
        # N² pairs of codes, the costly part (a live session checks every 50 steps): only a stuck run needs it.
        indistinguishable_fraction=_indistinguishable_fraction(code, Y) if stuck else 0.0,
        outputs_at_mean_label=at_mean_label,
        gradient_vanished=vanished,
        nonfinite_loss=not np.isfinite(loss),
        has_hidden_layer=has_hidden,
        hidden_activation=net.hidden_activation,
        loss=float(loss),
        input_scale=largest_value(X),
        first_sum_scale=float(np.median(np.abs(fwd.zs[0]))),
        same_output_for_every_input=finite and bool(np.abs(outputs - outputs[0]).max() < SAME_OUTPUT_TOLERANCE),
        mean_output=outputs.mean(axis=0).tolist() if finite else [],
        mean_label=mean_label.tolist(),
        identical_input_fraction=identical_input_fraction(X, Y) if stuck else 0.0,
        continuous_targets=continuous_targets(Y),
    )
    d.cause_list.extend(causes(d, scale_hint))
    return d


def scale_inputs_suggestion(scale_hint: str | None = None) -> str:
    """The fix for inputs that are too large, with where the user does it (`scale_hint`), if given."""
    where = f"; {scale_hint}" if scale_hint else ""
    return f"Scale the inputs to about 0–1 (for pixels, divide by 255){where}."


def divergence_suggestion(input_scale: float, learning_rate: float, scale_hint: str | None = None) -> str:
    """What to do about a run that blew up: the inputs' scale first when it is the cause, else a 10× smaller rate."""
    if input_scale > INPUT_SCALE_LIMIT:
        return (f"{scale_inputs_suggestion(scale_hint)} Inputs up to {input_scale:g} make every update huge; "
                "a smaller learning rate would only hide that.")
    return (f"Lower the learning rate 10×, from {learning_rate:.3g} to {learning_rate / 10:.3g} "
            "(and by 10× again if it still blows up).")


def vector_text(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.3g}" for v in values) + "]"


def collapse_detail(d: Diagnosis) -> str:
    """A collapsed run after its `headline`: what is seen, then the main cause."""
    if d.outputs_at_mean_label:
        seen = f"Every input gets about {vector_text(d.mean_label)}, the average of the labels."
    elif d.same_output_for_every_input:
        seen = f"Every input gets {vector_text(d.mean_output)}, and it no longer changes."
    else:
        seen = ""  # the cause says why the outputs, which differ, stopped changing
    cause = d.cause_list[0].message if d.cause_list else ""
    return " ".join(part for part in (seen, cause) if part)


def collapse_message(d: Diagnosis) -> str:
    """The headline and the detail as one text, for a terminal."""
    return f"{d.headline}. {collapse_detail(d)}".strip()


NOT_LINEARLY_SEPARABLE = Cause(
    "not_linearly_separable",
    "With no hidden layer the network can only draw a straight line between classes, "
    "and these classes are not on two sides of any line (XOR and the moons are classic cases): it has stopped "
    "at the best a line can do.",
    "Add a hidden layer.",
    "Not linearly separable",
    ("add_hidden_layer",),
)

NO_PLANE_FITS = Cause(
    "no_plane_fits",
    "With no hidden layer and a linear output the network's output is a flat plane over the inputs, and no plane "
    "follows these targets (bumps up and down, say): it has stopped at the best a plane can do.",
    "Add a hidden layer.",
    "No plane fits the targets",
    ("add_hidden_layer",),
)


def no_line_fits(d: Diagnosis) -> Cause:
    """A network with no hidden layer at the best it can do: a line between classes, or a plane through targets."""
    return NO_PLANE_FITS if d.continuous_targets else NOT_LINEARLY_SEPARABLE


IDENTICAL_INPUTS = Cause(
    "identical_inputs",
    "Examples with different labels have exactly the same inputs: no network, whatever its layers or starting "
    "weights, can tell them apart, so the best any can answer is their mean label.",
    "Give examples with different labels different inputs.",
    "Identical inputs, different labels",
    ("differ_inputs",),
)


def oscillation(losses: Sequence[float], learning_rate: float) -> Cause | None:
    """The last OSCILLATION_WINDOW full-batch losses swinging up and down without falling: the rate overshoots."""
    window = np.asarray(losses, dtype=np.float64)[-OSCILLATION_WINDOW:]
    if len(window) < OSCILLATION_WINDOW or not np.isfinite(window).all():
        return None
    low, high, mean = float(window.min()), float(window.max()), float(window.mean())
    half = OSCILLATION_WINDOW // 2
    falling = window[half:].mean() < (1 - OSCILLATION_FALL) * window[:half].mean()
    turns = int(np.count_nonzero(np.diff(np.sign(np.diff(window)))))  # changes of direction
    if falling or mean <= 0 or (high - low) < OSCILLATION_SWING * mean or turns < OSCILLATION_WINDOW // 4:
        return None
    return Cause(
        "oscillating",
        f"Over the last {OSCILLATION_WINDOW} steps the loss swung between {low:.3g} and {high:.3g}, changing "
        f"direction {turns} times, without falling: each step jumps past the valley it is in, to the other side.",
        f"Lower the learning rate 10×, from {learning_rate:.3g} to {learning_rate / 10:.3g}.",
        "The loss swings instead of falling",
        ("lower_learning_rate",),
    )


def _fix(suggestion: str, *remedies: str) -> dict:
    """A cause's suggestion with the ids of what it proposes."""
    return {"suggestion": suggestion, "remedies": remedies}


def large_inputs(d: Diagnosis, scale_hint: str | None) -> Cause:
    """Inputs too large, and what their huge first-layer sums did to this network."""
    hidden, output = d.layers[:-1], d.layers[-1]
    effects = []
    if hidden and hidden[0].stuck_fraction > 0.5:
        if d.hidden_activation in ("sigmoid", "tanh"):
            ends = "0 or 1" if d.hidden_activation == "sigmoid" else "−1 or 1"
            effects.append(f"its {d.hidden_activation} units sit at {ends} (saturated), where their slope is "
                           "almost 0, so almost no gradient flows back")
        elif d.hidden_activation == "relu":
            effects.append("its ReLUs die: they output 0 for every example and pass no gradient")
    if output.stuck_fraction > 0.5:
        effects.append("the output units are pushed to 0 or 1 (saturated), where their slope is almost 0")
    if not effects:
        effects.append("every update is huge")
    sums = f" (typically ±{d.first_sum_scale:.0f})" if d.first_sum_scale > INPUT_SCALE_LIMIT else ""
    return Cause(
        "unscaled_inputs",
        f"The inputs are large (up to {d.input_scale:g}), so the first layer's weighted sums w·x + b are huge"
        f"{sums}: {'; '.join(effects)}.",
        scale_inputs_suggestion(scale_hint),
        "The inputs are too large",
        ("scale_inputs",),
    )


def causes(d: Diagnosis, scale_hint: str | None = None) -> list[Cause]:
    """The likely reasons a run is stuck, most fundamental first, each with what to try.

    Inputs that are too large come first: they cause the saturation, dead ReLUs and identical hidden codes
    found after them, whose suggestion is then the same one, scaling the inputs.
    """
    found: list[Cause] = []
    hidden = d.layers[:-1]
    first_saturated = hidden[0].stuck_fraction if hidden else 0.0
    dead = [l for l in hidden if l.stuck_fraction > 0.5] if d.hidden_activation == "relu" else []
    something_stuck = d.collapsed or d.nonfinite_loss or any(l.stuck_fraction > 0.5 for l in d.layers)
    large = d.inputs_too_large and something_stuck
    scale = _fix(scale_inputs_suggestion(scale_hint), "scale_inputs")
    identical_inputs = d.identical_input_fraction >= INDISTINGUISHABLE_SHARE
    if d.nonfinite_loss:
        found.append(Cause("nonfinite_loss", "The loss is no longer a finite number: training diverged.",
                           **(scale if d.inputs_too_large
                              else _fix("Lower the learning rate 10×.", "lower_learning_rate")),
                           headline="The loss is not a finite number"))
    if large:
        found.append(large_inputs(d, scale_hint))
    if identical_inputs:
        found.append(IDENTICAL_INPUTS)  # hidden codes that coincide follow: nothing else would help
    elif d.indistinguishable_fraction >= INDISTINGUISHABLE_SHARE:
        where = "the last hidden layer" if d.has_hidden_layer else "the inputs themselves"
        share = "every" if d.indistinguishable_fraction == 1.0 else f"{d.indistinguishable_fraction:.0%} of the"
        found.append(Cause(
            "identical_representations",
            f"For {share} pair of examples with different labels, {where} gives the same numbers, "
            "so no output layer can tell them apart; the best it can answer is their mean label.",
            **(scale if large else _fix("Make the inputs differ more, or try Xavier init.", "differ_inputs",
                                        "xavier_init")),
            headline="Different labels, the same numbers",
        ))
    if hidden and first_saturated > 0.5 and d.hidden_activation in ("sigmoid", "tanh") and not identical_inputs:
        found.append(Cause(
            "saturated_layer",
            f"{first_saturated:.0%} of the first layer's units are saturated on every example: "
            f"σ'(z) is almost 0 there, so almost no gradient flows back through them.",
            **(scale if large else _fix("Use Xavier init, or a smaller learning rate.", "xavier_init",
                                        "lower_learning_rate")),
            headline="Saturated units",
        ))
    if dead and not identical_inputs:
        found.append(Cause(
            "dead_relus",
            f"Most ReLUs in layer {dead[0].layer + 1} output 0 for every example, so they pass no gradient.",
            **(scale if large else _fix("Use He init, a lower learning rate, or leaky_relu.", "he_init",
                                        "lower_learning_rate", "leaky_relu")),
            headline="Dead ReLUs",
        ))
    # With no hidden layer, outputs at the mean label or gradients at zero short of the labels are the best a line
    # can do (the loss of one layer has no other valley), unless the output units are saturated.
    best_line = d.outputs_at_mean_label or (d.gradient_vanished and d.layers[-1].stuck_fraction <= 0.5)
    if not d.has_hidden_layer and best_line and not identical_inputs \
            and d.indistinguishable_fraction < INDISTINGUISHABLE_SHARE:
        found.append(no_line_fits(d))
    if d.gradient_vanished and not found:
        found.append(Cause(
            "zero_gradient",
            "The gradients are zero although the outputs are far from the labels: nothing will change.",
            **(_fix("Check the saturation of each layer; try Xavier init or another activation.", "xavier_init",
                    "other_activation") if d.has_hidden_layer else
               _fix("The output units are saturated: lower the learning rate, or scale the inputs.",
                    "lower_learning_rate", "scale_inputs")),
            headline="Zero gradients",
        ))
    return found
