"""The catalogue of classic backprop mistakes (app/nn/mistakes.py): each variant reproduces numbers built
independently (../shared/reference/mistakes.json, rtol 1e-9), the exact pass matches the same file and the
PyTorch reference cases, and each mistake is offered only where it can happen."""

from __future__ import annotations

import numpy as np
import pytest

import mistakes_reference as mref
import reference
from app.nn import MISTAKES, Network, OutputLayer, exact_numbers, mistake_applies, mistaken_numbers

ISSUE_IDS = {
    "softmax_elementwise_derivative", "sigmoid_prime_kept", "derivative_of_output", "hidden_derivative_missing",
    "sign_flipped", "weights_not_transposed", "examples_mixed", "sum_not_mean", "stale_output_weights",
    "bias_gradient_missing", "gradients_not_reset",
}
EQUATIONS = {"forward", "cost", "BP1", "BP2", "BP3", "BP4", "update"}
RTOL, ATOL = 1e-9, 1e-15


def _assert_numbers(numbers, expected: dict) -> None:
    for l, (d, gW, gb) in enumerate(zip(expected["delta"], expected["grad_W"], expected["grad_b"])):
        np.testing.assert_allclose(numbers.deltas[l], d, rtol=RTOL, atol=ATOL, err_msg=f"delta[{l}]")
        np.testing.assert_allclose(numbers.grad_W[l], gW, rtol=RTOL, atol=ATOL, err_msg=f"grad_W[{l}]")
        np.testing.assert_allclose(numbers.grad_b[l], gb, rtol=RTOL, atol=ATOL, err_msg=f"grad_b[{l}]")
    assert len(numbers.deltas) == len(expected["delta"])


def test_catalogue_holds_exactly_the_issue_ids():
    assert set(MISTAKES) == ISSUE_IDS
    for mistake_id, mistake in MISTAKES.items():
        assert mistake.id == mistake_id
        assert mistake.title and mistake.sentence and mistake.fix
        assert "`" in mistake.fix  # a line of NumPy the learner can write
        assert mistake.equation in EQUATIONS
        assert mistake.needs_two_calls == (mistake_id == "gradients_not_reset")


@pytest.mark.parametrize("name", mref.case_names())
def test_exact_numbers_match_the_independent_right_numbers(name):
    case = mref.load_case(name)
    numbers = exact_numbers(mref.network(case), *mref.examples(case))
    _assert_numbers(numbers, case["right"])
    np.testing.assert_allclose(numbers.loss, case["right"]["loss"], rtol=RTOL)
    np.testing.assert_allclose(numbers.outputs, case["right"]["outputs"], rtol=RTOL)


@pytest.mark.parametrize(("name", "mistake_id"), mref.case_mistakes())
def test_each_mistake_reproduces_its_independent_numbers(name, mistake_id):
    case = mref.load_case(name)
    net = mref.network(case)
    assert mistake_applies(mistake_id, net)
    numbers = mistaken_numbers(net, *mref.examples(case), mistake_id, learning_rate=case["learning_rate"])
    _assert_numbers(numbers, case["mistakes"][mistake_id])


@pytest.mark.parametrize("name", reference.case_names())
def test_exact_numbers_match_the_pytorch_reference_cases(name):
    case = reference.load_case(name)
    expected = case["expected"]["after_0_steps"]
    numbers = exact_numbers(reference.network_from_params(case), *reference.case_data(case))
    np.testing.assert_allclose(numbers.loss, expected["loss"], rtol=reference.RTOL, atol=reference.ATOL)
    np.testing.assert_allclose(numbers.outputs, expected["outputs"], rtol=reference.RTOL, atol=reference.ATOL)
    for l, (gW, gb) in enumerate(zip(expected["grad_W"], expected["grad_b"])):
        np.testing.assert_allclose(numbers.grad_W[l], np.reshape(gW, numbers.grad_W[l].shape),
                                   rtol=reference.RTOL, atol=reference.ATOL)
        np.testing.assert_allclose(numbers.grad_b[l], np.reshape(gb, -1), rtol=reference.RTOL, atol=reference.ATOL)


def test_gradients_not_reset_returns_twice_the_gradient_on_the_second_call():
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    net, (X, Y) = mref.network(case), mref.examples(case)
    right, second = exact_numbers(net, X, Y), mistaken_numbers(net, X, Y, "gradients_not_reset")
    for l in range(len(net.W)):
        np.testing.assert_allclose(second.deltas[l], right.deltas[l], rtol=RTOL)
        np.testing.assert_allclose(second.grad_W[l], 2 * right.grad_W[l], rtol=RTOL)
        np.testing.assert_allclose(second.grad_b[l], 2 * right.grad_b[l], rtol=RTOL)


def _net(sizes: list[int], kind: str, hidden: str | None = "sigmoid") -> Network:
    return Network.create(sizes, hidden, OutputLayer.from_kind(kind), seed=1)


@pytest.mark.parametrize(("mistake_id", "net", "applies"), [
    ("softmax_elementwise_derivative", _net([2, 2], "softmax_mse"), True),
    ("softmax_elementwise_derivative", _net([2, 2], "softmax_ce"), False),
    ("softmax_elementwise_derivative", _net([2, 2], "sigmoid_mse"), False),
    ("sigmoid_prime_kept", _net([2, 2], "softmax_ce"), True),
    ("sigmoid_prime_kept", _net([2, 2], "sigmoid_bce"), True),
    ("sigmoid_prime_kept", _net([2, 2], "sigmoid_mse"), False),
    ("sigmoid_prime_kept", _net([2, 2], "softmax_mse"), False),
    ("derivative_of_output", _net([2, 2], "sigmoid_mse"), True),
    ("derivative_of_output", _net([2, 2], "softmax_ce"), False),
    ("derivative_of_output", _net([2, 3, 2], "softmax_ce"), True),
    ("derivative_of_output", _net([2, 3, 2], "softmax_ce", "relu"), False),
    ("hidden_derivative_missing", _net([2, 2], "sigmoid_mse"), False),
    ("hidden_derivative_missing", _net([2, 3, 2], "sigmoid_mse"), True),
    ("weights_not_transposed", _net([2, 8, 2], "sigmoid_mse"), False),
    ("weights_not_transposed", _net([2, 2, 2], "sigmoid_mse"), True),
    ("weights_not_transposed", _net([3, 4, 4, 2], "sigmoid_mse"), False),
    ("weights_not_transposed", _net([3, 4, 4, 4], "sigmoid_mse"), True),
    ("stale_output_weights", _net([2, 2], "sigmoid_mse"), False),
    ("stale_output_weights", _net([2, 3, 2], "sigmoid_mse"), True),
    ("sign_flipped", _net([2, 2], "softmax_ce"), True),
    ("gradients_not_reset", _net([2, 2], "softmax_ce"), True),
])
def test_mistake_applies_only_where_it_can_happen(mistake_id, net, applies):
    assert mistake_applies(mistake_id, net) is applies


def test_a_mistake_that_cannot_happen_is_refused():
    net = _net([2, 8, 2], "sigmoid_mse")
    with pytest.raises(ValueError):
        mistaken_numbers(net, np.eye(2), np.eye(2), "weights_not_transposed")
    with pytest.raises(ValueError):
        mistake_applies("no_such_mistake", net)


def test_every_applicable_mistake_changes_some_number():
    """On a generic case each variant differs from the exact pass, so a catalogued mistake can always be seen."""
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(3, 4)), np.eye(4)[[0, 2, 1]]
    for kind in ("sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse"):
        net = _net([4, 4, 4], kind)
        right = exact_numbers(net, X, Y)
        for mistake_id in MISTAKES:
            if not mistake_applies(mistake_id, net):
                continue
            wrong = mistaken_numbers(net, X, Y, mistake_id, learning_rate=0.5)
            gaps = [np.abs(w - r).max() for w, r in zip(wrong.deltas + wrong.grad_W + wrong.grad_b,
                                                         right.deltas + right.grad_W + right.grad_b)]
            assert max(gaps) > 1e-6, (kind, mistake_id)


def test_the_issues_second_ways_are_forms_of_their_mistakes_and_the_reference_form_comes_first():
    forms = {m.id: [f.id for f in m.forms] for m in MISTAKES.values() if m.forms}
    assert forms == {
        "sigmoid_prime_kept": ["a_times_one_minus_a", "sigmoid_prime_of_z"],
        "derivative_of_output": ["everywhere", "hidden_layers_only", "output_layer_only"],
        "examples_mixed": ["mean_delta_times_mean_activation", "mean_input_pushed_through"],
    }
    case = mref.load_case("random_3_4_4_2_softmax_ce")
    net, (X, Y) = mref.network(case), mref.examples(case)
    for mistake_id in forms:
        if not mistake_applies(mistake_id, net):
            continue
        default, first = (mistaken_numbers(net, X, Y, mistake_id, form=f) for f in (None, forms[mistake_id][0]))
        for a, b in zip(default.deltas + default.grad_W, first.deltas + first.grad_W):
            np.testing.assert_array_equal(a, b)


def test_every_form_gives_numbers_of_its_own_where_it_can_happen():
    from app.nn.mistakes import every_form_numbers

    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(3, 4)), np.eye(4)[[0, 2, 1]]
    seen = set()
    for kind in ("sigmoid_mse", "softmax_ce"):
        net = _net([4, 4, 4], kind)
        for mistake_id in ("sigmoid_prime_kept", "derivative_of_output", "examples_mixed"):
            if not mistake_applies(mistake_id, net):
                continue
            numbers = list(every_form_numbers(net, X, Y, mistake_id))
            assert numbers[0][0] == MISTAKES[mistake_id].forms[0]
            for form, n in numbers[1:]:
                seen.add(form.id)
                first = numbers[0][1]
                gaps = [np.abs(a - b).max() for a, b in zip(n.deltas + n.grad_W, first.deltas + first.grad_W)]
                assert max(gaps) > 1e-6, (kind, mistake_id, form.id)
    assert seen == {"sigmoid_prime_of_z", "hidden_layers_only", "output_layer_only", "mean_input_pushed_through"}


def test_a_form_that_cannot_happen_is_refused():
    with pytest.raises(ValueError):  # after a sigmoid, σ'(z) is a(1 − a): no second form of its own
        mistaken_numbers(_net([2, 2], "sigmoid_bce"), np.eye(2), np.eye(2), "sigmoid_prime_kept",
                         form="sigmoid_prime_of_z")
    with pytest.raises(ValueError):
        mistaken_numbers(_net([2, 3, 2], "sigmoid_mse"), np.eye(2), np.eye(2), "sign_flipped", form="everywhere")
