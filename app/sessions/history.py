"""A run history that stays small however long training goes: when full, keep every other point."""

from __future__ import annotations

CAPACITY = 1024


class DecimatedHistory:
    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self.stride = 1
        self.steps: list[int] = []
        self.values: list[list[float]] = []  # one row per kept step, one value per series

    def record(self, step: int, values: list[float]) -> None:
        if step % self.stride:
            return
        self.steps.append(step)
        self.values.append(values)
        if len(self.steps) >= self.capacity:
            self.steps, self.values = self.steps[::2], self.values[::2]
            self.stride *= 2
