"""POST /api/train with held-out examples: the answer's accuracy on the training examples and loss and accuracy
on the test examples equal the test's own NumPy forward pass through the returned model; the test rows are never
trained on; bad test rows are a 422 at their field."""

from __future__ import annotations

import numpy as np
import pytest

from app.nn import Network, OutputLayer, to_document
from app.datasets import load

DATA = load("moons", seed=0)
TRAIN, TEST = slice(0, 150), slice(150, 200)


def _body(kind=("softmax", "cross_entropy"), **extra) -> dict:
    net = Network.create([2, 6, 2], "tanh", OutputLayer(*kind), "xavier", 1)
    return {"model": to_document(net), "inputs": DATA.inputs[TRAIN].tolist(), "labels": DATA.labels[TRAIN].tolist(),
            "optimizer": {"name": "sgd", "learning_rate": 0.5}, "steps": 200, **extra}


def _forward(model: dict, X: np.ndarray) -> np.ndarray:
    a = X
    for l, (W, b) in enumerate(zip(model["W"], model["b"])):
        z = a @ np.array(W).T + np.array(b)
        a = np.tanh(z) if l < len(model["W"]) - 1 else z
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_accuracy_and_the_test_parts_loss_and_accuracy_are_those_of_the_returned_model(client):
    body = _body(test_inputs=DATA.inputs[TEST].tolist(), test_labels=DATA.labels[TEST].tolist())
    answer = client.post("/api/train", json=body).json()
    train_out, test_out = _forward(answer["model"], DATA.inputs[TRAIN]), _forward(answer["model"], DATA.inputs[TEST])
    right = lambda out, Y: float(np.mean(out.argmax(axis=1) == Y.argmax(axis=1)))  # noqa: E731
    assert answer["accuracy"] == pytest.approx(right(train_out, DATA.labels[TRAIN]))
    assert answer["test_accuracy"] == pytest.approx(right(test_out, DATA.labels[TEST]))
    cross_entropy = -np.mean(np.sum(DATA.labels[TEST] * np.log(test_out), axis=1))
    assert answer["test_loss"] == pytest.approx(cross_entropy, rel=1e-9)
    assert answer["accuracy"] > 0.8  # it learned: the numbers are not those of a network at its start


def test_the_test_rows_are_never_trained_on(client):
    without = client.post("/api/train", json=_body()).json()
    held_out = client.post("/api/train", json=_body(test_inputs=DATA.inputs[TEST].tolist(),
                                                    test_labels=DATA.labels[TEST].tolist())).json()
    assert held_out["model"] == without["model"] and held_out["loss_history"] == without["loss_history"]
    assert without["test_loss"] is None and without["test_accuracy"] is None


def test_a_linear_output_has_no_accuracy(client):
    body = _body(kind=("linear", "mse"), test_inputs=DATA.inputs[TEST].tolist(),
                 test_labels=DATA.labels[TEST].tolist())
    answer = client.post("/api/train", json=body).json()
    assert answer["accuracy"] is None and answer["test_accuracy"] is None and answer["test_loss"] > 0


@pytest.mark.parametrize("extra, field", [
    ({"test_inputs": [[0.0, 1.0]]}, "test_labels"),
    ({"test_labels": [[1.0, 0.0]]}, "test_inputs"),
    ({"test_inputs": [[0.0, 1.0]], "test_labels": [[1.0, 0.0], [0.0, 1.0]]}, "test_labels"),
    ({"test_inputs": [[0.0, 1.0, 2.0]], "test_labels": [[1.0, 0.0]]}, "test_inputs.0"),
    ({"test_inputs": [[0.0, 1.0]], "test_labels": [[0.7, 0.7]]}, "test_labels.0"),
    ({"test_inputs": [], "test_labels": []}, "test_inputs"),
])
def test_bad_test_rows_are_refused_at_their_field(client, extra, field):
    response = client.post("/api/train", json=_body(**extra))
    assert response.status_code == 422
    assert field in [item["field"] for item in response.json()["detail"]]
