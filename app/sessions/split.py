"""The train/test split of a dataset (TensorFlow Playground's "ratio of training to test data"), and how well a
run's outputs name the classes: accuracy and the confusion matrix.

Examples are rows; labels are one-hot rows (a single column: class 1 where the label is at least 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.datasets import Data
from app.nn.inference import classes_of, named_correctly

# A matrix of classes² counts in every frame: larger sets (a CSV with many labels) get none.
MAX_CONFUSION_CLASSES = 16


@dataclass(frozen=True)
class Split:
    train: np.ndarray  # indices of the training examples, ascending
    test: np.ndarray  # indices of the test examples, ascending; empty without a test part


def split_examples(labels: np.ndarray, fraction: float, seed: int, stratified: bool = True) -> Split:
    """Hold out about `fraction` of each class as test examples, chosen at random by `seed`. Every class keeps at
    least one training example, so a class of one example is never tested; fraction 0 keeps every example.
    Not `stratified` (a regression set's targets are numbers, not classes): `fraction` of all the examples."""
    if fraction <= 0:
        return Split(np.arange(len(labels)), np.arange(0))
    rng = np.random.default_rng(seed)
    classes = classes_of(labels) if stratified else np.zeros(len(labels), np.intp)
    test = []
    for c in np.unique(classes):
        members = np.flatnonzero(classes == c)
        count = min(int(np.floor(fraction * len(members) + 0.5)), len(members) - 1)
        test.append(rng.permutation(members)[:count])
    held = np.sort(np.concatenate(test))
    return Split(np.setdiff1d(np.arange(len(labels)), held), held)


def training_part(data: Data, split: Split) -> Data:
    """The examples the runs train on: the whole dataset without a test part."""
    if len(split.test) == 0:
        return data
    return replace(data, inputs=data.inputs[split.train], labels=data.labels[split.train])


def accuracy(outputs: np.ndarray, truth: np.ndarray) -> float | None:
    """The share of examples whose outputs name their class (`truth`: classes_of(labels)); None without examples.
    Outputs that tie name no class."""
    if len(truth) == 0:
        return None
    return float(np.mean(named_correctly(outputs, truth)))


def confusion_matrix(outputs: np.ndarray, truth: np.ndarray) -> list[list[int]] | None:
    """counts[true][predicted] over the examples (`truth`: classes_of(labels)); None for more than
    MAX_CONFUSION_CLASSES classes."""
    n = max(outputs.shape[1], 2)  # one sigmoid unit still tells two classes apart
    if n > MAX_CONFUSION_CLASSES:
        return None
    cells = np.bincount(truth * n + classes_of(outputs), minlength=n * n)
    return cells.reshape(n, n).tolist()
