"""Every bad request gets a 422 (never a 500) whose `detail` points at the field to fix and says how.

Responses must be strict JSON: NaN and Infinity in a request are refused, and never echoed back.
"""

from __future__ import annotations

import copy
import json
import warnings
from typing import Any, Callable

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.app import create_app

MODEL = {  # 2-3-2, sigmoid hidden layer, softmax + cross-entropy: 17 parameters
    "layer_sizes": [2, 3, 2],
    "hidden_activation": "sigmoid",
    "output_activation": "softmax",
    "loss": "cross_entropy",
    "W": [[[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], [[0.7, -0.8, 0.9], [-0.1, 0.2, -0.3]]],
    "b": [[0.0, 0.1, -0.1], [0.2, -0.2]],
}
EXAMPLES = {"inputs": [[1.0, 0.0], [0.0, 1.0]], "labels": [[1.0, 0.0], [0.0, 1.0]]}
TRAIN = {"optimizer": {"name": "sgd", "learning_rate": 1.0}, "steps": 10}

MODEL_ENDPOINTS = ("/api/backprop", "/api/train", "/api/gradcheck")


def one_output(activation: str, loss: str) -> dict:
    """A 2-1 network without hidden layers."""
    return {"layer_sizes": [2, 1], "hidden_activation": None, "output_activation": activation, "loss": loss,
            "W": [[[0.1, -0.2]]], "b": [[0.0]]}


def body_for(endpoint: str, change: Callable[[dict], Any] | None = None) -> dict:
    body = {"model": copy.deepcopy(MODEL), **copy.deepcopy(EXAMPLES)}
    if endpoint == "/api/train":
        body.update(copy.deepcopy(TRAIN))
    if change:
        change(body)
    return body


def strict_json(text: str) -> Any:
    def refuse(constant: str):
        raise AssertionError(f"the response holds {constant}, which is not JSON")
    return json.loads(text, parse_constant=refuse)


def field_for(loc: list) -> str | None:
    """The `field` convention: the dotted path after "body", "query" or "path"; null for the body as a whole."""
    assert loc[0] in ("body", "query", "path"), loc
    return ".".join(str(part) for part in loc[1:]) or None


def assert_422(response, loc: list, *words: str) -> dict:
    """A 422 in strict JSON whose first error sits at `loc` and whose message holds every word."""
    assert response.status_code == 422, f"{response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith("application/json")
    detail = strict_json(response.text)["detail"]
    assert isinstance(detail, list) and detail, detail
    for error in detail:
        assert set(error) == {"loc", "msg", "type", "field"}, f"errors say where and what, and echo no input: {error}"
        assert isinstance(error["msg"], str) and error["msg"]
        if error["type"] != "json_invalid":
            assert error["field"] == field_for(error["loc"]), error
    locs = [error["loc"] for error in detail]
    assert loc in locs, f"expected an error at {loc}, got {locs}"
    message = next(error["msg"] for error in detail if error["loc"] == loc)
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    return detail


def client_with(**overrides) -> TestClient:
    """An app with small limits; server errors come back as 500 responses instead of exceptions."""
    return TestClient(create_app(Settings(**overrides)), raise_server_exceptions=False)


@pytest.fixture
def lenient(settings):
    """Like `client`, but a server error is a 500 response to assert on, not an exception in the test."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def setter(path: tuple, value: Any) -> Callable[[dict], None]:
    def change(body: dict) -> None:
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


# --- the model document: shapes, pairings, names -----------------------------------------------------------

MODEL_PROBLEMS = [
    # id, change, loc after ("body", "model"), words the message must hold
    ("W_with_too_few_layers", setter(("model", "W"), MODEL["W"][:1]), ["W"], ["2 weight layers", "2 entries"]),
    ("W_with_too_many_layers", setter(("model", "W"), MODEL["W"] * 2), ["W"], ["2 entries", "not 4"]),
    ("b_with_too_few_layers", setter(("model", "b"), MODEL["b"][:1]), ["b"], ["2 entries"]),
    ("W_with_a_missing_row", setter(("model", "W", 1), MODEL["W"][1][:1]), ["W", 1], ["2 rows", "not 1"]),
    ("W_with_an_extra_row", setter(("model", "W", 0), MODEL["W"][0] + [[0.0, 0.0]]), ["W", 0], ["3 rows", "not 4"]),
    ("W_row_with_an_extra_column", setter(("model", "W", 0, 2), [1.0, 2.0, 3.0]), ["W", 0, 2], ["2 numbers", "not 3"]),
    ("W_row_with_a_missing_column", setter(("model", "W", 1, 0), [1.0, 2.0]), ["W", 1, 0], ["3 numbers", "not 2"]),
    ("W_transposed", setter(("model", "W", 0), [[0.1, 0.3, -0.5], [-0.2, 0.4, 0.6]]), ["W", 0], ["3 rows"]),
    ("b_too_short", setter(("model", "b", 0), [0.0, 0.1]), ["b", 0], ["3 numbers", "not 2"]),
    ("b_too_long", setter(("model", "b", 1), [0.0, 0.1, 0.2]), ["b", 1], ["2 numbers", "not 3"]),
    ("hidden_layers_without_hidden_activation", setter(("model", "hidden_activation"), None),
     ["hidden_activation"], ["hidden_activation"]),
    ("cross_entropy_with_sigmoid_output", setter(("model", "output_activation"), "sigmoid"),
     ["loss"], ["binary_cross_entropy"]),
    ("cross_entropy_with_linear_output", setter(("model", "output_activation"), "linear"), ["loss"], ["mse"]),
    ("unknown_hidden_activation", setter(("model", "hidden_activation"), "swish"), ["hidden_activation"], ["sigmoid"]),
    ("unknown_output_activation", setter(("model", "output_activation"), "tanh"), ["output_activation"], ["softmax"]),
    ("unknown_loss", setter(("model", "loss"), "hinge"), ["loss"], ["cross_entropy"]),
    ("missing_loss", lambda body: body["model"].pop("loss"), ["loss"], ["required"]),
    ("layer_sizes_with_one_entry", setter(("model", "layer_sizes"), [2]), ["layer_sizes"], ["2"]),
    ("layer_sizes_with_zero_units", setter(("model", "layer_sizes"), [2, 0, 2]), ["layer_sizes", 1], ["1"]),
    ("layer_sizes_as_floats", setter(("model", "layer_sizes"), [2.0, 3.0, 2.0]), ["layer_sizes", 0], []),
    ("layer_sizes_as_booleans", setter(("model", "layer_sizes", 0), True), ["layer_sizes", 0], []),
    ("boolean_weight", setter(("model", "W", 0, 0, 0), False), ["W", 0, 0, 0], ["number"]),
    ("boolean_bias", setter(("model", "b", 1, 0), True), ["b", 1, 0], ["number"]),
    ("string_weight", setter(("model", "W", 0, 0, 0), "0.1"), ["W", 0, 0, 0], ["number"]),
    ("W_missing_a_level", setter(("model", "W", 0), [0.1, 0.2]), ["W", 0, 0], []),
    ("unknown_model_field", setter(("model", "init"), "xavier"), ["init"], ["not permitted"]),
    ("softmax_with_one_output_unit", lambda body: body.update(model=one_output("softmax", "cross_entropy"),
                                                              labels=[[1.0], [0.0]]),
     ["layer_sizes"], ["at least 2 units", "sigmoid with binary_cross_entropy"]),
    ("softmax_mse_with_one_output_unit", lambda body: body.update(model=one_output("softmax", "mse"),
                                                                  labels=[[1.0], [0.0]]),
     ["layer_sizes"], ["at least 2 units"]),
]


@pytest.mark.parametrize("endpoint", MODEL_ENDPOINTS)
@pytest.mark.parametrize("change, loc, words", [case[1:] for case in MODEL_PROBLEMS],
                         ids=[case[0] for case in MODEL_PROBLEMS])
def test_a_bad_model_document_is_a_422_pointing_at_the_field(lenient, endpoint, change, loc, words):
    assert_422(lenient.post(endpoint, json=body_for(endpoint, change)), ["body", "model", *loc], *words)


def test_binary_cross_entropy_with_softmax_output_names_the_losses_that_fit(lenient):
    body = body_for("/api/backprop", setter(("model", "loss"), "binary_cross_entropy"))
    assert_422(lenient.post("/api/backprop", json=body), ["body", "model", "loss"], "sigmoid", "cross_entropy")


def test_a_model_without_hidden_layers_needs_no_hidden_activation(client):
    model = {"layer_sizes": [2, 2], "hidden_activation": None, "output_activation": "sigmoid",
             "loss": "binary_cross_entropy", "W": [[[0.1, 0.2], [0.3, 0.4]]], "b": [[0.0, 0.0]]}
    assert client.post("/api/backprop", json={"model": model, **EXAMPLES}).status_code == 200


# --- the examples --------------------------------------------------------------------------------------------

EXAMPLE_PROBLEMS = [
    ("labels_of_the_wrong_width", setter(("labels", 1), [0.0, 1.0, 0.0]), ["labels", 1], ["3 numbers", "2 outputs"]),
    ("labels_too_narrow", setter(("labels", 0), [1.0]), ["labels", 0], ["1 numbers", "2 outputs"]),
    ("inputs_of_the_wrong_width", setter(("inputs", 0), [1.0, 0.0, 0.0]), ["inputs", 0], ["3 numbers", "2 inputs"]),
    ("fewer_labels_than_inputs", setter(("labels",), [[1.0, 0.0]]), ["labels"], ["2 inputs", "1 labels"]),
    ("more_labels_than_inputs", setter(("labels",), [[1.0, 0.0]] * 3), ["labels"], ["2 inputs", "3 labels"]),
    ("no_examples", setter(("inputs",), []), ["inputs"], ["at least 1"]),
    ("boolean_input", setter(("inputs", 0, 0), True), ["inputs", 0, 0], ["number"]),
    ("boolean_label", setter(("labels", 1, 1), False), ["labels", 1, 1], ["number"]),
    ("null_input", setter(("inputs", 1, 0), None), ["inputs", 1, 0], ["number"]),
    ("unknown_top_level_field", setter(("verbose",), True), ["verbose"], ["not permitted"]),
    ("missing_labels", lambda body: body.pop("labels"), ["labels"], ["required"]),
]


@pytest.mark.parametrize("endpoint", MODEL_ENDPOINTS)
@pytest.mark.parametrize("change, loc, words", [case[1:] for case in EXAMPLE_PROBLEMS],
                         ids=[case[0] for case in EXAMPLE_PROBLEMS])
def test_bad_examples_are_a_422_pointing_at_the_field(lenient, endpoint, change, loc, words):
    assert_422(lenient.post(endpoint, json=body_for(endpoint, change)), ["body", *loc], *words)


# --- labels the loss can mean ------------------------------------------------------------------------------

def with_output(activation: str, loss: str, labels: list) -> Callable[[dict], None]:
    def change(body: dict) -> None:
        body["model"].update(output_activation=activation, loss=loss)
        body["labels"] = labels
    return change


CE = ("softmax", "cross_entropy")
BCE = ("sigmoid", "binary_cross_entropy")
LABEL_PROBLEMS = [
    # id, output layer, labels, loc after ("body", "labels"), words the message must hold
    ("cross_entropy_negative_label", CE, [[2.0, -1.0], [0.0, 1.0]], [0], ["labels[0]", "-1", "below 0",
                                                                          "non-negative", "sum to 1"]),
    ("cross_entropy_row_summing_below_1", CE, [[1.0, 0.0], [0.3, 0.3]], [1], ["labels[1]", "sums to 0.6",
                                                                             "one-hot", "probability distribution"]),
    ("cross_entropy_row_summing_above_1", CE, [[1.0, 1.0], [0.0, 1.0]], [0], ["sums to 2", "sum to 1"]),
    ("cross_entropy_all_zero_row", CE, [[1.0, 0.0], [0.0, 0.0]], [1], ["sums to 0", "sum to 1"]),
    ("cross_entropy_row_off_by_more_than_the_tolerance", CE, [[1.0, 0.0], [0.5, 0.5 + 1e-8]], [1], ["sum to 1"]),
    ("cross_entropy_class_indices_instead_of_one_hot", CE, [[0.0, 0.0], [1.0, 0.0]], [0], ["sums to 0", "one-hot"]),
    ("binary_cross_entropy_label_above_1", BCE, [[1.0, 0.0], [0.0, 2.0]], [1], ["labels[1][1]", "2",
                                                                               "between 0 and 1"]),
    ("binary_cross_entropy_negative_label", BCE, [[-0.5, 0.0], [0.0, 1.0]], [0], ["labels[0][0]", "-0.5",
                                                                                 "between 0 and 1"]),
    ("binary_cross_entropy_minus_one_for_the_other_class", BCE, [[1.0, -1.0], [-1.0, 1.0]], [0],
     ["between 0 and 1"]),
]


@pytest.mark.parametrize("endpoint", MODEL_ENDPOINTS)
@pytest.mark.parametrize("output, labels, loc, words", [case[1:] for case in LABEL_PROBLEMS],
                         ids=[case[0] for case in LABEL_PROBLEMS])
def test_labels_the_loss_cannot_mean_are_a_422_naming_the_row_and_the_rule(lenient, endpoint, output, labels, loc,
                                                                           words):
    body = body_for(endpoint, with_output(*output, labels))
    assert_422(lenient.post(endpoint, json=body), ["body", "labels", *loc], *words)


LABELS_THAT_FIT = [
    ("cross_entropy_one_hot", CE, [[1.0, 0.0], [0.0, 1.0]]),
    ("cross_entropy_probability_distributions", CE, [[0.25, 0.75], [0.1, 0.9]]),
    ("cross_entropy_sum_within_the_tolerance", CE, [[0.1 + 0.2, 0.7], [0.5, 0.5 + 1e-12]]),
    ("binary_cross_entropy_probabilities", BCE, [[1.0, 0.0], [0.5, 0.25]]),
    ("binary_cross_entropy_multi_label", BCE, [[1.0, 1.0], [0.0, 0.0]]),
    ("mse_any_finite_numbers", ("sigmoid", "mse"), [[2.0, -1.0], [0.3, 0.3]]),
    ("softmax_mse_any_finite_numbers", ("softmax", "mse"), [[-3.0, 7.5], [0.0, 0.0]]),
    ("linear_mse_any_finite_numbers", ("linear", "mse"), [[-1e6, 42.0], [0.3, 0.3]]),
]


@pytest.mark.parametrize("endpoint", MODEL_ENDPOINTS)
@pytest.mark.parametrize("output, labels", [case[1:] for case in LABELS_THAT_FIT],
                         ids=[case[0] for case in LABELS_THAT_FIT])
def test_labels_that_fit_the_loss_are_accepted(client, endpoint, output, labels):
    response = client.post(endpoint, json=body_for(endpoint, with_output(*output, labels)))
    assert response.status_code == 200, response.text


def test_cross_entropy_with_soft_labels_reports_delta_a_minus_y_and_computes_it(client):
    """The rule the answer names is the rule it used: with rows that sum to 1, a Σy − y is a − y."""
    labels = [[0.25, 0.75], [0.1, 0.9]]
    answer = client.post("/api/backprop", json=body_for("/api/backprop", with_output(*CE, labels))).json()
    assert answer["delta_rule"] == "δᴸ = a − y"
    for a, y, delta in zip(answer["outputs"], labels, answer["layers"][-1]["delta"]):
        assert delta == pytest.approx([ai - yi for ai, yi in zip(a, y)], rel=1e-12, abs=1e-15)


def test_a_sigmoid_output_with_one_unit_and_binary_cross_entropy_is_the_one_output_model(client):
    body = {"model": one_output(*BCE), "inputs": [[1.0, 0.0], [0.0, 1.0]], "labels": [[1.0], [0.0]]}
    assert client.post("/api/backprop", json=body).status_code == 200


# --- numbers JSON does not have ------------------------------------------------------------------------------

NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e999", "-1e999")
# Where to write the raw constant: a path into the body and its loc in the 422.
NUMBER_PLACES = [
    (("model", "W", 0, 1, 1), ["body", "model", "W", 0, 1, 1]),
    (("model", "b", 1, 0), ["body", "model", "b", 1, 0]),
    (("inputs", 1, 0), ["body", "inputs", 1, 0]),
    (("labels", 0, 1), ["body", "labels", 0, 1]),
]
MARK = 123456.789


def raw_body(endpoint: str, path: tuple, constant: str) -> str:
    """The body as text with `constant` written where a number belongs (json.loads reads these)."""
    text = json.dumps(body_for(endpoint, setter(path, MARK)))
    assert text.count(repr(MARK)) == 1
    raw = text.replace(repr(MARK), constant)
    json.loads(raw)  # Python's own parser accepts it: the server must refuse it itself
    return raw


def post_raw(client: TestClient, endpoint: str, text: str | bytes):
    return client.post(endpoint, content=text, headers={"content-type": "application/json"})


def assert_no_non_finite_in(text: str) -> None:
    """No NaN or Infinity as a number anywhere (the words may appear inside a message)."""
    strict_json(text)


@pytest.mark.parametrize("constant", NON_FINITE)
@pytest.mark.parametrize("path, loc", NUMBER_PLACES, ids=["W", "b", "inputs", "labels"])
@pytest.mark.parametrize("endpoint", MODEL_ENDPOINTS)
def test_nan_and_infinity_in_the_body_are_a_422_in_strict_json(lenient, endpoint, path, loc, constant):
    response = post_raw(lenient, endpoint, raw_body(endpoint, path, constant))
    assert_422(response, loc, "finite")
    assert_no_non_finite_in(response.text)


@pytest.mark.parametrize("constant", NON_FINITE)
@pytest.mark.parametrize("field", ("learning_rate", "momentum", "beta1"))
def test_nan_and_infinity_in_the_optimizer_are_a_422(lenient, field, constant):
    text = json.dumps(body_for("/api/train", setter(("optimizer", field), MARK))).replace(repr(MARK), constant)
    response = post_raw(lenient, "/api/train", text)
    assert_422(response, ["body", "optimizer", field])
    assert_no_non_finite_in(response.text)


@pytest.mark.parametrize("text", ["{", '{"model": ', "{'model': 1}", "model=1", "[1, 2,]", '{"a": 1} trailing'])
def test_invalid_json_text_is_a_422(lenient, text):
    response = post_raw(lenient, "/api/backprop", text)
    assert response.status_code == 422, response.text
    detail = strict_json(response.text)["detail"]
    assert detail[0]["loc"][0] == "body"
    assert "not valid JSON" in detail[0]["msg"]


@pytest.mark.parametrize("text", ["[]", '"model"', "3", "null"])
def test_a_body_that_is_not_an_object_is_a_422(lenient, text):
    response = post_raw(lenient, "/api/backprop", text)
    assert response.status_code == 422, response.text
    assert strict_json(response.text)["detail"][0]["loc"][0] == "body"


def test_bytes_that_are_not_utf8_are_a_422(lenient):
    response = post_raw(lenient, "/api/backprop", b"\xff\xfe{}")
    assert response.status_code == 422, response.text
    assert strict_json(response.text)["detail"][0]["loc"][0] == "body"


# --- training options ----------------------------------------------------------------------------------------

TRAIN_PROBLEMS = [
    ("learning_rate_zero", setter(("optimizer", "learning_rate"), 0), ["optimizer", "learning_rate"], ["greater than 0"]),
    ("learning_rate_negative", setter(("optimizer", "learning_rate"), -0.1), ["optimizer", "learning_rate"], ["0"]),
    ("learning_rate_as_text", setter(("optimizer", "learning_rate"), "0.1"), ["optimizer", "learning_rate"], []),
    ("learning_rate_as_boolean", setter(("optimizer", "learning_rate"), True), ["optimizer", "learning_rate"], []),
    ("learning_rate_missing", lambda body: body["optimizer"].pop("learning_rate"),
     ["optimizer", "learning_rate"], ["required"]),
    ("unknown_optimizer", setter(("optimizer", "name"), "rmsprop"), ["optimizer", "name"], ["sgd", "adam"]),
    ("unknown_optimizer_option", setter(("optimizer", "nesterov"), True), ["optimizer", "nesterov"], ["not permitted"]),
    ("momentum_of_one", setter(("optimizer", "momentum"), 1.0), ["optimizer", "momentum"], ["less than 1"]),
    ("negative_steps", setter(("steps",), -1), ["steps"], ["0"]),
    ("fractional_steps", setter(("steps",), 2.5), ["steps"], ["integer"]),
    ("boolean_steps", setter(("steps",), True), ["steps"], []),
    ("batch_size_zero", setter(("batch_size",), 0), ["batch_size"], ["1"]),
    ("negative_seed", setter(("seed",), -3), ["seed"], ["0"]),
    ("missing_steps", lambda body: body.pop("steps"), ["steps"], ["required"]),
]


@pytest.mark.parametrize("change, loc, words", [case[1:] for case in TRAIN_PROBLEMS],
                         ids=[case[0] for case in TRAIN_PROBLEMS])
def test_bad_training_options_are_a_422_pointing_at_the_field(lenient, change, loc, words):
    assert_422(lenient.post("/api/train", json=body_for("/api/train", change)), ["body", *loc], *words)


# --- the settings' limits ------------------------------------------------------------------------------------

def wide_model(sizes: list[int]) -> dict:
    return {"layer_sizes": sizes, "hidden_activation": "relu", "output_activation": "softmax",
            "loss": "cross_entropy", "W": [[[0.0] * n_in for _ in range(n_out)] for n_in, n_out in zip(sizes, sizes[1:])],
            "b": [[0.0] * n for n in sizes[1:]]}


@pytest.mark.parametrize("endpoint", MODEL_ENDPOINTS)
def test_a_network_with_more_layers_than_max_layers_is_a_422(endpoint):
    body = body_for(endpoint, setter(("model",), wide_model([2, 2, 2, 2])))
    assert_422(client_with(max_layers=2).post(endpoint, json=body), ["body", "model", "layer_sizes"], "at most 2", "3")


@pytest.mark.parametrize("endpoint", MODEL_ENDPOINTS)
def test_a_layer_wider_than_max_units_is_a_422(endpoint):
    body = body_for(endpoint, setter(("model",), wide_model([2, 5, 2])))
    assert_422(client_with(max_units=4).post(endpoint, json=body), ["body", "model", "layer_sizes"], "at most 4", "5")


@pytest.mark.parametrize("endpoint", MODEL_ENDPOINTS)
def test_a_network_over_max_parameters_is_a_422(endpoint):
    body = body_for(endpoint, setter(("model",), wide_model([2, 4, 2])))  # 12 + 10 = 22 parameters
    assert_422(client_with(max_parameters=20).post(endpoint, json=body),
               ["body", "model", "layer_sizes"], "at most 20", "22")


def test_a_network_at_the_limits_is_accepted():
    body = body_for("/api/backprop", setter(("model",), wide_model([2, 4, 2])))
    response = client_with(max_layers=2, max_units=4, max_parameters=22).post("/api/backprop", json=body)
    assert response.status_code == 200, response.text


def test_the_size_limits_are_checked_before_the_weights_are_read(lenient):
    """A huge layer_sizes is refused by its numbers, without the server building anything that big."""
    model = dict(MODEL, layer_sizes=[2, 10**12, 2])
    assert_422(lenient.post("/api/backprop", json={"model": model, **EXAMPLES}),
               ["body", "model", "layer_sizes"], "1024")


@pytest.mark.parametrize("endpoint", MODEL_ENDPOINTS)
def test_more_examples_than_max_examples_is_a_422(endpoint):
    body = body_for(endpoint, setter(("inputs",), [[1.0, 0.0]] * 3))
    body["labels"] = [[1.0, 0.0]] * 3
    assert_422(client_with(max_examples=2).post(endpoint, json=body), ["body", "inputs"], "at most 2", "3")


def test_more_steps_than_max_train_steps_is_a_422():
    body = body_for("/api/train", setter(("steps",), 11))
    assert_422(client_with(max_train_steps=10).post("/api/train", json=body), ["body", "steps"], "at most 10")


def test_more_work_than_max_train_work_is_a_422_that_says_to_ask_for_fewer_steps():
    body = body_for("/api/train", setter(("steps",), 30))  # 30 steps × 2 examples × 17 parameters = 1020
    assert_422(client_with(max_train_work=1000).post("/api/train", json=body), ["body", "steps"], "fewer steps")
    body["steps"] = 29  # 986
    assert client_with(max_train_work=1000).post("/api/train", json=body).status_code == 200


def test_gradcheck_on_a_model_over_max_gradcheck_parameters_is_a_422():
    client = client_with(max_gradcheck_parameters=16)  # the model has 17
    body = body_for("/api/gradcheck")
    assert_422(client.post("/api/gradcheck", json=body), ["body", "model", "layer_sizes"], "16", "17")
    assert client.post("/api/backprop", json=body).status_code == 200, "only the gradient check has this limit"


# --- numbers that overflow inside the network ----------------------------------------------------------------

LINEAR_1_1 = {"layer_sizes": [1, 1], "hidden_activation": None, "output_activation": "linear", "loss": "mse",
              "W": [[[1.0]]], "b": [[0.0]]}


def overflowing(endpoint: str, x: float) -> dict:
    """A linear 1-1 net fed x: z = x is finite, but the cost ½x² overflows once x is past about 1e154."""
    body = {"model": LINEAR_1_1, "inputs": [[x]], "labels": [[0.0]]}
    if endpoint == "/api/train":
        body.update(optimizer={"name": "sgd", "learning_rate": 1.0}, steps=3)
    return body


def post_letting_overflow_warn(client: TestClient, endpoint: str, body: dict):
    """Outside pytest a NumPy overflow is only a warning: let it be one here, and judge the answer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return client.post(endpoint, json=body)


@pytest.mark.parametrize("endpoint", ("/api/backprop", "/api/gradcheck"))
@pytest.mark.parametrize("x", (1e200, 1e300))
def test_inputs_whose_cost_overflows_are_a_422_never_a_500(lenient, endpoint, x):
    response = post_letting_overflow_warn(lenient, endpoint, overflowing(endpoint, x))
    assert_422(response, ["body", "model"], "smaller")
    assert_no_non_finite_in(response.text)


@pytest.mark.parametrize("x", (1e200, 1e300))
def test_train_refuses_a_model_whose_starting_loss_overflows_as_backprop_does(lenient, x):
    """Not a run that diverged: the model was never trainable, and loss_history could not even start."""
    response = post_letting_overflow_warn(lenient, "/api/train", overflowing("/api/train", x))
    assert_no_non_finite_in(response.text)
    assert_422(response, ["body", "model"], "smaller")


def test_backprop_with_weights_that_overflow_z_is_a_422(lenient):
    model = copy.deepcopy(MODEL)
    model["W"][0][0] = [1e308, 1e308]  # z = 2e308 = inf for the input [1, 1]
    body = {"model": model, "inputs": [[1.0, 1.0], [0.0, 1.0]], "labels": EXAMPLES["labels"]}
    response = post_letting_overflow_warn(lenient, "/api/backprop", body)
    assert_422(response, ["body", "model"], "overflow")


@pytest.mark.parametrize("endpoint", MODEL_ENDPOINTS)
def test_overflowing_numbers_are_handled_without_numpy_runtime_warnings(lenient, endpoint):
    """The project runs its tests with RuntimeWarning as an error: expected overflow must be handled quietly."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lenient.post(endpoint, json=overflowing(endpoint, 1e200))
    runtime = [f"{w.filename}:{w.lineno}: {w.message}" for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not runtime, runtime


# --- datasets ------------------------------------------------------------------------------------------------

def test_an_unknown_dataset_is_a_404_that_lists_the_names(lenient):
    response = lenient.get("/api/datasets/mnist")
    assert response.status_code == 404
    message = strict_json(response.text)["detail"]
    assert "mnist" in message and "two-points" in message and "xor" in message


@pytest.mark.parametrize("name, query, param, words", [
    ("near-twins", {"eps": "1.5"}, "eps", ["between 0 and 1"]),
    ("near-twins", {"eps": "-0.1"}, "eps", ["between 0 and 1"]),
    ("blobs", {"n": "3"}, "n", ["between 4 and 2000"]),
    ("blobs", {"n": "2001"}, "n", ["between 4 and 2000"]),
    ("blobs", {"classes": "7"}, "classes", ["between 2 and 6"]),
    ("blobs", {"noise": "3.5"}, "noise", ["between 0 and 3"]),
    ("spiral", {"classes": "1"}, "classes", ["between 2 and 6"]),
    ("digits", {"n": "9"}, "n", ["between 10 and 1797"]),
])
def test_a_dataset_parameter_out_of_bounds_is_a_422_at_the_query_param(lenient, name, query, param, words):
    assert_422(lenient.get(f"/api/datasets/{name}", params=query), ["query", param], *words)


@pytest.mark.parametrize("name, query, param, words", [
    ("near-twins", {"eps": "abc"}, "eps", ["number"]),
    ("near-twins", {"eps": "nan"}, "eps", ["finite"]),
    ("near-twins", {"eps": "inf"}, "eps", ["finite"]),
    ("blobs", {"n": "10.5"}, "n", ["whole number"]),
    ("blobs", {"classes": "three"}, "classes", ["number"]),
    ("raw-pixels", {"scaled": "1"}, "scaled", ["true or false"]),
    ("raw-pixels", {"scaled": "yes"}, "scaled", ["true or false"]),
    ("xor", {"seed": "-1"}, "seed", ["0 or more"]),
    ("xor", {"seed": "1.5"}, "seed", ["integer"]),
    ("xor", {"seed": "x"}, "seed", ["integer"]),
])
def test_a_dataset_parameter_of_the_wrong_type_is_a_422_at_the_query_param(lenient, name, query, param, words):
    response = lenient.get(f"/api/datasets/{name}", params=query)
    assert_422(response, ["query", param], *words)
    assert_no_non_finite_in(response.text)


@pytest.mark.parametrize("name, param, words", [
    ("two-points", "eps", ["none"]),
    ("near-twins", "epsilon", ["eps"]),
    ("blobs", "points", ["n", "noise", "classes"]),
])
def test_an_unknown_dataset_parameter_is_a_422_naming_the_known_ones(lenient, name, param, words):
    assert_422(lenient.get(f"/api/datasets/{name}", params={param: "1"}), ["query", param], param, *words)


@pytest.mark.parametrize("body, loc, words", [
    ({"model": MODEL, "inputs": [], "labels": []}, ["body", "inputs"], ["needs at least 1 item", "got 0 items"]),
    ({"inputs": [[1.0, 0.0]], "labels": [[1.0, 0.0]]}, ["body", "model"], ["this field is required"]),
    ({"model": MODEL, **EXAMPLES, "lables": [[1, 0]]}, ["body", "lables"], ["not permitted", "spelling", "/docs"]),
], ids=["empty list", "missing field", "misspelt field"])
def test_pydantic_errors_are_said_in_plain_words(lenient, body, loc, words):
    """Not pydantic's own wording ("List should have at least 1 item after validation", "Field required")."""
    detail = lenient.post("/api/backprop", json=body).json()["detail"]
    message = next(error["msg"] for error in detail if error["loc"] == loc)
    assert all(word in message for word in words), message


# --- the `field` of every error: one convention with the socket's error.field ------------------------------

@pytest.mark.parametrize("method, url, body, field", [
    ("post", "/api/backprop", body_for("/api/backprop", setter(("model", "W", 0), MODEL["W"][0][:2])), "model.W.0"),
    ("post", "/api/backprop", body_for("/api/backprop", setter(("model", "b", 1, 0), float("nan"))), "model.b.1.0"),
    ("post", "/api/backprop", body_for("/api/backprop", setter(("inputs",), [[1.0, 0.0]] * 3)), "labels"),
    ("post", "/api/train", body_for("/api/train", setter(("optimizer", "learning_rate"), -1.0)),
     "optimizer.learning_rate"),
    ("post", "/api/backprop", [], None),
    ("get", "/api/models?limit=0", None, "limit"),
    ("get", "/api/models/a.b", None, "model_id"),
    ("get", "/api/datasets/blobs?n=-5", None, "n"),
])
def test_every_error_names_its_field_inside_the_request(lenient, method, url, body, field):
    kwargs = {} if body is None else {"content": json.dumps(body), "headers": {"content-type": "application/json"}}
    r = getattr(lenient, method)(url, **kwargs)
    assert r.status_code == 422, r.text
    assert field in [error["field"] for error in r.json()["detail"]], r.json()


def test_inputs_of_the_wrong_width_name_the_row(lenient):
    r = lenient.post("/api/backprop", json=body_for("/api/backprop", setter(("inputs", 1), [1.0, 0.0, 5.0])))
    assert [error["field"] for error in r.json()["detail"]] == ["inputs.1"]


def test_a_body_that_is_not_json_has_no_field(lenient):
    r = lenient.post("/api/backprop", content=b'{"model": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and [error["field"] for error in r.json()["detail"]] == [None]
