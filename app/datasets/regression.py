"""Regression sets in the plane, after TensorFlow Playground's "plane" and "gaussian": one continuous target per point.

Points are drawn uniformly from [-1.5, 1.5]², like the classification sets' drawing grid, with
`np.random.default_rng(seed)`. Targets lie in [-1, 1]. Noise works as in Playground: each target is the value at
the point moved by up to `noise` × 1.5 in each coordinate, so the noisier the set, the less the inputs say.
"""

from __future__ import annotations

import numpy as np

from .base import Data, DatasetSpec, Param

RADIUS = 1.5  # points fill [-RADIUS, RADIUS]²
# The bumps of "gaussian": centre x, centre y, sign; three along the top, three along the bottom, signs alternating.
BUMPS = ((-1.0, 0.6, 1.0), (0.0, 0.6, -1.0), (1.0, 0.6, 1.0), (-1.0, -0.6, -1.0), (0.0, -0.6, 1.0), (1.0, -0.6, -1.0))
BUMP_WIDTH = 0.25  # the standard deviation of each bump


def plane_target(points: np.ndarray) -> np.ndarray:
    """(x₁ + x₂) / 3: a tilted plane, -1 at the bottom-left corner, 1 at the top-right."""
    return (points[:, 0] + points[:, 1]) / (2 * RADIUS)


def gaussian_target(points: np.ndarray) -> np.ndarray:
    """At each point, the strongest of the six signed bumps there: about ±1 at a centre, about 0 between bumps."""
    heights = np.stack([sign * np.exp(-((points[:, 0] - cx) ** 2 + (points[:, 1] - cy) ** 2) / (2 * BUMP_WIDTH ** 2))
                        for cx, cy, sign in BUMPS], axis=1)
    strongest = np.abs(heights).argmax(axis=1)
    return heights[np.arange(len(points)), strongest]


def _build(target, seed: int, n: int, noise: float) -> Data:
    rng = np.random.default_rng(seed)
    points = rng.uniform(-RADIUS, RADIUS, size=(n, 2))
    moved = points + rng.uniform(-RADIUS, RADIUS, size=(n, 2)) * noise
    labels = np.clip(target(moved), -1.0, 1.0)[:, None]  # moved points can leave the square: targets stay in [-1, 1]
    return Data(inputs=points, labels=labels, class_names=[], task="regression")


def build_plane(seed: int = 0, n: int = 200, noise: float = 0.0) -> Data:
    return _build(plane_target, seed, n, noise)


def build_gaussian(seed: int = 0, n: int = 200, noise: float = 0.0) -> Data:
    return _build(gaussian_target, seed, n, noise)


def _params() -> tuple[Param, ...]:
    return (Param("n", "int", 200, "How many points.", 4, 2000),
            Param("noise", "float", 0.0, "How far each target is read from its point, as a share of the square's "
                                        "half-width (0 means exact targets).", 0.0, 0.5))


PLANE = DatasetSpec(
    name="plane",
    title="Plane (regression)",
    description=(
        "Each point's target is a number between -1 and 1 that rises steadily from the bottom-left corner to the "
        "top-right: a tilted plane. A linear output with no hidden layer fits it exactly."
    ),
    params=_params(),
    build=build_plane,
    two_d=True,
    task="regression",
)

GAUSSIAN = DatasetSpec(
    name="gaussian",
    title="Gaussian bumps (regression)",
    description=(
        "Six bumps, three up and three down, on a flat floor: each point's target is the height there, between -1 "
        "and 1. No plane fits it: the network needs a hidden layer."
    ),
    params=_params(),
    build=build_gaussian,
    two_d=True,
    task="regression",
)

REGRESSION_SETS = (PLANE, GAUSSIAN)
