"""POST /api/train and /api/gradcheck with L1 or L2 regularisation: the update the formula says, the penalty beside
the data loss, the regularised gradient checked, requests without the fields unchanged, bad values a 422 by field."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.nn import Network, OutputLayer, to_document

XOR = {"inputs": [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]],
       "labels": [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]}
ETA = 0.5


def _model(seed: int = 3) -> dict:
    return to_document(Network.create([2, 3, 2], "tanh", OutputLayer("softmax", "cross_entropy"), "normal", seed))


def _train_body(doc: dict, steps: int = 1, **extra) -> dict:
    return {"model": doc, **XOR, "steps": steps, "optimizer": {"name": "sgd", "learning_rate": ETA}, **extra}


def _post(client, path: str, body: dict) -> dict:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_constant=lambda c: pytest.fail(f"{c} in the answer"))


def _weights(doc: dict) -> list[np.ndarray]:
    return [np.array(W) for W in doc["W"]]


# --- training ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, penalty_gradient", [("l2", lambda w: w), ("l1", np.sign)])
def test_one_regularised_sgd_step_moves_each_weight_by_eta_lambda_times_the_penalty_gradient(
        client, kind, penalty_gradient):
    doc, rate = _model(), 0.3
    plain = _post(client, "/api/train", _train_body(doc))
    regularised = _post(client, "/api/train", _train_body(doc, regularization=kind, regularization_rate=rate))
    for w0, w_plain, w_reg in zip(_weights(doc), _weights(plain["model"]), _weights(regularised["model"])):
        np.testing.assert_allclose(w_reg, w_plain - ETA * rate * penalty_gradient(w0), rtol=0, atol=1e-14)
    assert regularised["model"]["b"] == plain["model"]["b"]  # biases are not regularised
    assert regularised["loss_history"][0] == plain["loss_history"][0]  # the data loss, the same before any step


def test_the_answer_carries_the_penalty_of_the_returned_model(client):
    doc, rate = _model(), 0.1
    answer = _post(client, "/api/train", _train_body(doc, steps=20, regularization="l2", regularization_rate=rate))
    W = _weights(answer["model"])
    assert answer["penalty"] == pytest.approx(0.5 * rate * sum(float((w**2).sum()) for w in W), rel=1e-12)
    assert len(answer["loss_history"]) == 21


def test_l2_keeps_the_weights_smaller_over_a_long_run(client):
    doc = _model()
    plain = _post(client, "/api/train", _train_body(doc, steps=300))
    l2 = _post(client, "/api/train", _train_body(doc, steps=300, regularization="l2", regularization_rate=0.05))
    norm = lambda answer: sum(float((w**2).sum()) for w in _weights(answer["model"]))  # noqa: E731
    assert norm(l2) < 0.5 * norm(plain)
    assert plain["penalty"] == 0.0


def test_a_request_without_the_fields_is_answered_as_before(client):
    doc = _model()
    without = _post(client, "/api/train", _train_body(doc, steps=10, batch_size=2, seed=4))
    explicit = _post(client, "/api/train", _train_body(doc, steps=10, batch_size=2, seed=4, regularization=None,
                                                       regularization_rate=0.0))
    zero_rate = _post(client, "/api/train", _train_body(doc, steps=10, batch_size=2, seed=4, regularization="l1",
                                                        regularization_rate=0))
    assert without == explicit == zero_rate
    assert without["penalty"] == 0.0


# --- gradient check ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_gradcheck_checks_the_regularised_gradient(client, kind):
    answer = _post(client, "/api/gradcheck", {"model": _model(), **XOR, "regularization": kind,
                                              "regularization_rate": 0.5})
    assert [layer["layer"] for layer in answer["layers"]] == [0, 1]
    assert max(layer["relative_error"] for layer in answer["layers"]) < 1e-6


# --- refusals ------------------------------------------------------------------------------------------------

BAD_FIELDS = [
    ({"regularization": "l3", "regularization_rate": 0.1}, "regularization"),
    ({"regularization": "L2", "regularization_rate": 0.1}, "regularization"),
    ({"regularization": 2}, "regularization"),
    ({"regularization": "l2", "regularization_rate": -0.1}, "regularization_rate"),
    ({"regularization": "l2", "regularization_rate": 10.5}, "regularization_rate"),
    ({"regularization": "l2", "regularization_rate": True}, "regularization_rate"),
    ({"regularization": "l2", "regularization_rate": "0.1"}, "regularization_rate"),
    ({"regularization_rate": 0.1}, "regularization_rate"),  # a rate with nothing to apply it to
    ({"regularization": None, "regularization_rate": 0.1}, "regularization_rate"),
]


@pytest.mark.parametrize("path", ["/api/train", "/api/gradcheck"])
@pytest.mark.parametrize("fields, field", BAD_FIELDS)
def test_bad_regularisation_is_a_422_at_its_field(client, path, fields, field):
    body = _train_body(_model(), **fields) if path == "/api/train" else {"model": _model(), **XOR, **fields}
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["detail"]] == [field]


def test_backprop_has_no_regularisation_and_says_so_at_the_field(client):
    response = client.post("/api/backprop", json={"model": _model(), **XOR, "regularization": "l2"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["regularization"]
