"""How much work a check is, estimated before doing it, so a server can refuse one that would take too long.

The cost grows with every candidate's forward and backward pass (examples × parameters each) and with every
comparison of the learner's numbers with them, repeated for each reading of their layout, each call given and
each output layer tried.
"""

from __future__ import annotations

from app.check.yours import PER_EXAMPLE
from app.nn.mistakes import MISTAKES

# The right numbers plus every form of every mistake: an upper bound on the candidates of one pairing.
CANDIDATES = 1 + sum(max(1, len(m.forms)) for m in MISTAKES.values())


def readings(yours: dict, units: list[int], n_examples: int) -> int:
    """2 when the per-example arrays given could be read with the examples as rows or as columns, else 1."""
    layers = yours.get("layers") or []
    given = [units[l + 1] for l, layer in enumerate(layers) for q in PER_EXAMPLE if (layer or {}).get(q) is not None]
    if yours.get("outputs") is not None:
        given.append(units[-1])
    return 2 if any(n == n_examples or n_examples == 1 for n in given) else 1


def check_work(n_examples: int, n_parameters: int, units: list[int], yours: dict, yours_again: dict | None,
               pairings: int) -> float:
    """examples × parameters × candidates × readings × calls × pairings."""
    calls = 2 if yours_again is not None else 1
    return float(n_examples) * n_parameters * CANDIDATES * readings(yours, units, n_examples) * calls * pairings
