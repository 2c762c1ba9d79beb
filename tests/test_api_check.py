"""POST /api/check: the learner's numbers against the exact pass, the mistake named by id, and a 422 at the field
for every kind of bad body (never a 500)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import mistakes_reference as mref
from app.nn import MISTAKES


def strict_json(response) -> dict:
    def refuse(constant: str):
        raise AssertionError(f"the response holds {constant}, which is not JSON")
    return json.loads(response.text, parse_constant=refuse)


def body_of(case: dict, yours: dict, **extra) -> dict:
    model = {"layer_sizes": case["layer_sizes"], "output_activation": case["output_activation"], "loss": case["loss"],
             "hidden_activation": case["hidden_activation"] if len(case["layer_sizes"]) > 2 else None,
             "W": case["W"], "b": case["b"]}
    return {"model": model, "inputs": case["inputs"], "labels": case["labels"],
            "learning_rate": case["learning_rate"], "yours": yours, **extra}


def check(client, body: dict) -> dict:
    response = client.post("/api/check", json=body)
    assert response.status_code == 200, response.text
    return strict_json(response)


def rejected(client, body: dict | str) -> list:
    if isinstance(body, str):
        response = client.post("/api/check", content=body, headers={"content-type": "application/json"})
    else:
        response = client.post("/api/check", json=body)
    assert response.status_code == 422, response.text
    return strict_json(response)["detail"][0]["loc"]


def test_the_documented_example_names_examples_mixed(client):
    example = client.get("/openapi.json").json()["components"]["schemas"]["CheckRequest"]["examples"][0]
    answer = check(client, example)
    assert [m["id"] for m in answer["diagnosis"]] == ["examples_mixed"]
    assert answer["first_mismatch"]["equation"] == "BP4" and answer["pairing"] == "sigmoid_mse"
    assert answer["pairing_search"] is None


@pytest.mark.parametrize(("name", "mistake_id"), mref.case_mistakes())
def test_a_mistake_is_named_by_id(client, name, mistake_id):
    case = mref.load_case(name)
    answer = check(client, body_of(case, mref.as_yours(case["mistakes"][mistake_id])))
    assert mistake_id in [m["id"] for m in answer["diagnosis"]]
    assert answer["matches"] is False and answer["unknown_mistake"] is False
    named = next(m for m in answer["diagnosis"] if m["id"] == mistake_id)
    assert set(named) == {"id", "title", "sentence", "fix", "equation", "form", "form_text"}
    forms = MISTAKES[mistake_id].forms
    assert named["form"] == (forms[0].id if forms else None)  # the reference numbers are each mistake's first form


@pytest.mark.parametrize("name", mref.case_names())
def test_right_numbers_check_clean(client, name):
    case = mref.load_case(name)
    yours = {**mref.as_yours(case["right"]), "loss": case["right"]["loss"], "outputs": case["right"]["outputs"]}
    answer = check(client, body_of(case, yours))
    assert answer["matches"] is True and answer["first_mismatch"] is None
    assert answer["diagnosis"] == [] and answer["unknown_mistake"] is False and answer["layout_notes"] == []
    assert [q["quantity"] for q in answer["quantities"][:2]] == ["outputs", "loss"]
    assert all(q["matches"] and q["max_abs_difference"] < 1e-12 for q in answer["quantities"])


def test_gradients_not_reset_is_named_from_the_second_call(client):
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    right = mref.as_yours(case["right"])
    twice = {"nabla_w": [(2 * np.array(g)).tolist() for g in case["right"]["grad_W"]],
             "nabla_b": [(2 * np.array(g)).reshape(-1, 1).tolist() for g in case["right"]["grad_b"]]}
    answer = check(client, body_of(case, right, yours_again=twice))
    assert [m["id"] for m in answer["diagnosis"]] == ["gradients_not_reset"]
    assert answer["first_mismatch"]["call"] == 2
    assert answer["layout_notes"] == ["column_vectors", "nielsen_nablas"]


def test_column_vectors_are_a_layout_note_not_a_mistake(client):
    case = mref.load_case("random_3_4_4_2_softmax_ce")
    yours = {"layers": [{"delta": np.array(d).T.tolist()} for d in case["mistakes"]["hidden_derivative_missing"]
                        ["delta"]]}
    answer = check(client, body_of(case, yours))
    assert answer["layout_notes"] == ["column_vectors"]
    assert [m["id"] for m in answer["diagnosis"]] == ["hidden_derivative_missing"]
    assert (answer["first_mismatch"]["quantity"], answer["first_mismatch"]["layer"]) == ("delta", 1)


def test_any_pairing_finds_the_output_layer_the_numbers_belong_to(client):
    case = mref.load_case("xor_2_4_2_sigmoid_bce")
    body = body_of(case, {**mref.as_yours(case["right"]), "loss": case["right"]["loss"]}, pairing="any")
    body["model"]["loss"] = "mse"  # the learner's code does not say; the numbers do
    answer = check(client, body)
    assert answer["pairing"] == "sigmoid_bce" and answer["matches"] is True
    assert answer["pairing_search"]["chosen"] == "sigmoid_bce"
    assert answer["pairing_search"]["reason"] == "right_numbers"
    assert answer["pairing_search"]["skipped"] == {}


def test_a_named_pairing_is_used_on_the_same_weights(client):
    case = mref.load_case("random_3_4_4_2_softmax_mse")
    answer = check(client, body_of(case, mref.as_yours(case["mistakes"]["softmax_elementwise_derivative"]),
                                   pairing="softmax_ce"))
    assert answer["pairing"] == "softmax_ce"
    assert [m["id"] for m in answer["diagnosis"]] == ["sigmoid_prime_kept"]


def test_huge_numbers_give_a_finite_answer(client):
    case = mref.load_case("two_points_sigmoid_mse_2_8_2")
    answer = check(client, body_of(case, {"loss": 1e308, "layers": [{}, {"grad_b": [-1e308, 1e308]}]}))
    assert answer["unknown_mistake"] is True and answer["first_mismatch"]["quantity"] == "loss"
    assert all(np.isfinite(q["max_abs_difference"]) for q in answer["quantities"])


CASE = "two_points_sigmoid_mse_2_8_2"


def _body(**changes) -> dict:
    case = mref.load_case(CASE)
    body = body_of(case, mref.as_yours(case["right"]))
    for key, value in changes.items():
        body[key] = value
    return body


@pytest.mark.parametrize(("changes", "loc"), [
    ({"yours": {}}, ["body", "yours"]),
    ({"yours": {"layers": [{}, {}, {}]}}, ["body", "yours", "layers"]),
    ({"yours": {"layers": [{}, {"grad_W": [[1.0, 2.0, 3.0]]}]}}, ["body", "yours", "layers", 1, "grad_W"]),
    ({"yours": {"layers": [{"z": [[0.0] * 8] * 3}, {}]}}, ["body", "yours", "layers", 0, "z"]),
    ({"yours": {"layers": [{}, {"delta": [[True, 0.0], [0.0, 1.0]]}]}}, ["body", "yours", "layers", 1, "delta"]),
    ({"yours": {"layers": [{}, {"delta": [[[0.0]]]}]}}, ["body", "yours", "layers", 1, "delta"]),
    ({"yours": {"layers": [{}, {"delta": "0.5"}]}}, ["body", "yours", "layers", 1, "delta"]),
    ({"yours": {"layers": [{}, {"grad": [0.0, 0.0]}]}}, ["body", "yours", "layers", 1, "grad"]),
    ({"yours": {"nabla_w": [[[0.0, 0.0]]]}}, ["body", "yours", "nabla_w"]),
    ({"yours": {"outputs": [[1.0, 2.0], [3.0]]}}, ["body", "yours", "outputs"]),
    ({"yours": None}, ["body", "yours"]),
    ({"yours_again": {"loss": "low"}}, ["body", "yours_again", "loss"]),
    ({"yours_again": {"layers": [{}, {"grad_b": [0.0, 0.0, 0.0]}]}}, ["body", "yours_again", "layers", 1, "grad_b"]),
    ({"pairing": "softmax_elementwise"}, ["body", "pairing"]),
    ({"learning_rate": 0}, ["body", "learning_rate"]),
    ({"inputs": [[1.0, 0.0]]}, ["body", "labels"]),
])
def test_bad_bodies_get_422_at_the_field(client, changes, loc):
    assert rejected(client, _body(**changes)) == loc


def test_missing_yours_is_422_at_yours(client):
    body = _body()
    del body["yours"]
    assert rejected(client, body) == ["body", "yours"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_your_numbers_are_422_at_the_field(client, constant):
    text = json.dumps(_body()).replace('"yours": {', f'"yours": {{"loss": {constant}, ', 1)
    assert rejected(client, text) == ["body", "yours", "loss"]
    array = json.dumps(_body(yours={"layers": [{}, {"grad_b": [0.5, 0.25]}]})).replace("0.25", constant)
    assert rejected(client, array) == ["body", "yours", "layers", 1, "grad_b"]


def test_a_pairing_the_labels_cannot_mean_is_422_at_pairing(client):
    body = _body(pairing="softmax_ce", labels=[[0.9, 0.9], [0.1, 0.2]])
    assert rejected(client, body) == ["body", "pairing"]


def test_a_model_that_overflows_is_422_at_the_model(client):
    case = mref.load_case(CASE)
    body = _body()
    body["model"]["W"] = [(np.array(w) * 1e306).tolist() for w in case["W"]]
    body["inputs"] = [[1e10, 0.0], [0.0, 1e10]]
    loc = rejected(client, body)
    assert loc[:2] == ["body", "model"]


def test_check_is_listed_in_the_api_reference(client):
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/check"]["post"]
    assert "422" in operation["responses"]
    assert "diagnosis" in schema["components"]["schemas"]["CheckResponse"]["properties"]


# --- the work one check may do -----------------------------------------------------------------------

def _largest_model_body(n_examples: int, **extra) -> dict:
    """A hosted-size network (49,722 parameters) and its right ∂C/∂W; every example is an input of two numbers."""
    from app.nn import Network, OutputLayer, exact_numbers

    net = Network.create([2, 220, 220, 2], "sigmoid", OutputLayer.from_kind("softmax_ce"), seed=1)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(n_examples, 2)), np.eye(2)[rng.integers(0, 2, n_examples)]
    model = {"layer_sizes": [2, 220, 220, 2], "hidden_activation": "sigmoid", "output_activation": "softmax",
             "loss": "cross_entropy", "W": [w.tolist() for w in net.W], "b": [b.tolist() for b in net.b]}
    yours = {"layers": [{"grad_W": g.tolist()} for g in exact_numbers(net, X, Y).grad_W]}
    return {"model": model, "inputs": X.tolist(), "labels": Y.tolist(), "yours": yours, **extra}


def test_a_check_over_the_hosted_work_limit_is_refused_at_once_and_the_largest_accepted_one_runs():
    import time

    from fastapi.testclient import TestClient

    from app.check.work import check_work
    from app.settings import HOSTED
    from app.web.app import create_app
    from lab_settings import make_settings

    settings = make_settings(**HOSTED)
    parameters = 49_722
    largest = max(n for n in range(1, settings.max_examples + 1)
                  if check_work(n, parameters, [2, 220, 220, 2], {"layers": [{}]}, None, 4) <= settings.max_check_work)
    assert 100 < largest < settings.max_examples  # the bound, not the example limit, decides here
    with TestClient(create_app(settings)) as client:
        body = json.dumps(_largest_model_body(largest + 1, pairing="any"))
        started = time.process_time()
        over = client.post("/api/check", content=body, headers={"content-type": "application/json"})
        refused_in = time.process_time() - started
        assert over.status_code == 422 and over.json()["detail"][0]["loc"] == ["body", "pairing"]
        again = client.post("/api/check", json=_largest_model_body(largest // 2 + 1, pairing="any",
                                                                   yours_again={"layers": [{}, {}, {}]}))
        assert again.status_code == 422 and again.json()["detail"][0]["loc"] == ["body", "yours_again"]
        body = json.dumps(_largest_model_body(largest, pairing="any"))
        started = time.process_time()
        accepted = client.post("/api/check", content=body, headers={"content-type": "application/json"})
        print(f"\nlargest accepted check: {largest} examples, {time.process_time() - started:.2f} s CPU "
              f"(refused in {refused_in:.2f} s, body parsing included)")
        assert accepted.status_code == 200 and accepted.json()["matches"] is True
