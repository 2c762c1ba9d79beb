"""The text of an exported script's parts: hidden activations, output layers and costs, δᴸ, backprop, update rules.

Only the parts an experiment uses go into its script. The script is written for a beginner, in Nielsen's
conventions (one example per column; weights[l] of shape (n_out, n_in)), and each line computes what the engine
computes in the same order of operations, so the numbers agree to the last few bits.

A run kind is a pairing (output layer + cost) with, for a mistake run, the mistake's id after it
(app/nn/run_kinds.py). A mistake the script can show is one entry in MISTAKES: the lines it changes, each marked
`# ✗ the mistake: ...`.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

HIDDEN = {  # name: (σ(z), σ'(z) from z and a = σ(z))
    "sigmoid": ("1.0 / (1.0 + np.exp(-z))", "a * (1 - a)  # σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)"),
    "tanh": ("np.tanh(z)", "1 - a * a  # tanh'(z) = 1 − tanh²(z)"),
    "relu": ("np.maximum(z, 0.0)", "(z > 0).astype(float)  # 1 where z > 0, else 0"),
    "leaky_relu": ("np.where(z > 0, z, 0.01 * z)", "np.where(z > 0, 1.0, 0.01)"),
    "linear": ("z", "np.ones_like(z)"),
}

OUTPUT_FUNCTIONS = {
    "sigmoid": '''
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))
''',
    "softmax": '''
def softmax(z):
    # Subtracting each column's largest z changes nothing (it cancels in the ratio),
    # but keeps np.exp from overflowing when some z is large.
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def log_softmax(z):
    # log aⱼ = zⱼ − log Σₖ e^zₖ, from z: finite even where aⱼ itself rounds to 0.
    shifted = z - z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
''',
    "linear": '''
def linear(z):
    return z  # a regression output: any number, no squashing
''',
}

COSTS = {  # loss: the mean cost C over the n examples in the columns of y
    "mse": "0.5 * np.sum((a - y) ** 2) / n  # c = ½ Σⱼ (aⱼ − yⱼ)²",
    "binary_cross_entropy": "np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))) / n"
                            "  # c = −Σⱼ [yⱼ log aⱼ + (1 − yⱼ) log(1 − aⱼ)], from z: never log(0)",
    "cross_entropy": "-np.sum(y * log_softmax(z)) / n  # c = −Σⱼ yⱼ log aⱼ, with log-softmax: never log(0)",
}

PAIRINGS = {  # kind: (output activation, loss, the body of its delta(z, a, y): BP1, δᴸ = ∂c/∂zᴸ)
    "sigmoid_mse": ("sigmoid", "mse", "return (a - y) * a * (1 - a)  # (a − y) ⊙ σ'(z)"),
    "sigmoid_bce": ("sigmoid", "binary_cross_entropy",
                    "return a - y  # σ'(z) cancels against the cost's 1 / (a(1 − a))"),
    "softmax_ce": ("softmax", "cross_entropy",
                   "return a - y  # Jᵀ ∂c/∂a, J = diag(a) − a aᵀ and ∂c/∂a = −y / a: all that is left"),
    "softmax_mse": ("softmax", "mse",
                    "g = a - y  # ∂c/∂a\n"
                    "    return a * (g - np.sum(a * g, axis=0, keepdims=True))  # Jᵀ g = a ⊙ (g − a·g)"),
    "linear_mse": ("linear", "mse", "return a - y  # a = z, so ∂a/∂z = 1: δᴸ is the cost's own gradient"),
}

# backprop()'s lines, by slot; a mistake replaces some of them. An empty line is left out.
BACKPROP_LINES = {
    "BP1": "delta = delta_L(zs[-1], activations[-1], y)  # (BP1) δᴸ = ∂c/∂zᴸ",
    "early": "",
    "BP4": "nabla_w[l] = delta @ activations[l].T / n  # (BP4) mean of δˡ (aˡ⁻¹)ᵀ; activations[l] is aˡ⁻¹",
    "BP3": "nabla_b[l] = delta.sum(axis=1, keepdims=True) / n  # (BP3) mean of δˡ",
    "BP2": "delta = (weights[l].T @ delta) * hidden_prime(zs[l - 1], activations[l])  # (BP2)",
}

# BP4's added term with regularisation: ∂Ω/∂w, added after backprop and before the update, as the engine does
# (app/nn/regularization.py). The biases are never regularised.
REGULARIZATION_LINES = {
    "l2": "nabla_w[l] = nabla_w[l] + LAMBDA * weights[l]  # Ω = (λ/2) Σ w² adds λ w (weight decay)",
    "l1": "nabla_w[l] = nabla_w[l] + LAMBDA * np.sign(weights[l])  # Ω = λ Σ |w| adds λ sign(w)",
}

# The input features (app/datasets/features.py) of points in the columns of X, each a row of the network's inputs.
FEATURE_ROWS = {"x1": "X[0]", "x2": "X[1]", "x1_squared": "X[0] * X[0]", "x2_squared": "X[1] * X[1]",
                "x1_x2": "X[0] * X[1]", "sin_x1": "np.sin(X[0])", "sin_x2": "np.sin(X[1])"}


@dataclass(frozen=True)
class Mistake:
    delta: str | None = None  # δᴸ's body in place of the right one; {right} names the right delta function
    lines: dict[str, str] = field(default_factory=dict)  # backprop's lines it replaces, by slot
    needs_eta: bool = False  # its backprop takes the learning rate


MISTAKES = {  # by their ids in app/nn/mistakes.py, which computes the same numbers
    "softmax_elementwise_derivative": Mistake(
        "return (a - y) * a * (1 - a)  # ✗ the mistake: softmax treated as elementwise; right: Jᵀ (a − y)"),
    "sigmoid_prime_kept": Mistake(
        "return (a - y) * a * (1 - a)  # ✗ the mistake: σ'(z) = a(1 − a) kept where this cost cancels it"),
    "sign_flipped": Mistake("return -{right}(z, a, y)  # ✗ the mistake: y − a where a − y belongs"),
    "derivative_of_output": Mistake(
        "s = sigmoid(a)  # ✗ the mistake: σ'(a) = σ(a)(1 − σ(a)) where σ'(z) = a(1 − a) belongs\n"
        "    return (a - y) * s * (1 - s)",
        {"BP2": "delta = (weights[l].T @ delta) * hidden_prime(activations[l], hidden(activations[l]))"
                "  # ✗ the mistake (BP2): σ'(aˡ) where σ'(zˡ) belongs"}),
    "examples_mixed": Mistake(lines={
        "BP4": "nabla_w[l] = np.outer(delta.mean(axis=1), activations[l].mean(axis=1))"
               "  # ✗ the mistake (BP4): averaged over the examples before multiplying"}),
    "sum_not_mean": Mistake(lines={
        "BP4": "nabla_w[l] = delta @ activations[l].T  # ✗ the mistake (BP4): summed over the examples, not averaged",
        "BP3": "nabla_b[l] = delta.sum(axis=1, keepdims=True)  # ✗ the mistake (BP3): summed, not averaged"}),
    "bias_gradient_missing": Mistake(lines={
        "BP3": "nabla_b[l] = np.zeros_like(biases[l])  # ✗ the mistake (BP3): ∂C/∂b never computed"}),
    "hidden_derivative_missing": Mistake(lines={
        "BP2": "delta = weights[l].T @ delta  # ✗ the mistake (BP2): ⊙ σ'(zˡ) left out"}),
    "stale_output_weights": Mistake(lines={
        "early": "# The output weights take their step before δ goes back through them: BP2 below uses the new ones.\n"
                 "    weights = weights[:-1] + [weights[-1] - eta * (delta @ activations[-2].T) / n]"
                 "  # ✗ the mistake: updated too early"},
        needs_eta=True),
}
ELEMENTWISE_KIND = ("softmax_mse_elementwise", "softmax_mse", "softmax_elementwise_derivative")  # the older name


def kind_parts(kind: str) -> tuple[str, str | None] | None:
    """(pairing, mistake id or None) of a run kind, or None if the script cannot show it."""
    if kind == ELEMENTWISE_KIND[0]:
        return ELEMENTWISE_KIND[1], ELEMENTWISE_KIND[2]
    for pairing in PAIRINGS:
        mistake = kind[len(pairing) + 1:] if kind.startswith(pairing + "_") else None
        if kind == pairing or mistake in MISTAKES:
            return pairing, mistake
    return None


UPDATES = {  # the update rules, each changing the arrays of `params` in place
    "sgd": '''
def sgd(params, grads, state, eta):
    for p, g in zip(params, grads):
        p -= eta * g  # θ ← θ − η ∂C/∂θ
''',
    "momentum": '''
def momentum(params, grads, state, eta, mu):
    if not state:
        state["v"] = [np.zeros_like(p) for p in params]
    for p, g, v in zip(params, grads, state["v"]):
        v[...] = mu * v + g  # v ← μ v + ∂C/∂θ
        p -= eta * v  # θ ← θ − η v
''',
    "adam": '''
def adam(params, grads, state, eta, beta1, beta2, eps=1e-8):
    if not state:
        state.update(t=0, m=[np.zeros_like(p) for p in params], v=[np.zeros_like(p) for p in params])
    state["t"] += 1
    step = eta / (1.0 - beta1 ** state["t"])  # corrects m's start at zero
    root_correction2 = np.sqrt(1.0 - beta2 ** state["t"])  # corrects v's
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        m[...] = beta1 * m + (1.0 - beta1) * g  # running mean of the gradient
        v[...] = beta2 * v + (1.0 - beta2) * g * g  # ... and of its square
        p -= step * m / (np.sqrt(v) / root_correction2 + eps)  # as torch.optim.Adam
''',
}


# --- the same lines, by equation, for the dashboard's code view (hello.code) ------------------------------------
# One example is one column there (n = 1), so each line computes that example's own numbers.

FORWARD_LINE = "z = weights[l] @ a + biases[l]  # weights[l]: (n_out, n_in); a: one example, a column (n_in, 1)"


def _lines(text: str, mistake: bool = False) -> list[dict]:
    """Each line of a text, indented as in the script, with whether it is a mistake's."""
    text = re.sub(r"\n\n+", "\n\n", textwrap.dedent(text).strip("\n"))
    return [{"code": line, "mistake": mistake} for line in text.split("\n")]


def _delta_lines(body: str) -> list[str]:
    """A δᴸ function's body as assignments: `return x` becomes `delta = x`."""
    lines = [line.strip() for line in body.split("\n")]
    return [f"delta = {line[len('return '):]}" if line.startswith("return ") else line for line in lines]


def _bp1(pairing: str, mistake: str | None) -> list[dict]:
    """The right δᴸ; under a mistake of BP1, the mistake's lines (marked) first."""
    right = _delta_lines(PAIRINGS[pairing][2])
    body = MISTAKES[mistake].delta if mistake else None
    if not body:
        return [{"code": line, "mistake": False} for line in right]
    wrong = _delta_lines(body)
    if "{right}" in body:  # it calls the right δᴸ: here the right lines, with its expression in brackets
        expression = right[-1][len("delta = "):].split("  # ")[0]
        wrong = right[:-1] + _delta_lines(body.replace("{right}(z, a, y)", f"({expression})"))
    return ([{"code": line, "mistake": line not in right} for line in wrong]
            + [{"code": line, "mistake": False} for line in right if line not in wrong])


def _backprop_slots(mistake: str | None) -> dict[str, list[dict]]:
    """BP2, BP3 and BP4: a mistake's lines (marked) before the right ones they replace or precede."""
    changed = MISTAKES[mistake].lines if mistake else {}
    slots = {}
    for slot in ("BP2", "BP3", "BP4"):
        wrong = [changed[name] for name in (["early"] if slot == "BP2" else []) + [slot] if name in changed]
        slots[slot] = [line for text in wrong for line in _lines(text, mistake=True)] + _lines(BACKPROP_LINES[slot])
    return slots


def code_view(kinds: list[str]) -> dict:
    """The NumPy lines of every equation, as the exported script writes them: by hidden activation (forward
    layer, σ'), output activation, cost, run kind (BP1–BP4, a mistake's lines marked) and update rule."""
    backprop = {}
    for kind in kinds:
        if parts := kind_parts(kind):
            pairing, mistake = parts
            backprop[kind] = {"BP1": _bp1(pairing, mistake), **_backprop_slots(mistake)}
    return {
        "layers": {name: {"forward": _lines(FORWARD_LINE) + _lines(f"a = {fn}  # {name}(z)"),
                          "prime": _lines(f"def hidden_prime(z, a):\n    return {prime}")}
                   for name, (fn, prime) in HIDDEN.items()},
        "outputs": {name: _lines(f"{text}\n\na = {name}(z)  # the output layer")
                    for name, text in OUTPUT_FUNCTIONS.items()},
        "costs": {loss: _lines(f"C = {text}") for loss, text in COSTS.items()},
        "backprop": backprop,
        "updates": {name: _lines(text) for name, text in UPDATES.items()},
        "regularization": {name: _lines(text) for name, text in REGULARIZATION_LINES.items()},
    }


# "How do I write softmax?" in code: the lesson on softmax and the derivation page show this (z, y: columns).
SOFTMAX_ANSWER = (OUTPUT_FUNCTIONS["softmax"].strip("\n") + "\n\n\n"
                  "n = y.shape[1]  # examples, one per column (1 for one example)\n"
                  "a = softmax(z)  # z: the output layer's weighted sums\n"
                  f"C = {COSTS['cross_entropy']}\n"
                  f"delta = {PAIRINGS['softmax_ce'][2][len('return '):]}\n")  # (BP1), δᴸ = ∂c/∂zᴸ
