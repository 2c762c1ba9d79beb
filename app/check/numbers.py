"""Check a learner's numbers against the exact pass, and name the classic mistake that gives them.

Diagnosis is matching: every mistake of the catalogue (app/nn/mistakes.py) that can happen in this network is
computed on the same weights and examples (each form of it: app/nn/mistakes.py), and a mistake is named when
its numbers equal the learner's in every quantity they gave, with the form that gives them. Where several give the
same numbers on this case, all are named.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from app.check.compare import TOLERANCE, difference, matches
from app.check.yours import Key, Read, gather, interpretations
from app.nn.mistakes import MISTAKES, Form, Mistake, Numbers, every_form_numbers, exact_numbers, mistake_applies
from app.nn.network import Network
from app.nn.output_layer import OutputLayer

LOSS_SHORT = {"mse": "mse", "binary_cross_entropy": "bce", "cross_entropy": "ce"}


def pairing_id(output: OutputLayer) -> str:
    """The output layer and loss as one id, the run kind's name where there is one: "softmax_ce"."""
    return f"{output.activation}_{LOSS_SHORT[output.loss]}"


def computation_order(n_layers: int) -> list[Key]:
    """Forward layer by layer (z, a), the outputs and the cost, δᴸ, δ back through the layers, then ∂C/∂b and
    ∂C/∂W from the output side: the order in which a mistake spreads, so the first mismatch is its cause."""
    order: list[Key] = [(q, l) for l in range(n_layers) for q in ("z", "a")]
    order += [("outputs", None), ("loss", None)]
    order += [("delta", l) for l in reversed(range(n_layers))]
    order += [("grad_b", l) for l in reversed(range(n_layers))]
    order += [("grad_W", l) for l in reversed(range(n_layers))]
    return order


def equation(key: Key, n_layers: int) -> str:
    quantity, layer = key
    if quantity == "loss":
        return "cost"
    if quantity == "delta":
        return "BP1" if layer == n_layers - 1 else "BP2"
    return {"grad_b": "BP3", "grad_W": "BP4"}.get(quantity, "forward")


def value(numbers: Numbers, key: Key) -> np.ndarray:
    quantity, layer = key
    if quantity == "loss":
        return np.asarray(numbers.loss)
    if quantity == "outputs":
        return numbers.outputs
    lists = {"z": numbers.zs, "a": numbers.activations, "delta": numbers.deltas,
             "grad_W": numbers.grad_W, "grad_b": numbers.grad_b}
    return lists[quantity][layer]


@dataclass(frozen=True)
class Named:
    """A catalogued mistake that gives the learner's numbers, and which of its forms does."""

    mistake: Mistake
    form: Form | None  # None for a mistake written one way only

    @property
    def id(self) -> str:
        return self.mistake.id

    def to_dict(self) -> dict[str, Any]:
        m = self.mistake
        return {"id": m.id, "title": m.title, "sentence": m.sentence, "fix": m.fix, "equation": m.equation,
                "form": self.form.id if self.form else None, "form_text": self.form.text if self.form else None}


Candidates = dict[tuple[str, Form | None], Numbers]  # (mistake id, form) → its numbers


def candidate_numbers(net: Network, X: np.ndarray, Y: np.ndarray, learning_rate: float,
                      two_calls: bool) -> Candidates:
    """Every form of every mistake that can happen in `net` (those needing two calls only with `two_calls`)."""
    with np.errstate(all="ignore"):
        return {(m, form): numbers for m in MISTAKES
                if mistake_applies(m, net) and (two_calls or not MISTAKES[m].needs_two_calls)
                for form, numbers in every_form_numbers(net, X, Y, m, learning_rate)}


@dataclass
class QuantityCheck:
    quantity: str  # z, a, outputs, loss, delta, grad_W, grad_b (the names of /api/backprop's answer)
    layer: int | None  # weight layer, input side first; None for loss and outputs
    call: int  # 1: yours; 2: yours_again (the second call with the same inputs)
    equation: str
    max_abs_difference: float
    max_relative_difference: float
    matches: bool
    transposed: bool = False  # grad_W read as the transpose of what was given
    examples_as: str = "rows"  # how the per-example arrays were read: "rows" or "columns"


@dataclass
class Mismatch:
    quantity: str
    layer: int | None
    call: int
    equation: str
    max_abs_difference: float
    index: list[int]  # the worst entry, in the engine's layout (examples as rows, W as (n_out, n_in))
    yours: float
    expected: float
    position: int  # how many compared quantities came before it and matched


@dataclass
class CheckReport:
    pairing: str
    quantities: list[QuantityCheck]
    first_mismatch: Mismatch | None
    layout_notes: list[str]
    diagnosis: list[Named]
    unknown_mistake: bool  # a mismatch that no mistake of the catalogue explains
    # When no mistake explains every number: those that give the first wrong quantity (a mistake made in one
    # place only, or two mistakes at once).
    first_mismatch_mistakes: list[Named] = field(default_factory=list)
    tolerance: dict[str, float] = field(default_factory=lambda: dict(TOLERANCE))

    @property
    def matches(self) -> bool:
        return self.first_mismatch is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: plain lists, numbers and strings, never NaN or Infinity."""
        return {
            "pairing": self.pairing,
            "matches": self.matches,
            "quantities": [asdict(q) for q in self.quantities],
            "first_mismatch": asdict(self.first_mismatch) if self.first_mismatch else None,
            "layout_notes": list(self.layout_notes),
            "diagnosis": [m.to_dict() for m in self.diagnosis],
            "unknown_mistake": self.unknown_mistake,
            "first_mismatch_mistakes": [m.to_dict() for m in self.first_mismatch_mistakes],
            "tolerance": dict(self.tolerance),
        }


def check_numbers(net: Network, X: np.ndarray, Y: np.ndarray, yours: dict, learning_rate: float = 1.0,
                  yours_again: dict | None = None, square_transposed: bool | None = None) -> CheckReport:
    """Compare the learner's numbers (`yours`, and `yours_again` from a second call with the same inputs) with the
    exact pass of `net` on examples X, labels Y, and name every catalogued mistake that gives them.

    `yours` has the shape of /api/backprop's answer, every part optional: {"loss", "outputs", "layers": [{"z",
    "a", "delta", "grad_W", "grad_b"}, ...]}, or Nielsen's {"nabla_b": [...], "nabla_w": [...]}; column vectors
    and a transposed grad_W are read too (see app/check/yours.py). `learning_rate` is the step the learner takes
    (it matters for stale_output_weights). `square_transposed`: how to read square grad_W arrays when no
    non-square one here tells (app/check/yours.py). Raises YoursError for numbers that do not fit the model.
    """
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    n_layers, units, n_examples = len(net.W), net.layer_sizes, len(X)
    again = gather(yours_again, n_layers, "yours_again") if yours_again is not None else None
    reads = interpretations(gather(yours, n_layers, "yours"), units, n_examples, again, square_transposed)
    exact = exact_numbers(net, X, Y)
    candidates = candidate_numbers(net, X, Y, learning_rate, yours_again is not None)
    # Rows and columns both fit when N examples have N units: keep the first reading that checks clean, else the
    # first that names a mistake, else the engine's own layout.
    reports = []
    for read, read_again in reads:
        reports.append(_report(net, exact, candidates, read, read_again))
        if reports[-1].matches:
            break
    return min(reports, key=lambda r: 0 if r.matches else 1 if r.diagnosis else 2)


def _report(net: Network, exact: Numbers, candidates: Candidates, read: Read,
            again: Read | None) -> CheckReport:
    n_layers = len(net.W)
    order = computation_order(n_layers)
    calls = [(1, read)] + ([(2, again)] if again else [])
    quantities: list[QuantityCheck] = []
    first: Mismatch | None = None
    for call, given in calls:
        for key in order:
            if key not in given.arrays:
                continue
            d = difference(given.arrays[key], value(exact, key))
            quantities.append(QuantityCheck(key[0], key[1], call, equation(key, n_layers), d.max_abs_difference,
                                            d.max_relative_difference, d.matches, key in given.transposed,
                                            given.examples))
            if not d.matches and first is None:
                first = Mismatch(key[0], key[1], call, equation(key, n_layers), d.max_abs_difference,
                                 list(d.index), d.yours, d.expected, len(quantities) - 1)
    diagnosis: dict[str, Named] = {}  # by mistake id: the first of its forms that gives every number
    if first is not None:
        for (mistake_id, form), numbers in candidates.items():
            if mistake_id in diagnosis:
                continue
            two_calls = MISTAKES[mistake_id].needs_two_calls  # its first call is the right one
            expected = {1: exact if two_calls else numbers, 2: numbers}
            if all(matches(given.arrays[key], value(expected[call], key))
                   for call, given in calls for key in given.arrays):
                diagnosis[mistake_id] = Named(MISTAKES[mistake_id], form)
    first_explained: dict[str, Named] = {}
    if first is not None and not diagnosis:
        key, given = (first.quantity, first.layer), dict(calls)[first.call]
        for (mistake_id, form), numbers in candidates.items():
            if (mistake_id not in first_explained and not MISTAKES[mistake_id].needs_two_calls
                    and matches(given.arrays[key], value(numbers, key))):
                first_explained[mistake_id] = Named(MISTAKES[mistake_id], form)
    notes = list(dict.fromkeys(read.notes + (again.notes if again else [])))
    return CheckReport(pairing_id(net.output), quantities, first, notes, list(diagnosis.values()),
                       unknown_mistake=first is not None and not diagnosis,
                       first_mismatch_mistakes=list(first_explained.values()))
