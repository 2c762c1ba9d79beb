"""The classic learner's mistakes in backpropagation, each a named variant of the exact pass.

Diagnosis is matching, never guessing: compute every variant on the learner's weights and examples and see
which one their numbers equal (app/check/). Each variant below changes one line of the four equations of
network.py, and says which equation it breaks:

    (BP1) δᴸ = ∂c/∂zᴸ            (BP2) δˡ = (δˡ⁺¹ Wˡ⁺¹) ⊙ σ'(zˡ)
    (BP3) ∂C/∂bˡ = mean of δˡ    (BP4) ∂C/∂Wˡ = mean of δˡ (aˡ⁻¹)ᵀ

Examples are rows here, as in the engine: δ of a layer is (N, n_out), W[l] is (n_out, n_in). The `fix` of each
mistake is written in the learner's own column-vector conventions (Nielsen's: x of shape (n, 1), and
`delta @ a_prev.T` for the gradient), because that is the code they will correct.

Some mistakes are written in several ways that give different numbers (σ'(a) in the hidden layers only, say):
those are the mistake's `forms`. The first form is the one trainers use and ../shared/reference/mistakes.json
holds; diagnosis tries every form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from app.nn.activations import hidden_activation, sigmoid
from app.nn.network import ForwardPass, Network


@dataclass(frozen=True)
class Form:
    """One way of writing a mistake, with numbers of its own."""

    id: str
    text: str  # one short phrase: how or where it is written


@dataclass(frozen=True)
class Mistake:
    id: str
    title: str  # a few words
    sentence: str  # what the learner did, in plain words
    fix: str  # what to write instead, with one line of NumPy in column-vector conventions
    equation: str  # "forward" | "cost" | "BP1" | "BP2" | "BP3" | "BP4" | "update"
    needs_two_calls: bool = False  # visible only by calling backprop twice with the same inputs
    forms: tuple[Form, ...] = ()  # several ways of writing it, the reference one first; () for one way


_CATALOGUE = [
    Mistake(
        "softmax_elementwise_derivative", "softmax treated as elementwise",
        "You multiplied (a − y) by a(1 − a) as if softmax were a sigmoid. Each softmax output depends on every z "
        "of the layer, so its derivative is a matrix, not one number per unit.",
        "Use the whole Jacobian J = diag(a) − a aᵀ: `delta = a * ((a - y) - a.T @ (a - y))`; or switch to "
        "cross-entropy, where δᴸ is simply a − y.",
        "BP1"),
    Mistake(
        "sigmoid_prime_kept", "σ'(z) kept where it cancels",
        "You multiplied δᴸ by σ'(z) = a(1 − a). With cross-entropy (after softmax, or binary after sigmoid) that "
        "factor cancels out of the derivative, so keeping it shrinks the gradient exactly when the answer is "
        "most wrong.",
        "Leave the factor out: `delta = a - y`.",
        "BP1", forms=(Form("a_times_one_minus_a", "(a − y) ⊙ a(1 − a)"),
                      Form("sigmoid_prime_of_z", "(a − y) ⊙ σ'(z) of the z before softmax"))),
    Mistake(
        "derivative_of_output", "σ'(a) instead of σ'(z)",
        "You applied the derivative to the activation a instead of the weighted input z, so the sigmoid is "
        "applied twice: σ'(a) = σ(a)(1 − σ(a)) where σ'(z) belongs.",
        "Pass z, not a: `sigmoid_prime(z)`, or use a directly: `a * (1 - a)`.",
        "BP1", forms=(Form("everywhere", "wherever σ' is taken"),
                      Form("hidden_layers_only", "in the hidden layers only"),
                      Form("output_layer_only", "at the output layer only"))),
    Mistake(
        "hidden_derivative_missing", "hidden σ'(z) missing",
        "When you sent δ back through the weights to a hidden layer, you left out the ⊙ σ'(z) factor of that "
        "layer.",
        "Multiply by the hidden layer's derivative: `delta = (w_next.T @ delta) * sigmoid_prime(z)`.",
        "BP2"),
    Mistake(
        "sign_flipped", "sign flipped",
        "You used y − a where a − y belongs, so every gradient points the wrong way and each step climbs the cost.",
        "The cost's derivative is a − y: `delta = (a - y) * sigmoid_prime(z)`, then step downhill with "
        "`w = w - eta * nabla_w`.",
        "BP1"),
    Mistake(
        "weights_not_transposed", "weights not transposed",
        "When you sent δ back to the layer before, you multiplied by W where its transpose Wᵀ belongs. It only "
        "runs because the layers have the same size.",
        "Transpose the next layer's weights: `delta = (w_next.T @ delta) * sigmoid_prime(z)`.",
        "BP2"),
    Mistake(
        "examples_mixed", "examples averaged too early",
        "You averaged δ and the activations over the examples before multiplying them, so every example gets the "
        "gradient of an average example. With examples [1, 0] and [0, 1] the first layer's weights get the same "
        "update in both columns, so the two examples' first-layer sums z keep the difference the starting weights "
        "gave them. With sigmoid hidden units training then often stops once the outputs averaged over the "
        "examples are [0.5, 0.5], short of each example's own label.",
        "Multiply each example's own δ by its own activations, then average: `nabla_w = delta @ a_prev.T / N` "
        "with one column per example.",
        "BP4", forms=(Form("mean_delta_times_mean_activation", "mean δ times mean activation"),
                      Form("mean_input_pushed_through", "backprop run once on the mean input and label"))),
    Mistake(
        "sum_not_mean", "summed, not averaged",
        "You added the gradients over the examples instead of averaging them, so they are N times too large. "
        "The direction is right; it acts like a learning rate N times larger.",
        "Divide by the number of examples: `nabla_w = delta @ a_prev.T / N` (or use eta / N, as Nielsen does).",
        "BP4"),
    Mistake(
        "stale_output_weights", "weights updated too early",
        "You updated the output weights before sending δ back through them, so the hidden layers' δ used the "
        "new weights instead of the ones that produced this output.",
        "Compute every δ and gradient first, then update all the weights: "
        "`weights = [w - eta * nw for w, nw in zip(weights, nabla_w)]`.",
        "update"),
    Mistake(
        "bias_gradient_missing", "bias gradient missing",
        "Your ∂C/∂b is zero (never computed, or never applied), so the biases never learn.",
        "The bias gradient is δ itself: `nabla_b = delta` for one example, "
        "`delta.mean(axis=1, keepdims=True)` for several.",
        "BP3"),
    Mistake(
        "gradients_not_reset", "gradients not reset",
        "Your gradients keep the previous call's values and add the new ones, so a second call with the same "
        "inputs returns twice the gradient, and every step grows.",
        "Start from zeros in every call: `nabla_w = [np.zeros(w.shape) for w in weights]`.",
        "update", needs_two_calls=True),
]
MISTAKES: dict[str, Mistake] = {m.id: m for m in _CATALOGUE}
TAKES_LEARNING_RATE = frozenset({"stale_output_weights"})  # mistakes whose backward pass depends on η


@dataclass
class Numbers:
    """Every number of one forward and backward pass; per-layer lists are per weight layer, input side first."""

    loss: float
    outputs: np.ndarray  # aᴸ, (N, k)
    zs: list[np.ndarray]  # (N, n_l)
    activations: list[np.ndarray]  # a of each weight layer (not the inputs), (N, n_l)
    deltas: list[np.ndarray]  # (N, n_l)
    grad_W: list[np.ndarray]  # (n_out, n_in)
    grad_b: list[np.ndarray]  # (n_out,)


def mistake_applies(mistake_id: str, net: Network) -> bool:
    """Whether the mistake can happen, and changes a number, for this network's layers and output layer."""
    pairing = (net.output.activation, net.output.loss)
    has_hidden = len(net.W) > 1
    if mistake_id not in MISTAKES:
        raise ValueError(f"unknown mistake {mistake_id!r}; known: {', '.join(MISTAKES)}")
    if mistake_id == "softmax_elementwise_derivative":
        return pairing == ("softmax", "mse")
    if mistake_id == "sigmoid_prime_kept":
        return pairing in (("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy"))
    if mistake_id == "derivative_of_output":
        return pairing == ("sigmoid", "mse") or (has_hidden and net.hidden_activation in ("sigmoid", "tanh"))
    if mistake_id == "hidden_derivative_missing":
        return has_hidden and net.hidden_activation != "linear"
    if mistake_id == "weights_not_transposed":  # δ Wᵀ has the right shape only where every Wˡ⁺¹ is square
        return has_hidden and all(W.shape[0] == W.shape[1] for W in net.W[1:])
    if mistake_id == "stale_output_weights":
        return has_hidden
    return True


def _form_id(mistake_id: str | None, form: str | None) -> str | None:
    """The form's id, the mistake's first form for None; None for a mistake written one way only."""
    forms = MISTAKES[mistake_id].forms if mistake_id else ()
    if form is None:
        return forms[0].id if forms else None
    if form not in [f.id for f in forms]:
        raise ValueError(f"{mistake_id} has no form {form!r}; its forms: {', '.join(f.id for f in forms) or 'none'}")
    return form


def form_applies(mistake_id: str, form: str | None, net: Network) -> bool:
    """Whether this form of the mistake can happen here and gives numbers its first form does not."""
    form = _form_id(mistake_id, form)
    if not mistake_applies(mistake_id, net):
        return False
    if form == "sigmoid_prime_of_z":  # after a sigmoid, σ(z) is a: the first form
        return net.output.activation == "softmax"
    if form in ("hidden_layers_only", "output_layer_only"):  # both places exist only then
        return ((net.output.activation, net.output.loss) == ("sigmoid", "mse") and len(net.W) > 1
                and net.hidden_activation in ("sigmoid", "tanh"))
    return True


def _sigma_prime_of_a_at_output(net: Network, form: str | None) -> bool:
    return (form in ("everywhere", "output_layer_only")
            and (net.output.activation, net.output.loss) == ("sigmoid", "mse"))


def _output_delta(net: Network, fwd: ForwardPass, Y: np.ndarray, mistake: str | None,
                  form: str | None) -> np.ndarray:
    """BP1, δᴸ = ∂c/∂zᴸ, or the learner's version of it."""
    z, a = fwd.zs[-1], fwd.output
    if form == "sigmoid_prime_of_z":
        s = sigmoid(z)  # Nielsen's `* sigmoid_prime(zs[-1])` kept under a softmax
        delta = (a - Y) * s * (1 - s)
    elif mistake in ("softmax_elementwise_derivative", "sigmoid_prime_kept"):
        delta = (a - Y) * a * (1 - a)
    elif mistake == "derivative_of_output" and _sigma_prime_of_a_at_output(net, form):
        s = sigmoid(a)  # σ'(a): the sigmoid applied once more
        delta = (a - Y) * s * (1 - s)
    else:
        delta = net.output.delta(z, a, Y)
    if mistake == "sign_flipped":
        delta = -delta  # y − a
    return delta


def _hidden_slope(net: Network, z: np.ndarray, a: np.ndarray, mistake: str | None,
                  form: str | None) -> np.ndarray:
    """σ'(zˡ) of a hidden layer, or σ'(aˡ) under derivative_of_output."""
    act = hidden_activation(net.hidden_activation)
    if mistake == "derivative_of_output" and form in ("everywhere", "hidden_layers_only"):
        return act.derivative(a, act.fn(a))
    return act.derivative(z, a)


def backward_under(net: Network, fwd: ForwardPass, Y: np.ndarray, mistake: str | None, learning_rate: float = 1.0,
                   previous: tuple[list[np.ndarray], list[np.ndarray]] | None = None, form: str | None = None,
                   ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """(deltas, grad_W, grad_b) as the learner with `mistake` computes them (None: the exact ones), written in
    `form` (None: the mistake's first form).

    A trainer can call this every step. `learning_rate` is the step stale_output_weights took too early;
    `previous` is (grad_W, grad_b) of the last call, which gradients_not_reset adds to the new ones.
    """
    Y = np.asarray(Y, dtype=np.float64)
    N, L = len(Y), len(net.W)
    inputs = fwd.activations  # inputs[l]: what weight layer l multiplies (inputs[0] is X)
    form = _form_id(mistake, form)
    if form == "mean_input_pushed_through":  # one pass for the average example, its δ given to every example
        mean = net.forward(inputs[0].mean(axis=0, keepdims=True))
        deltas, grad_W, grad_b = backward_under(net, mean, Y.mean(axis=0, keepdims=True), None)
        return [np.repeat(d, N, axis=0) for d in deltas], grad_W, grad_b

    delta = _output_delta(net, fwd, Y, mistake, form)  # BP1
    deltas = [delta]
    W_back = list(net.W)
    if mistake == "stale_output_weights":  # the output weights already took their step
        W_back[-1] = net.W[-1] - learning_rate * (delta.T @ inputs[-2]) / N
    for l in range(L - 1, 0, -1):  # BP2, from weight layer l back to weight layer l − 1
        W = W_back[l].T if mistake == "weights_not_transposed" else W_back[l]
        back = delta @ W
        if mistake == "hidden_derivative_missing":
            delta = back
        else:
            delta = back * _hidden_slope(net, fwd.zs[l - 1], inputs[l], mistake, form)
        deltas.insert(0, delta)

    grad_b = [d.mean(axis=0) for d in deltas]  # BP3
    grad_W = [d.T @ a_prev / N for d, a_prev in zip(deltas, inputs[:-1])]  # BP4
    if form == "mean_delta_times_mean_activation":
        grad_W = [np.outer(d.mean(axis=0), a_prev.mean(axis=0)) for d, a_prev in zip(deltas, inputs[:-1])]
    if mistake == "sum_not_mean":
        # The sums themselves (not the mean × N), with δ and a laid out as the learner's columns, as in the exported
        # script: a step N times too large makes momentum amplify even a last-bit difference between the two.
        columns = [np.ascontiguousarray(d.T) for d in deltas]
        grad_W = [c @ np.asfortranarray(a_prev) for c, a_prev in zip(columns, inputs[:-1])]
        grad_b = [c.sum(axis=1) for c in columns]
    if mistake == "bias_gradient_missing":
        grad_b = [np.zeros_like(g) for g in grad_b]
    if mistake == "gradients_not_reset" and previous is not None:
        grad_W = [old + new for old, new in zip(previous[0], grad_W)]
        grad_b = [old + new for old, new in zip(previous[1], grad_b)]
    return deltas, grad_W, grad_b


def _numbers(net: Network, X: np.ndarray, Y: np.ndarray, mistake: str | None, learning_rate: float,
             form: str | None = None) -> Numbers:
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    fwd = net.forward(X)
    deltas, grad_W, grad_b = backward_under(net, fwd, Y, None)
    if mistake == "gradients_not_reset":  # the second call: the first call's gradients plus the same again
        deltas, grad_W, grad_b = backward_under(net, fwd, Y, mistake, learning_rate, previous=(grad_W, grad_b))
    elif mistake is not None:
        deltas, grad_W, grad_b = backward_under(net, fwd, Y, mistake, learning_rate, form=form)
    return Numbers(loss=net.loss(fwd, Y), outputs=fwd.output, zs=list(fwd.zs), activations=fwd.activations[1:],
                   deltas=deltas, grad_W=grad_W, grad_b=grad_b)


def exact_numbers(net: Network, X: np.ndarray, Y: np.ndarray) -> Numbers:
    """The right numbers: the engine's forward pass and the four equations."""
    return _numbers(net, X, Y, None, 1.0)


def mistaken_numbers(net: Network, X: np.ndarray, Y: np.ndarray, mistake_id: str,
                     learning_rate: float = 1.0, form: str | None = None) -> Numbers:
    """The numbers a learner who made `mistake_id` in `form` (None: its first) gets (for gradients_not_reset:
    what their second call returns). The forward pass and the loss are the right ones: every mistake of the
    catalogue is in the backward pass."""
    if not form_applies(mistake_id, form, net):
        raise ValueError(f"{mistake_id} {f'({form}) ' if form else ''}cannot happen in a {net.layer_sizes} network "
                         f"with {net.output.activation} outputs and {net.output.loss}")
    return _numbers(net, X, Y, mistake_id, learning_rate, form)


def every_form_numbers(net: Network, X: np.ndarray, Y: np.ndarray, mistake_id: str, learning_rate: float = 1.0,
                       ) -> Iterator[tuple[Form | None, Numbers]]:
    """(form, its numbers) for every form of the mistake that can happen here, the first form first; the form is
    None for a mistake written one way only."""
    for form in MISTAKES[mistake_id].forms or (None,):
        if form_applies(mistake_id, form and form.id, net):
            yield form, _numbers(net, X, Y, mistake_id, learning_rate, form and form.id)
