"""δᴸ = ∂c/∂zᴸ for every output layer: the shortcuts training uses equal the textbook Jᵀ ∂c/∂a,
softmax's Jacobian is the real derivative, and the elementwise mistake is really a mistake."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import ALLOWED_LOSSES, LOSSES, OUTPUT_ACTIVATIONS, RUN_KINDS, OutputLayer
from app.nn.output_layer import softmax, softmax_jacobian

ALLOWED_PAIRS = [(act, loss) for act, losses in ALLOWED_LOSSES.items() for loss in losses]
INVALID_PAIRS = [(act, loss) for act in OUTPUT_ACTIVATIONS for loss in LOSSES if loss not in ALLOWED_LOSSES[act]]


def _random_z(seed: int, n: int = 5, k: int = 4) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 2.0, (n, k))


def _one_hot(seed: int, n: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 1000)
    return np.eye(k)[rng.integers(0, k, n)]


def _soft_labels(seed: int, n: int, k: int, loss: str) -> np.ndarray:
    rng = np.random.default_rng(seed + 2000)
    if loss == "cross_entropy":
        return rng.dirichlet(np.ones(k), n)  # a distribution per example: the case where δ = a − y holds
    return rng.uniform(0.0, 1.0, (n, k))  # mse and per-unit bce take any targets in [0, 1]


def _explicit_softmax_jacobian(a_row: np.ndarray) -> np.ndarray:
    k = len(a_row)
    return np.array([[a_row[i] * ((i == j) - a_row[j]) for j in range(k)] for i in range(k)])


def _numeric_softmax_jacobian(z_row: np.ndarray, h: float = 1e-6) -> np.ndarray:
    k = len(z_row)
    J = np.zeros((k, k))
    for j in range(k):
        up, down = z_row.copy(), z_row.copy()
        up[j] += h
        down[j] -= h
        J[:, j] = (softmax(up[None])[0] - softmax(down[None])[0]) / (2 * h)
    return J


def _numeric_delta(layer: OutputLayer, z: np.ndarray, y: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """∂c/∂z by central differences of the per-example cost."""
    grad = np.zeros_like(z)
    for j in range(z.shape[1]):
        up, down = z.copy(), z.copy()
        up[:, j] += h
        down[:, j] -= h
        c_up = layer.costs(up, layer.activate(up), y)
        c_down = layer.costs(down, layer.activate(down), y)
        grad[:, j] = (c_up - c_down) / (2 * h)
    return grad


# --- the shortcut equals the general rule ----------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("activation, loss", ALLOWED_PAIRS)
def test_delta_equals_jacobian_transpose_times_cost_gradient_for_one_hot_labels(activation, loss, seed):
    layer = OutputLayer(activation, loss)
    z = _random_z(seed)
    a = layer.activate(z)
    y = _one_hot(seed, *z.shape)
    np.testing.assert_allclose(layer.delta(z, a, y), layer.delta_general(a, y), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("activation, loss", ALLOWED_PAIRS)
def test_delta_equals_jacobian_transpose_times_cost_gradient_for_soft_labels(activation, loss, seed):
    layer = OutputLayer(activation, loss)
    z = _random_z(seed)
    a = layer.activate(z)
    y = _soft_labels(seed, *z.shape, loss)
    np.testing.assert_allclose(layer.delta(z, a, y), layer.delta_general(a, y), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation, loss", ALLOWED_PAIRS)
def test_delta_is_the_derivative_of_the_cost_with_respect_to_z(activation, loss):
    layer = OutputLayer(activation, loss)
    z = _random_z(7)
    y = _soft_labels(7, *z.shape, loss)
    np.testing.assert_allclose(layer.delta(z, layer.activate(z), y), _numeric_delta(layer, z, y), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_softmax_ce_delta_is_a_minus_y(seed):
    layer = OutputLayer("softmax", "cross_entropy")
    z = _random_z(seed)
    a = layer.activate(z)
    one_hot = _one_hot(seed, *z.shape)
    assert np.array_equal(layer.delta(z, a, one_hot), a - one_hot)  # exactly, bit for bit
    for y in (one_hot, _soft_labels(seed, *z.shape, "cross_entropy")):
        # Soft labels sum to 1 only up to rounding, so a − y holds to rounding too.
        np.testing.assert_allclose(layer.delta(z, a, y), a - y, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.delta_general(a, y), a - y, rtol=1e-10, atol=1e-12)
    assert layer.delta_formula == "a − y"


@pytest.mark.parametrize("seed", range(3))
def test_sigmoid_bce_delta_is_a_minus_y(seed):
    layer = OutputLayer("sigmoid", "binary_cross_entropy")
    z = _random_z(seed)
    a = layer.activate(z)
    for y in (_one_hot(seed, *z.shape), _soft_labels(seed, *z.shape, "binary_cross_entropy")):
        assert np.array_equal(layer.delta(z, a, y), a - y)
        np.testing.assert_allclose(layer.delta_general(a, y), a - y, rtol=1e-10, atol=1e-12)
    assert layer.delta_formula == "a − y"


def test_sigmoid_mse_delta_is_error_times_sigmoid_prime():
    layer = OutputLayer("sigmoid", "mse")
    z = _random_z(3)
    a = layer.activate(z)
    y = _one_hot(3, *z.shape)
    np.testing.assert_allclose(layer.delta(z, a, y), (a - y) * a * (1 - a), rtol=1e-12)


# --- softmax's Jacobian -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_softmax_jacobian_equals_finite_difference_jacobian(seed):
    z = _random_z(seed, n=3, k=5)
    J = softmax_jacobian(softmax(z))
    assert J.shape == (3, 5, 5)
    for n in range(len(z)):
        np.testing.assert_allclose(J[n], _numeric_softmax_jacobian(z[n]), rtol=1e-6, atol=1e-9)


def test_softmax_jacobian_is_symmetric_with_rows_summing_to_zero():
    J = softmax_jacobian(softmax(_random_z(11)))
    np.testing.assert_allclose(J, np.swapaxes(J, 1, 2), atol=1e-15)
    np.testing.assert_allclose(J.sum(axis=2), 0.0, atol=1e-15)  # softmax outputs always sum to 1
    assert not np.allclose(J, np.einsum("nii->ni", J)[:, :, None] * np.eye(J.shape[1]))  # not diagonal


@pytest.mark.parametrize("seed", range(5))
def test_softmax_mse_uses_the_full_jacobian(seed):
    layer = OutputLayer("softmax", "mse")
    z = _random_z(seed)
    a = layer.activate(z)
    y = _one_hot(seed, *z.shape)
    J = np.stack([_explicit_softmax_jacobian(row) for row in a])
    expected = np.einsum("nij,ni->nj", J, a - y)
    np.testing.assert_allclose(layer.delta(z, a, y), expected, rtol=1e-10, atol=1e-13)
    assert "J" in layer.delta_formula


# --- the elementwise mistake ------------------------------------------------------------------------


def test_elementwise_mistake_differs_from_the_correct_softmax_mse_delta():
    right = OutputLayer("softmax", "mse")
    wrong = OutputLayer("softmax", "mse", elementwise_mistake=True)
    z = _random_z(0)
    a = right.activate(z)
    y = _one_hot(0, *z.shape)
    mistaken = wrong.delta(z, a, y)
    np.testing.assert_allclose(mistaken, (a - y) * a * (1 - a), rtol=1e-12)
    assert not np.allclose(mistaken, right.delta(z, a, y), rtol=1e-3, atol=1e-6)
    assert not np.allclose(mistaken, _numeric_delta(right, z, y), rtol=1e-3, atol=1e-6)
    assert "wrong" in wrong.delta_formula


def test_elementwise_mistake_flips_the_sign_of_a_delta_component():
    # a = (0.2, 0.7, 0.1), y = (1, 0, 0): g = a − y = (−0.8, 0.7, 0.1), a·g = 0.34.
    # correct δ₂ = a₂ (g₂ − a·g) = 0.1 × (0.1 − 0.34) = −0.024;  mistake: g₂ a₂ (1 − a₂) = +0.009.
    right = OutputLayer("softmax", "mse")
    wrong = OutputLayer("softmax", "mse", elementwise_mistake=True)
    z = np.log(np.array([[0.2, 0.7, 0.1]]))
    a = right.activate(z)
    y = np.array([[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(a, [[0.2, 0.7, 0.1]], rtol=1e-12)
    correct, mistaken = right.delta(z, a, y), wrong.delta(z, a, y)
    np.testing.assert_allclose(correct[0, 2], -0.024, rtol=1e-10)
    np.testing.assert_allclose(mistaken[0, 2], 0.009, rtol=1e-10)
    assert np.sign(correct[0, 2]) == -np.sign(mistaken[0, 2])
    np.testing.assert_allclose(correct, _numeric_delta(right, z, y), rtol=1e-6, atol=1e-10)


def test_with_two_outputs_the_mistake_is_exactly_half_the_right_delta():
    # k = 2 and one-hot y: Jᵀ(a − y) = 2 a₁a₂ (a − y) while the mistake gives a₁a₂ (a − y).
    right = OutputLayer("softmax", "mse")
    wrong = OutputLayer("softmax", "mse", elementwise_mistake=True)
    z = _random_z(4, k=2)
    a = right.activate(z)
    y = _one_hot(4, *z.shape)
    np.testing.assert_allclose(wrong.delta(z, a, y), 0.5 * right.delta(z, a, y), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("activation, loss", [p for p in ALLOWED_PAIRS if p != ("softmax", "mse")])
def test_elementwise_mistake_exists_only_for_softmax_mse(activation, loss):
    with pytest.raises(ValueError, match="only for softmax with mse"):
        OutputLayer(activation, loss, elementwise_mistake=True)


# --- pairings -------------------------------------------------------------------------------------


def test_invalid_pairings_are_exactly_the_ones_outside_allowed_losses():
    assert set(ALLOWED_PAIRS) == {
        ("sigmoid", "mse"), ("sigmoid", "binary_cross_entropy"),
        ("softmax", "mse"), ("softmax", "cross_entropy"),
        ("linear", "mse"),
    }
    assert set(INVALID_PAIRS) == {
        ("sigmoid", "cross_entropy"), ("softmax", "binary_cross_entropy"),
        ("linear", "cross_entropy"), ("linear", "binary_cross_entropy"),
    }


def test_cross_entropy_with_sigmoid_raises_and_points_to_binary_cross_entropy():
    with pytest.raises(ValueError) as info:
        OutputLayer("sigmoid", "cross_entropy")
    message = str(info.value)
    assert "softmax" in message
    assert "binary_cross_entropy" in message


def test_binary_cross_entropy_with_softmax_raises_and_points_to_cross_entropy():
    with pytest.raises(ValueError) as info:
        OutputLayer("softmax", "binary_cross_entropy")
    message = str(info.value)
    assert "sigmoid" in message
    assert "with a softmax output use cross_entropy" in message


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy"])
def test_cross_entropies_with_a_linear_output_raise_and_point_to_mse(loss):
    with pytest.raises(ValueError, match="with a linear output use mse"):
        OutputLayer("linear", loss)


@pytest.mark.parametrize("activation, loss", [("tanh", "mse"), ("softmax", "hinge")])
def test_unknown_activation_or_loss_raises_listing_what_is_allowed(activation, loss):
    with pytest.raises(ValueError, match="allowed"):
        OutputLayer(activation, loss)


def test_run_kinds_round_trip_through_output_layers():
    for kind, spec in RUN_KINDS.items():
        layer = OutputLayer.from_kind(kind)
        elementwise = spec.mistake == "softmax_elementwise_derivative"
        assert (layer.activation, layer.loss, layer.elementwise_mistake) == (spec.activation, spec.loss, elementwise)
        # A mistake the trainer applies is not in the output layer: it names the right kind of its pairing.
        assert layer.kind == (kind if elementwise else spec.right_kind)
    assert OutputLayer("linear", "mse").kind == "linear_mse"
    with pytest.raises(ValueError, match="unknown run kind"):
        OutputLayer.from_kind("softmax_bce")


# --- labels the a − y shortcut does not cover ------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [[[1.0, 1.0, 0.0]], [[0.5, 0.2, 0.1]]],
    ids=["multi-label-sums-to-2", "soft-sums-to-0.8"],
)
def test_softmax_ce_delta_is_exact_or_labels_not_summing_to_one_are_rejected(labels):
    # For c = −Σ yᵢ log softmax(z)ᵢ the exact derivative is ∂c/∂z = a·Σy − y; it is a − y only when Σy = 1.
    # The cost accepts any y, so δ must either be that derivative or the labels must be refused.
    layer = OutputLayer("softmax", "cross_entropy")
    z = np.array([[0.3, -1.2, 2.0]])
    a = layer.activate(z)
    y = np.array(labels)
    try:
        delta = layer.delta(z, a, y)
    except ValueError:
        return  # refusing such labels is an acceptable answer
    np.testing.assert_allclose(delta, _numeric_delta(layer, z, y), rtol=1e-6, atol=1e-9)
