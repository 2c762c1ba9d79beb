"""The learner's tiny hand-made sets: each one shows a single idea about how a net learns."""

from __future__ import annotations

import numpy as np

from .base import Data, DatasetSpec, Param


def _data(inputs: list[list[float]], labels: list[list[float]], class_names: list[str]) -> Data:
    return Data(
        inputs=np.asarray(inputs, dtype=np.float64),
        labels=np.asarray(labels, dtype=np.float64),
        class_names=class_names,
    )


def build_two_points(seed: int = 0) -> Data:
    """Two inputs, two classes: [1,0] is class A and [0,1] is class B."""
    return _data([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]], ["A", "B"])


def build_near_twins(seed: int = 0, eps: float = 0.1) -> Data:
    """Two inputs that differ by only `eps` in their second number, yet belong to different classes."""
    return _data([[0.5, 0.5], [0.5, 0.5 + eps]], [[1.0, 0.0], [0.0, 1.0]], ["A", "B"])


# Where the single dark pixel sits in each 4x4 image (row-major, 0..15).
DARK_PIXEL_A = 5
DARK_PIXEL_B = 10


def build_raw_pixels(seed: int = 0, scaled: bool = False) -> Data:
    """Two 4x4 white images (255) with one black pixel (0) each, flattened to 16 inputs."""
    inputs = np.full((2, 16), 255.0)
    inputs[0, DARK_PIXEL_A] = 0.0
    inputs[1, DARK_PIXEL_B] = 0.0
    if scaled:
        inputs /= 255.0
    labels = np.array([[1.0, 0.0], [0.0, 1.0]])
    return Data(inputs=inputs, labels=labels, class_names=["A", "B"])


def build_xor(seed: int = 0) -> Data:
    """XOR: same bits are class "same", different bits are class "different"."""
    return _data(
        [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]],
        [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]],
        ["same", "different"],
    )


TWO_POINTS = DatasetSpec(
    name="two-points",
    title="Two points",
    description=(
        "The smallest problem there is: two examples, two classes. Input [1, 0] should "
        "come out as class A and input [0, 1] as class B. This is the learner's own case, "
        "small enough to follow every weight change by hand."
    ),
    params=(),
    build=build_two_points,
    two_d=True,
    linearly_separable=True,
)

NEAR_TWINS = DatasetSpec(
    name="near-twins",
    title="Near twins",
    description=(
        "Two inputs that look almost the same, [0.5, 0.5] and [0.5, 0.5 + eps], but carry "
        "different labels. The smaller eps is, the harder the net must push its weights to "
        "tell them apart. With eps = 0 the two inputs are identical, so no net can separate "
        "them: the best it can do is answer 50/50 for both."
    ),
    params=(
        Param("eps", "float", 0.1, "How far apart the two inputs are (0 makes them identical).", 0.0, 1.0),
    ),
    build=build_near_twins,
    two_d=True,
    linearly_separable=None,  # separable for eps > 0, impossible for eps = 0
)

RAW_PIXELS = DatasetSpec(
    name="raw-pixels",
    title="Raw pixels",
    description=(
        "Two tiny 4x4 pictures, white everywhere (255) except for one black pixel (0) in a "
        "different place. Fed in unscaled, inputs of 255 make the weighted sums of the first "
        "layer huge, so its sigmoid units saturate near 0 or 1 where their slope is almost "
        "zero, and learning stalls. Turn on 'scaled' to divide the pixels by 255 and watch "
        "the same net learn quickly."
    ),
    params=(
        Param("scaled", "bool", False, "Divide pixel values by 255 so inputs lie between 0 and 1."),
    ),
    build=build_raw_pixels,
    linearly_separable=True,
)

XOR = DatasetSpec(
    name="xor",
    title="XOR",
    description=(
        "Four points on the corners of a square: [0,0] and [1,1] are one class, [0,1] and "
        "[1,0] the other. No single straight line separates them, so a net without a hidden "
        "layer cannot solve it; one hidden layer can."
    ),
    params=(),
    build=build_xor,
    two_d=True,
    linearly_separable=False,
)

TOY_SETS = (TWO_POINTS, NEAR_TWINS, RAW_PIXELS, XOR)
