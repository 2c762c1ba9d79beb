"""Comparing one array of the learner's with the engine's, at the precision people paste numbers with.

NumPy prints 8 digits after the point, so a pasted number is off by up to 5e-9 in fixed notation and by a
few parts in 10⁹ in scientific notation. An entry matches when it is within RELATIVE_TOLERANCE of the
engine's, or within an absolute floor: ABSOLUTE_TOLERANCE plus SCALE_TOLERANCE times the quantity's largest
entry (an entry near 0 beside large ones cannot be pasted more precisely than its neighbours).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

RELATIVE_TOLERANCE = 1e-5
SCALE_TOLERANCE = 1e-6
ABSOLUTE_TOLERANCE = 1e-8

TOLERANCE = {"relative": RELATIVE_TOLERANCE, "of_largest_entry": SCALE_TOLERANCE, "absolute": ABSOLUTE_TOLERANCE}


def json_float(x: float) -> float:
    """A float JSON can carry: a difference of huge numbers can overflow; it is reported as the largest float."""
    return float(np.nan_to_num(x, nan=sys.float_info.max, posinf=sys.float_info.max, neginf=-sys.float_info.max))


@dataclass
class Difference:
    max_abs_difference: float
    max_relative_difference: float  # |yours − ours| / (|ours| + ABSOLUTE_TOLERANCE), largest over the entries
    matches: bool
    index: tuple[int, ...]  # the entry with the largest absolute difference, in the engine's layout
    yours: float
    expected: float


def difference(yours: np.ndarray, expected: np.ndarray) -> Difference:
    yours, expected = np.asarray(yours, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        gap = np.abs(yours - expected)
        allowed = (RELATIVE_TOLERANCE * np.abs(expected) + ABSOLUTE_TOLERANCE
                   + SCALE_TOLERANCE * (np.abs(expected).max() if expected.size else 0.0))
        relative = gap / (np.abs(expected) + ABSOLUTE_TOLERANCE)
    worst = np.unravel_index(int(np.argmax(gap)), gap.shape) if gap.size else ()
    return Difference(
        max_abs_difference=json_float(gap.max()) if gap.size else 0.0,
        max_relative_difference=json_float(relative.max()) if gap.size else 0.0,
        matches=bool((gap <= allowed).all()),
        index=tuple(int(i) for i in worst),
        yours=json_float(yours[worst]) if gap.size else 0.0,
        expected=json_float(expected[worst]) if gap.size else 0.0,
    )


def matches(yours: np.ndarray, expected: np.ndarray) -> bool:
    return difference(yours, expected).matches
