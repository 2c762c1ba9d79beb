"""The run kinds a session compares: an output layer and loss (a pairing), trained right or under one mistake.

A mistake run is the pairing's kind with the mistake's id after it (`sigmoid_mse_examples_mixed`), so every
place that carries a kind (links, charts, CSV, saved models) carries the mistake with it. The one exception is
older than the catalogue: `softmax_mse_elementwise` is softmax + MSE under softmax_elementwise_derivative.
"""

from __future__ import annotations

from dataclasses import dataclass

PAIRINGS = {
    "sigmoid_mse": ("sigmoid", "mse"),
    "sigmoid_bce": ("sigmoid", "binary_cross_entropy"),
    "softmax_ce": ("softmax", "cross_entropy"),
    "softmax_mse": ("softmax", "mse"),
    "linear_mse": ("linear", "mse"),  # the regression pairing: a continuous target, δᴸ = a − y
}
# Mistakes that can happen whatever the layer sizes, on every pairing (linear + MSE's δᴸ goes through
# OutputLayer.delta like the others', so each of these changes its numbers the same way)...
_ANY_PAIRING = ("examples_mixed", "hidden_derivative_missing", "sign_flipped", "stale_output_weights",
                "sum_not_mean", "bias_gradient_missing")
# ...and on some pairings only (where the right δᴸ has no σ'(z), or has one to misapply).
_SOME_PAIRINGS = {
    "sigmoid_mse": ("derivative_of_output",),
    "sigmoid_bce": ("sigmoid_prime_kept",),
    "softmax_ce": ("sigmoid_prime_kept",),
}
# Not run kinds: weights_not_transposed runs only where the layers are square, and gradients_not_reset trains as
# momentum with no friction (the gradients of every step so far, summed): on separable data it looks like faster
# learning while the weights grow without end, the opposite of what the mistake should teach.
NEEDS_HIDDEN_LAYER = ("hidden_derivative_missing", "stale_output_weights")  # both change BP2 only
CLIMBS = ("sign_flipped",)  # every step goes uphill: a rising loss is this mistake's symptom


@dataclass(frozen=True)
class RunKind:
    id: str
    activation: str
    loss: str
    mistake: str | None = None  # an id of app/nn/mistakes.py's catalogue

    @property
    def right_kind(self) -> str:
        """The kind of the same pairing without the mistake."""
        return next(k for k, pairing in PAIRINGS.items() if pairing == (self.activation, self.loss))

    @property
    def trained_mistake(self) -> str | None:
        """The mistake the trainer applies; None where the output layer itself computes it (the elementwise one)."""
        return None if self.elementwise else self.mistake

    @property
    def elementwise(self) -> bool:
        """The output layer computes this mistake (OutputLayer.elementwise_mistake)."""
        return self.mistake == "softmax_elementwise_derivative"

    def unfit(self, has_hidden_layer: bool) -> str | None:
        """Why this kind cannot train on a network, or None."""
        if self.mistake in NEEDS_HIDDEN_LAYER and not has_hidden_layer:
            return f"{self.id} needs a hidden layer: its mistake is in how δ goes back to one (add a hidden layer)"
        return None


def _all_kinds() -> dict[str, RunKind]:
    kinds = {k: RunKind(k, *pairing) for k, pairing in PAIRINGS.items()}
    kinds["softmax_mse_elementwise"] = RunKind("softmax_mse_elementwise", "softmax", "mse",
                                               "softmax_elementwise_derivative")
    for k, pairing in PAIRINGS.items():
        for mistake in _ANY_PAIRING + _SOME_PAIRINGS.get(k, ()):
            kinds[f"{k}_{mistake}"] = RunKind(f"{k}_{mistake}", *pairing, mistake)
    return kinds


RUN_KINDS: dict[str, RunKind] = _all_kinds()


def run_kind(kind: str) -> RunKind:
    try:
        return RUN_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown run kind {kind!r}; allowed: {', '.join(RUN_KINDS)}") from None
