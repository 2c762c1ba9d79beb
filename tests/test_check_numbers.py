"""check_numbers and check_pairings (app/check/): the learner's numbers against the exact pass, the first
mismatch in the order they are computed, and the mistake named by matching, on the independent numbers of
../shared/reference/mistakes.json."""

from __future__ import annotations

import json

import numpy as np
import pytest

import mistakes_reference as mref
from app.check import (COLUMN_VECTORS, GRAD_W_TRANSPOSED, NIELSEN_NABLAS, YoursError, check_numbers,
                       check_pairings)
from app.nn import OutputLayer, exact_numbers, mistaken_numbers


def _transposed_examples(yours: dict) -> dict:
    """The same numbers as a column-vector learner writes them: one column per example."""
    return {"layers": [{**layer, "delta": np.array(layer["delta"]).T.tolist()} for layer in yours["layers"]]}


@pytest.mark.parametrize("name", mref.case_names())
def test_right_numbers_give_no_mismatch_and_no_diagnosis(name):
    case = mref.load_case(name)
    yours = {**mref.as_yours(case["right"]), "loss": case["right"]["loss"], "outputs": case["right"]["outputs"]}
    report = check_numbers(mref.network(case), *mref.examples(case), yours, case["learning_rate"])
    assert report.matches and report.first_mismatch is None
    assert report.diagnosis == [] and report.unknown_mistake is False
    assert report.layout_notes == []
    assert all(q.matches for q in report.quantities)
    assert len(report.quantities) == 2 + 3 * len(case["W"])


@pytest.mark.parametrize(("name", "mistake_id"), mref.case_mistakes())
def test_each_mistake_is_named_by_its_numbers(name, mistake_id):
    case = mref.load_case(name)
    net, (X, Y) = mref.network(case), mref.examples(case)
    wrong = case["mistakes"][mistake_id]
    report = check_numbers(net, X, Y, mref.as_yours(wrong), case["learning_rate"])
    named = [m.id for m in report.diagnosis]
    assert mistake_id in named
    assert report.first_mismatch is not None and report.unknown_mistake is False
    for other in named:  # every other mistake named gives the very same numbers on this case
        numbers = mistaken_numbers(net, X, Y, other, case["learning_rate"])
        for l in range(len(case["W"])):
            np.testing.assert_allclose(numbers.deltas[l], wrong["delta"][l], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(numbers.grad_W[l], wrong["grad_W"][l], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(numbers.grad_b[l], wrong["grad_b"][l], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("mistake_id", "quantity", "layer", "equation"), [
    ("sign_flipped", "delta", 2, "BP1"),
    ("hidden_derivative_missing", "delta", 1, "BP2"),
    ("bias_gradient_missing", "grad_b", 2, "BP3"),
    ("examples_mixed", "grad_W", 2, "BP4"),
])
def test_first_mismatch_is_where_the_mistake_enters(mistake_id, quantity, layer, equation):
    case = mref.load_case("random_3_4_4_2_softmax_ce")
    report = check_numbers(mref.network(case), *mref.examples(case), mref.as_yours(case["mistakes"][mistake_id]),
                           case["learning_rate"])
    first = report.first_mismatch
    assert (first.quantity, first.layer, first.equation, first.call) == (quantity, layer, equation, 1)


def test_one_perturbed_bp2_entry_is_found_and_is_no_known_mistake():
    case = mref.load_case("random_3_4_4_2_softmax_mse")
    yours = mref.as_yours(case["right"])
    rng = np.random.default_rng(14)
    delta = np.array(yours["layers"][1]["delta"])
    i, j = (int(k) for k in rng.integers(0, delta.shape))
    delta[i, j] += 0.01 + abs(delta[i, j])
    yours["layers"][1]["delta"] = delta.tolist()
    report = check_numbers(mref.network(case), *mref.examples(case), yours, case["learning_rate"])
    first = report.first_mismatch
    assert (first.quantity, first.layer, first.equation) == ("delta", 1, "BP2")
    assert first.index == [i, j]
    assert first.max_abs_difference == pytest.approx(0.01 + abs(case["right"]["delta"][1][i][j]), rel=1e-9)
    assert report.diagnosis == [] and report.unknown_mistake is True


def test_gradients_not_reset_shows_over_two_calls():
    case = mref.load_case("xor_2_4_2_sigmoid_bce")
    net, (X, Y) = mref.network(case), mref.examples(case)
    right = mref.as_yours(case["right"])
    twice = {"layers": [{**layer, "grad_W": (2 * np.array(layer["grad_W"])).tolist(),
                         "grad_b": (2 * np.array(layer["grad_b"])).tolist()} for layer in right["layers"]]}
    report = check_numbers(net, X, Y, right, case["learning_rate"], yours_again=twice)
    assert [m.id for m in report.diagnosis] == ["gradients_not_reset"]
    first = report.first_mismatch
    assert (first.call, first.quantity, first.equation) == (2, "grad_b", "BP3")
    assert check_numbers(net, X, Y, right, case["learning_rate"], yours_again=right).matches
    # One call cannot show it: with 4 examples, twice the gradient alone is no catalogued mistake.
    assert check_numbers(net, X, Y, twice).unknown_mistake is True


def test_column_vectors_give_a_layout_note_and_the_same_diagnosis():
    case = mref.load_case("random_3_4_4_2_softmax_ce")
    net, (X, Y) = mref.network(case), mref.examples(case)
    assert X.shape[0] != 4  # the shapes say which way round the examples are
    right = check_numbers(net, X, Y, _transposed_examples(mref.as_yours(case["right"])))
    assert right.matches and right.layout_notes == [COLUMN_VECTORS]
    wrong = check_numbers(net, X, Y, _transposed_examples(mref.as_yours(case["mistakes"]["sign_flipped"])))
    assert [m.id for m in wrong.diagnosis] == ["sign_flipped"] and wrong.layout_notes == [COLUMN_VECTORS]


def test_square_shapes_are_read_the_way_that_explains_them():
    """Two examples of two units: (2, 2) fits rows and columns; the reading that checks clean wins."""
    case = mref.load_case("two_points_square_2_2_2_sigmoid_mse")
    net, (X, Y) = mref.network(case), mref.examples(case)
    yours = _transposed_examples(mref.as_yours(case["mistakes"]["weights_not_transposed"]))
    report = check_numbers(net, X, Y, yours, case["learning_rate"])
    assert [m.id for m in report.diagnosis] == ["weights_not_transposed"]
    assert report.layout_notes == [COLUMN_VECTORS]
    plain = check_numbers(net, X, Y, mref.as_yours(case["mistakes"]["weights_not_transposed"]), case["learning_rate"])
    assert plain.layout_notes == [] and [m.id for m in plain.diagnosis] == ["weights_not_transposed"]


def test_transposed_grad_w_gives_a_layout_note_and_the_same_diagnosis():
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    net, (X, Y) = mref.network(case), mref.examples(case)
    yours = mref.as_yours(case["mistakes"]["examples_mixed"])
    for layer in yours["layers"]:
        layer["grad_W"] = np.array(layer["grad_W"]).T.tolist()
    report = check_numbers(net, X, Y, yours, case["learning_rate"])
    assert report.layout_notes == [GRAD_W_TRANSPOSED]
    assert [m.id for m in report.diagnosis] == ["examples_mixed"]


def test_nielsen_nablas_for_one_example_give_a_layout_note_and_the_same_diagnosis():
    case = mref.load_case("xor_square_2_2_2_softmax_ce")
    net, (X, Y) = mref.network(case), mref.examples(case)
    x, y = X[1:2], Y[1:2]
    for mistake_id in (None, "sigmoid_prime_kept", "weights_not_transposed"):
        numbers = exact_numbers(net, x, y) if mistake_id is None else mistaken_numbers(net, x, y, mistake_id)
        yours = {"nabla_b": [g.reshape(-1, 1).tolist() for g in numbers.grad_b],
                 "nabla_w": [g.tolist() for g in numbers.grad_W],
                 "layers": [{"z": z.reshape(-1, 1).tolist()} for z in numbers.zs]}
        report = check_numbers(net, x, y, yours)
        assert report.layout_notes == [COLUMN_VECTORS, NIELSEN_NABLAS]
        assert [m.id for m in report.diagnosis] == ([] if mistake_id is None else [mistake_id])
        assert report.matches is (mistake_id is None)


def test_printed_numbers_match_and_coarse_ones_do_not():
    """NumPy prints 8 digits after the point: that precision matches; 3 digits is a mismatch."""
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    net, (X, Y) = mref.network(case), mref.examples(case)
    printed = json.loads(json.dumps(mref.as_yours(case["right"])), parse_float=lambda s: round(float(s), 8))
    assert check_numbers(net, X, Y, printed).matches
    coarse = json.loads(json.dumps(mref.as_yours(case["right"])), parse_float=lambda s: round(float(s), 3))
    assert not check_numbers(net, X, Y, coarse).matches


def test_report_is_json_without_nan_or_infinity():
    case = mref.load_case("random_3_4_4_2_softmax_mse")
    yours = mref.as_yours(case["right"])
    yours["layers"][2]["grad_b"] = [1e308, -1e308]
    yours["loss"] = 0.0
    report = check_numbers(mref.network(case), *mref.examples(case), yours).to_dict()
    text = json.dumps(report, allow_nan=False)
    back = json.loads(text)
    assert back["pairing"] == "softmax_mse"
    assert back["first_mismatch"]["quantity"] == "loss"
    assert back["unknown_mistake"] is True
    assert set(back["tolerance"]) == {"relative", "of_largest_entry", "absolute"}
    assert {q["quantity"] for q in back["quantities"]} == {"loss", "delta", "grad_W", "grad_b"}


@pytest.mark.parametrize(("yours", "loc"), [
    ({}, ("yours",)),
    ({"layers": [{"z": [[1.0, 2.0]]}]}, ("yours", "layers")),
    ({"layers": [{"z": [[1.0, 2.0, 3.0]]}, {}]}, ("yours", "layers", 0, "z")),
    ({"layers": [{}, {"grad_W": [[1.0, 2.0, 3.0]]}]}, ("yours", "layers", 1, "grad_W")),
    ({"layers": [{}, {"delta": [[float("nan"), 0.0], [0.0, 0.0]]}]}, ("yours", "layers", 1, "delta")),
    ({"layers": [{}, {"a": [[True, False], [False, True]]}]}, ("yours", "layers", 1, "a")),
    ({"nabla_w": [[[0.0, 0.0]]]}, ("yours", "nabla_w")),
    ({"nabla_b": [[0.0] * 8, [0.0, 0.0]], "layers": [{}, {"grad_b": [0.0, 0.0]}]}, ("yours", "nabla_b", 1)),
    ({"loss": [1.0, 2.0]}, ("yours", "loss")),
    ({"outputs": [[1.0, 2.0], [3.0]]}, ("yours", "outputs")),
    ({"layers": [{"z": [[0.0] * 8] * 2}, {"a": [[0.0] * 2] * 2, "delta": [[0.0] * 8] * 2}]},
     ("yours", "layers", 1, "delta")),
    ({"layers": [{"z": [[0.0] * 8] * 2, "delta": [[0.0] * 2] * 8}, {}]}, ("yours", "layers", 0, "delta")),
])
def test_numbers_that_do_not_fit_the_model_say_where(yours, loc):
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    with pytest.raises(YoursError) as caught:
        check_numbers(mref.network(case), *mref.examples(case), yours)
    assert caught.value.loc == loc


def test_numbers_of_the_second_call_are_named_as_such():
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    with pytest.raises(YoursError) as caught:
        check_numbers(mref.network(case), *mref.examples(case), mref.as_yours(case["right"]),
                      yours_again={"loss": [0.0, 1.0]})
    assert caught.value.loc == ("yours_again", "loss")


def test_pairing_search_finds_the_pairing_whose_numbers_match():
    case = mref.load_case("xor_square_2_2_2_softmax_ce")
    net, (X, Y) = mref.network(case), mref.examples(case)
    search = check_pairings(net.with_output(OutputLayer("sigmoid", "mse")), X, Y,
                            {**mref.as_yours(case["right"]), "loss": case["right"]["loss"]})
    assert (search.chosen, search.reason, search.matching) == ("softmax_ce", "right_numbers", ["softmax_ce"])
    assert search.report.pairing == "softmax_ce" and search.skipped == {}


def test_pairing_search_names_every_pairing_a_mistake_explains():
    """(a − y) ⊙ a(1 − a) with softmax is softmax + MSE treated elementwise, and softmax + CE with σ' kept."""
    case = mref.load_case("random_3_4_4_2_softmax_mse")
    net, (X, Y) = mref.network(case), mref.examples(case)
    search = check_pairings(net, X, Y, mref.as_yours(case["mistakes"]["softmax_elementwise_derivative"]))
    assert search.matching == []
    assert search.named == {"softmax_ce": ["sigmoid_prime_kept"], "softmax_mse": ["softmax_elementwise_derivative"]}
    assert (search.chosen, search.reason) == ("softmax_ce", "named_mistake")
    asked = check_pairings(net, X, Y, mref.as_yours(case["mistakes"]["softmax_elementwise_derivative"]),
                           pairings=("softmax_mse", "softmax_ce"))
    assert asked.chosen == "softmax_mse"  # ties go to the pairing asked first


def test_pairing_search_without_an_explanation_picks_the_latest_first_mismatch():
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    net, (X, Y) = mref.network(case), mref.examples(case)
    yours = {**mref.as_yours(case["right"]), "loss": case["right"]["loss"]}
    yours["layers"][0]["grad_W"] = (np.array(yours["layers"][0]["grad_W"]) + 0.5).tolist()
    search = check_pairings(net, X, Y, yours)
    assert (search.chosen, search.reason, search.named) == ("sigmoid_mse", "latest_first_mismatch", {})
    assert search.report.first_mismatch.equation == "BP4"


def test_pairing_search_skips_pairings_the_labels_cannot_mean():
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    net, (X, _) = mref.network(case), mref.examples(case)
    Y = np.array([[0.9, 0.9], [0.1, 0.2]])
    search = check_pairings(net, X, Y, {"layers": [{}, {"a": exact_numbers(net, X, Y).activations[1].tolist()}]})
    assert search.skipped == {"softmax_ce": "labels_not_distributions"}
    assert search.chosen == "sigmoid_mse" and search.matching == ["sigmoid_mse", "sigmoid_bce"]


def test_a_mistake_made_in_one_place_only_is_named_for_the_first_wrong_equation():
    """σ'(a) at the output layer but σ'(z) in the hidden layer: no catalogued mistake gives every number (the
    catalogue's derivative_of_output is everywhere), but the first wrong equation, BP1, is that mistake's."""
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    (X, Y), W, b = mref.examples(case), [np.array(w) for w in case["W"]], [np.array(v) for v in case["b"]]
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    z1 = X @ W[0].T + b[0]
    a1 = sig(z1)
    a2 = sig(a1 @ W[1].T + b[1])
    delta2 = (a2 - Y) * sig(a2) * (1 - sig(a2))  # σ'(a) where σ'(z) belongs, at the output only
    delta1 = (delta2 @ W[1]) * a1 * (1 - a1)  # the hidden layer done right
    yours = {"layers": [{"delta": d.tolist(), "grad_W": (d.T @ a / len(X)).tolist(), "grad_b": d.mean(0).tolist()}
                        for d, a in ((delta1, X), (delta2, a1))]}
    report = check_numbers(mref.network(case), X, Y, yours, case["learning_rate"])
    assert (report.first_mismatch.quantity, report.first_mismatch.equation) == ("delta", "BP1")
    assert report.diagnosis == [] and report.unknown_mistake is True
    assert [m.id for m in report.first_mismatch_mistakes] == ["derivative_of_output"]
    assert report.to_dict()["first_mismatch_mistakes"][0]["id"] == "derivative_of_output"


def test_right_numbers_and_named_mistakes_leave_first_mismatch_mistakes_empty():
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    net, (X, Y) = mref.network(case), mref.examples(case)
    for numbers in (case["right"], case["mistakes"]["sign_flipped"]):
        assert check_numbers(net, X, Y, mref.as_yours(numbers), case["learning_rate"]).first_mismatch_mistakes == []
