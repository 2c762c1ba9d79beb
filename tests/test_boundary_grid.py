"""The decision-boundary grid is computed with the points as columns (a cheaper layout for a softmax over 2 or 3
classes): its numbers must be the network's own predictions, for every output layer and hidden activation."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from app.nn import Network, OutputLayer
from app.sessions.frames import BOUNDARY_MAGIC, boundary_extent, boundary_frame, boundary_points, grid_outputs

KINDS = ["softmax_ce", "sigmoid_mse", "sigmoid_bce", "softmax_mse_elementwise"]


def network(sizes: list[int], hidden: str, kind: str) -> Network:
    net = Network.create(sizes, hidden, None, "xavier", 3, np.dtype("float64"))
    return net.with_output(OutputLayer.from_kind(kind))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sizes,hidden", [([2, 8, 2], "sigmoid"), ([2, 5, 4, 3], "relu"), ([2, 6, 3], "tanh"),
                                          ([2, 4, 3], "leaky_relu"), ([2, 3], None)])
def test_grid_outputs_are_the_networks_predictions(sizes, hidden, kind):
    net = network(sizes, hidden, kind)
    rng = np.random.default_rng(0)
    points = boundary_points(boundary_extent(rng.normal(size=(50, 2)) * 3), 40)
    expected = net.predict(points)
    got = grid_outputs(net, points)
    assert got.shape == expected.shape == (1600, sizes[-1])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_a_boundary_frame_holds_the_predictions_row_by_row():
    net = network([2, 8, 3], "sigmoid", "softmax_ce")
    points = boundary_points((-1.0, 1.0, -2.0, 2.0), 40)
    blob = boundary_frame(net, points, 40, 17, 1)
    assert blob[:4] == BOUNDARY_MAGIC
    assert struct.unpack("<IHHHH", blob[4:16]) == (17, 1, 3, 40, 40)
    data = np.frombuffer(blob[16:], "<f4").reshape(40, 40, 3)
    np.testing.assert_allclose(data, net.predict(points).reshape(40, 40, 3).astype("<f4"), rtol=1e-6)
    assert data[0, 0] == pytest.approx(net.predict(np.array([[-1.0, 2.0]]))[0], rel=1e-6)  # row 0 is y_max
