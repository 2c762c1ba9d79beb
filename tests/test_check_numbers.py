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


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _plain_backprop(case, X, Y, output_delta, hidden_slope):
    """δ, ∂C/∂W and ∂C/∂b of a sigmoid-hidden network in plain NumPy, examples as rows; `output_delta(z, a, y)` is
    BP1 and `hidden_slope(z, a)` the factor of BP2, as the learner wrote them."""
    W, b = [np.array(w) for w in case["W"]], [np.array(v) for v in case["b"]]
    out = _softmax if case["output_activation"] == "softmax" else _sig
    activations, zs = [X], []
    for l, (w, v) in enumerate(zip(W, b)):
        zs.append(activations[-1] @ w.T + v)
        activations.append(out(zs[-1]) if l == len(W) - 1 else _sig(zs[-1]))
    deltas = [output_delta(zs[-1], activations[-1], Y)]
    for l in range(len(W) - 1, 0, -1):
        deltas.insert(0, (deltas[0] @ W[l]) * hidden_slope(zs[l - 1], activations[l]))
    return {"layers": [{"delta": d.tolist(), "grad_W": (d.T @ a / len(X)).tolist(), "grad_b": d.mean(0).tolist()}
                       for d, a in zip(deltas, activations)]}


def _sigma_prime_of(v):
    return _sig(v) * (1 - _sig(v))


@pytest.mark.parametrize(("at_output", "in_hidden", "form"), [
    (True, False, "output_layer_only"), (False, True, "hidden_layers_only"), (True, True, "everywhere")])
def test_derivative_of_output_is_named_in_each_place_it_is_made(at_output, in_hidden, form):
    """σ'(a) where σ'(z) belongs: at the output only, in the hidden layers only, or both."""
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    X, Y = mref.examples(case)
    yours = _plain_backprop(case, X, Y,
                            lambda z, a, y: (a - y) * _sigma_prime_of(a if at_output else z),
                            lambda z, a: _sigma_prime_of(a if in_hidden else z))
    report = check_numbers(mref.network(case), X, Y, yours, case["learning_rate"])
    assert [(m.id, m.form.id) for m in report.diagnosis] == [("derivative_of_output", form)]
    assert report.to_dict()["diagnosis"][0]["form"] == form
    assert report.unknown_mistake is False


def test_sigma_prime_of_the_z_before_softmax_is_sigmoid_prime_kept():
    """Nielsen's `* sigmoid_prime(zs[-1])` kept under a softmax: σ(z)(1 − σ(z)) of z, not a(1 − a)."""
    case = mref.load_case("random_3_4_4_2_softmax_ce")
    X, Y = mref.examples(case)
    yours = _plain_backprop(case, X, Y, lambda z, a, y: (a - y) * _sigma_prime_of(z),
                            lambda z, a: _sigma_prime_of(z))
    report = check_numbers(mref.network(case), X, Y, yours, case["learning_rate"])
    assert [(m.id, m.form.id) for m in report.diagnosis] == [("sigmoid_prime_kept", "sigmoid_prime_of_z")]
    reference = check_numbers(mref.network(case), X, Y, mref.as_yours(case["mistakes"]["sigmoid_prime_kept"]),
                              case["learning_rate"])
    assert [(m.id, m.form.id) for m in reference.diagnosis] == [("sigmoid_prime_kept", "a_times_one_minus_a")]


def test_backprop_of_the_mean_example_is_examples_mixed():
    """The mean input and mean label pushed through once: every example gets the average example's gradient."""
    case = mref.load_case("xor_2_4_2_sigmoid_bce")
    X, Y = mref.examples(case)
    mean = _plain_backprop(case, X.mean(0, keepdims=True), Y.mean(0, keepdims=True),
                           lambda z, a, y: a - y, lambda z, a: _sigma_prime_of(z))
    yours = {"layers": [{"grad_W": layer["grad_W"], "grad_b": layer["grad_b"]} for layer in mean["layers"]]}
    report = check_numbers(mref.network(case), X, Y, yours, case["learning_rate"])
    assert [(m.id, m.form.id) for m in report.diagnosis] == [("examples_mixed", "mean_input_pushed_through")]
    assert report.to_dict()["diagnosis"][0]["form_text"]


def test_a_mistake_made_with_a_second_one_is_named_for_the_first_wrong_equation():
    """σ'(a) at the output layer and no σ' in the hidden layer: no catalogued mistake gives every number, but the
    first wrong equation, BP1, is derivative_of_output's."""
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    X, Y = mref.examples(case)
    yours = _plain_backprop(case, X, Y, lambda z, a, y: (a - y) * _sigma_prime_of(a), lambda z, a: 1.0)
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


def _grad_w_transposed(yours: dict) -> dict:
    return {"layers": [{**layer, "grad_W": np.array(layer["grad_W"]).T.tolist()} for layer in yours["layers"]]}


def test_a_square_grad_w_is_read_the_way_the_non_square_ones_are():
    """3-4-4-2: the middle ∂C/∂W is square; transposed like the others, it is read transposed, and says so."""
    case = mref.load_case("random_3_4_4_2_softmax_ce")
    net, (X, Y) = mref.network(case), mref.examples(case)
    report = check_numbers(net, X, Y, _grad_w_transposed(mref.as_yours(case["right"])),
                           yours_again=_grad_w_transposed(mref.as_yours(case["right"])))
    assert report.matches and report.layout_notes == [GRAD_W_TRANSPOSED]
    assert [(q.layer, q.call, q.transposed) for q in report.quantities if q.quantity == "grad_W"] == [
        (2, 1, True), (1, 1, True), (0, 1, True), (2, 2, True), (1, 2, True), (0, 2, True)]
    assert {q.examples_as for q in report.quantities} == {"rows"}
    assert report.to_dict()["quantities"][0]["examples_as"] == "rows"


def test_a_square_grad_w_with_nothing_to_follow_is_read_as_given():
    case = mref.load_case("two_points_square_2_2_2_sigmoid_mse")
    net, (X, Y) = mref.network(case), mref.examples(case)
    yours = {"layers": [{"grad_W": layer["grad_W"]} for layer in _grad_w_transposed(mref.as_yours(case["right"]))[
        "layers"]]}
    report = check_numbers(net, X, Y, yours)
    assert not report.matches and report.layout_notes == []
    assert not any(q.transposed for q in report.quantities)
    told = check_numbers(net, X, Y, yours, square_transposed=True)  # what backprop-lab check's other cases say
    assert told.matches and told.layout_notes == [GRAD_W_TRANSPOSED]
