"""A run history at full resolution up to CAPACITY steps; past that it keeps every other kept step, then every
fourth, ..., so it never holds more than CAPACITY rows however long training goes.

Rows are steps 0, stride, 2·stride, ... in order, so the steps themselves are not stored. A row holds one float64
per series (NaN where there is no number), in one array grown BLOCK rows at a time: at CAPACITY rows and 10 series
(5 runs with their test losses) it is 800,000 bytes.
"""

from __future__ import annotations

import numpy as np

CAPACITY = 10_000  # steps kept at full resolution (docs/protocol.md, `history`); even, so halving keeps whole rows
BLOCK = 1_024  # rows added at a time: a short run holds little


class DecimatedHistory:
    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self.stride = 1  # a power of two: the steps kept are its multiples
        self._rows = np.empty((0, 0))  # sized at the first record
        self._count = 0

    def record(self, step: int, values: list[float | None]) -> None:
        """The values of `step`, the step after the last one recorded (kept if it is a multiple of the stride)."""
        if step % self.stride:
            return
        if self._count == self.capacity:  # full: keep every other row, and from now on every other step
            half = self._rows[: self._count : 2]
            self._count = len(half)
            self._rows[: self._count] = half  # NumPy copies overlapping ranges safely
            self.stride *= 2
            if step % self.stride:
                return
        if self._count == len(self._rows):
            grown = np.empty((min(self._count + BLOCK, self.capacity), len(values)))
            if self._count:
                grown[: self._count] = self._rows
            self._rows = grown
        self._rows[self._count] = values  # None becomes NaN
        self._count += 1

    @property
    def steps(self) -> np.ndarray:
        return np.arange(self._count) * self.stride

    @property
    def values(self) -> np.ndarray:
        """One row per kept step, one column per series; NaN where there was no number."""
        return self._rows[: self._count]

    @property
    def nbytes(self) -> int:
        """The memory the rows take, allocated blocks included."""
        return self._rows.nbytes

    def rows(self) -> tuple[list[int], list[list[float | None]]]:
        """The kept steps and their values as JSON-ready lists, None where there was no number."""
        values = self.values
        return self.steps.tolist(), np.where(np.isnan(values), None, values).tolist()
