"""What every dataset is: a name, a description a learner understands, bounded parameters, seeded data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


class DatasetError(ValueError):
    """A dataset request a learner can fix: `field` names the parameter, the message says what is allowed."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Param:
    """One dataset parameter with its bounds; `kind` is "int", "float" or "bool"."""

    name: str
    kind: str
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None


TASKS = ("classification", "regression")


@dataclass(frozen=True)
class Data:
    """Examples as rows: inputs (N, n_in) and labels, float64. Classification: one-hot labels (N, n_out), a name per
    class. Regression: one continuous target per example, labels (N, 1), no class names."""

    inputs: np.ndarray
    labels: np.ndarray
    class_names: list[str] = field(default_factory=list)
    task: str = "classification"  # one of TASKS


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    build: Callable[..., Data]  # build(seed=..., **params) -> Data
    two_d: bool = False  # inputs are points in the plane: the dashboard can draw a decision boundary
    linearly_separable: bool | None = None  # None: depends on the parameters or unknown
    requires: str | None = None  # an optional extra that must be installed, e.g. "digits"
    task: str = "classification"  # one of TASKS: what its labels are, so the page offers the runs that fit


def one_hot(class_index: np.ndarray, n_classes: int) -> np.ndarray:
    """Turn class numbers (0, 1, 2, ...) into one-hot rows, e.g. 2 of 4 -> [0, 0, 1, 0]."""
    class_index = np.asarray(class_index, dtype=np.int64)
    labels = np.zeros((class_index.shape[0], n_classes), dtype=np.float64)
    labels[np.arange(class_index.shape[0]), class_index] = 1.0
    return labels
