"""Points in the plane, so the dashboard can paint each net's decision boundary.

Everything is drawn from `np.random.default_rng(seed)`: the same seed gives the same points.
Points land roughly inside [-1.5, 1.5] x [-1.5, 1.5] so one drawing grid fits every set.
Classes get equal shares of the points (the first classes take one extra when n does not divide).
"""

from __future__ import annotations

import numpy as np

from .base import Data, DatasetError, DatasetSpec, Param, one_hot


def class_counts(n: int, classes: int) -> list[int]:
    """Split n points over the classes as evenly as possible, e.g. 200 over 3 -> [67, 67, 66]."""
    if n < classes:
        raise DatasetError("n", f"needs at least {classes} points to give each of the {classes} classes one")
    base, extra = divmod(n, classes)
    return [base + (1 if k < extra else 0) for k in range(classes)]


def _finish(rng: np.random.Generator, points: list[np.ndarray], class_names: list[str]) -> Data:
    """Stack the per-class points, label them and shuffle, so mini-batches mix the classes."""
    inputs = np.concatenate(points).astype(np.float64)
    index = np.concatenate([np.full(len(p), k) for k, p in enumerate(points)])
    order = rng.permutation(len(inputs))
    return Data(inputs=inputs[order], labels=one_hot(index[order], len(points)), class_names=class_names)


def build_blobs(seed: int = 0, n: int = 200, noise: float = 0.2, classes: int = 3) -> Data:
    """Round clouds of points, one per class, with centres spaced evenly on a circle of radius 1."""
    rng = np.random.default_rng(seed)
    points = []
    for k, count in enumerate(class_counts(n, classes)):
        angle = 2 * np.pi * k / classes + np.pi / 2  # first blob at the top
        centre = np.array([np.cos(angle), np.sin(angle)])
        points.append(centre + rng.normal(0.0, noise, size=(count, 2)))
    return _finish(rng, points, [f"blob {k + 1}" for k in range(classes)])


def build_circles(seed: int = 0, n: int = 200, noise: float = 0.05) -> Data:
    """A ring of radius 1 around a ring of radius 0.5: no straight line separates them."""
    rng = np.random.default_rng(seed)
    points = []
    for radius, count in zip((0.5, 1.0), class_counts(n, 2)):
        angle = rng.uniform(0.0, 2 * np.pi, size=count)
        ring = radius * np.column_stack([np.cos(angle), np.sin(angle)])
        points.append(ring + rng.normal(0.0, noise, size=(count, 2)))
    return _finish(rng, points, ["inner", "outer"])


def build_moons(seed: int = 0, n: int = 200, noise: float = 0.1) -> Data:
    """Two interlocking half circles, shifted so the pair is centred on the origin."""
    rng = np.random.default_rng(seed)
    upper_count, lower_count = class_counts(n, 2)
    t_upper = rng.uniform(0.0, np.pi, size=upper_count)
    t_lower = rng.uniform(0.0, np.pi, size=lower_count)
    # The classic pair spans x in [-1, 2], y in [-0.5, 1]: centre it and shrink it to x in [-1.2, 1.2],
    # leaving room for the noise inside the [-1.5, 1.5] drawing grid.
    centre, shrink = np.array([0.5, 0.25]), 0.8
    upper = shrink * (np.column_stack([np.cos(t_upper), np.sin(t_upper)]) - centre)
    lower = shrink * (np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)]) - centre)
    points = [
        upper + rng.normal(0.0, noise, size=upper.shape),
        lower + rng.normal(0.0, noise, size=lower.shape),
    ]
    return _finish(rng, points, ["upper moon", "lower moon"])


def build_spiral(seed: int = 0, n: int = 200, noise: float = 0.1, classes: int = 2) -> Data:
    """Arms winding out from the centre, one per class, each turning one and a half times."""
    rng = np.random.default_rng(seed)
    points = []
    for k, count in enumerate(class_counts(n, classes)):
        radius = rng.uniform(0.05, 1.2, size=count)
        angle = 2 * np.pi * k / classes + 3 * np.pi * radius / 1.2
        arm = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
        points.append(arm + rng.normal(0.0, noise, size=(count, 2)))
    return _finish(rng, points, [f"arm {k + 1}" for k in range(classes)])


def _n_param() -> Param:
    return Param("n", "int", 200, "How many points in total, shared equally between the classes.", 4, 2000)


def _noise_param(default: float, maximum: float, what: str) -> Param:
    return Param("noise", "float", default, f"How much random jitter blurs {what} (0 means none).", 0.0, maximum)


def _classes_param(default: int) -> Param:
    return Param("classes", "int", default, "How many classes (colours of points).", 2, 6)


BLOBS = DatasetSpec(
    name="blobs",
    title="Blobs",
    description=(
        "Round clouds of points, one cloud per class. With little noise the clouds sit apart and "
        "straight lines between them are enough; turn the noise up and they overlap, so some "
        "points can never be classified correctly."
    ),
    params=(_n_param(), _noise_param(0.2, 3.0, "each cloud (the spread of a cloud)"), _classes_param(3)),
    build=build_blobs,
    two_d=True,
    linearly_separable=None,  # yes at low noise, no once the clouds overlap
)

CIRCLES = DatasetSpec(
    name="circles",
    title="Circles",
    description=(
        "A small ring of points inside a bigger ring. No straight line can split inside from "
        "outside, so the net needs a hidden layer to bend its boundary into a closed loop."
    ),
    params=(_n_param(), _noise_param(0.05, 1.0, "the rings")),
    build=build_circles,
    two_d=True,
    linearly_separable=False,
)

MOONS = DatasetSpec(
    name="moons",
    title="Moons",
    description=(
        "Two half circles hooked into each other. A straight line gets most points right but "
        "not all; a curved boundary from a hidden layer fits them."
    ),
    params=(_n_param(), _noise_param(0.1, 1.0, "the half circles")),
    build=build_moons,
    two_d=True,
    linearly_separable=False,
)

SPIRAL = DatasetSpec(
    name="spiral",
    title="Spiral",
    description=(
        "Arms that wind out from the centre, one per class. The hardest planar set: the boundary "
        "must twist around with the arms, which takes a wide hidden layer and patience."
    ),
    params=(_n_param(), _noise_param(0.1, 1.0, "the arms"), _classes_param(2)),
    build=build_spiral,
    two_d=True,
    linearly_separable=False,
)

PLANAR_SETS = (BLOBS, CIRCLES, MOONS, SPIRAL)
