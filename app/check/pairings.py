"""Which output layer and loss did the learner mean? Their code does not say, so try each on the same weights.

The choice is deterministic and explained by `reason`:
1. "right_numbers": the first pairing (in the order asked) whose exact numbers the learner's match;
2. "named_mistake": else the first pairing where a catalogued mistake gives the learner's numbers;
3. "latest_first_mismatch": else the pairing whose numbers agree longest, in the order they are computed
   (the first mismatch comes latest), ties to the earlier pairing.
A pairing the labels cannot mean (cross-entropy rows that do not sum to 1, binary cross-entropy labels outside
[0, 1], softmax with one output unit) is skipped, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.check.numbers import CheckReport, check_numbers
from app.nn.network import Network
from app.nn.output_layer import OutputLayer

PAIRINGS = ("sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse")

# Reasons a pairing is skipped.
ONE_OUTPUT_UNIT = "softmax_needs_two_units"
LABELS_NOT_DISTRIBUTIONS = "labels_not_distributions"  # cross-entropy: each row non-negative, summing to 1
LABELS_OUTSIDE_0_1 = "labels_outside_0_1"  # binary cross-entropy


def unfit_labels(output: OutputLayer, Y: np.ndarray) -> str | None:
    """Why this output layer and loss cannot be meant with these labels, or None."""
    if output.activation == "softmax" and Y.shape[1] < 2:
        return ONE_OUTPUT_UNIT
    if output.loss == "cross_entropy" and ((Y < 0).any() or (np.abs(Y.sum(axis=1) - 1.0) > 1e-9).any()):
        return LABELS_NOT_DISTRIBUTIONS
    if output.loss == "binary_cross_entropy" and ((Y < 0) | (Y > 1)).any():
        return LABELS_OUTSIDE_0_1
    return None


@dataclass
class PairingSearch:
    chosen: str | None  # None only when every pairing was skipped
    reason: str | None  # "right_numbers" | "named_mistake" | "latest_first_mismatch"
    matching: list[str]  # pairings whose exact numbers the learner's match
    named: dict[str, list[str]]  # pairing → the mistake ids that give the learner's numbers under it
    skipped: dict[str, str]  # pairing → why it was not tried
    reports: dict[str, CheckReport]

    @property
    def report(self) -> CheckReport | None:
        return self.reports.get(self.chosen) if self.chosen else None

    def to_dict(self) -> dict[str, Any]:
        return {"chosen": self.chosen, "reason": self.reason, "matching": list(self.matching),
                "named": {k: list(v) for k, v in self.named.items()}, "skipped": dict(self.skipped)}


def check_pairings(net: Network, X: np.ndarray, Y: np.ndarray, yours: dict, learning_rate: float = 1.0,
                   yours_again: dict | None = None, pairings: tuple[str, ...] = PAIRINGS,
                   square_transposed: bool | None = None) -> PairingSearch:
    """check_numbers under each output layer + loss in `pairings` (run kind ids), on the weights of `net`."""
    Y = np.asarray(Y, dtype=np.float64)
    reports: dict[str, CheckReport] = {}
    skipped: dict[str, str] = {}
    for kind in pairings:
        output = OutputLayer.from_kind(kind)
        why = unfit_labels(output, Y)
        if why:
            skipped[kind] = why
            continue
        reports[kind] = check_numbers(net.with_output(output), X, Y, yours, learning_rate, yours_again,
                                      square_transposed)
    matching = [k for k, r in reports.items() if r.matches]
    named = {k: [m.id for m in r.diagnosis] for k, r in reports.items() if r.diagnosis}
    if matching:
        chosen, reason = matching[0], "right_numbers"
    elif named:
        chosen, reason = next(iter(named)), "named_mistake"
    elif reports:
        # max() keeps the first of equals, so ties go to the earlier pairing
        chosen = max(reports, key=lambda k: reports[k].first_mismatch.position)  # type: ignore[union-attr]
        reason = "latest_first_mismatch"
    else:
        chosen, reason = None, None
    return PairingSearch(chosen, reason, matching, named, skipped, reports)
