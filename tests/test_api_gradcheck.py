"""POST /api/gradcheck: backprop's gradients agree with central differences, layer by layer."""

from __future__ import annotations

import json

import pytest

from app.nn import Network, OutputLayer, to_document

TWO_POINTS = {"inputs": [[1.0, 0.0], [0.0, 1.0]], "labels": [[1.0, 0.0], [0.0, 1.0]]}
XOR = {"inputs": [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]],
       "labels": [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]}


def strict_json(response) -> dict:
    def refuse(constant: str):
        raise AssertionError(f"the response holds {constant}, which is not JSON")
    return json.loads(response.text, parse_constant=refuse)


def gradcheck(client, doc: dict, data: dict) -> list[dict]:
    response = client.post("/api/gradcheck", json={"model": doc, **data})
    assert response.status_code == 200, response.text
    return strict_json(response)["layers"]


@pytest.mark.parametrize("output, loss", [("sigmoid", "mse"), ("sigmoid", "binary_cross_entropy"),
                                          ("softmax", "cross_entropy"), ("softmax", "mse"), ("linear", "mse")])
@pytest.mark.parametrize("sizes, hidden", [([2, 2], None), ([2, 3, 2], "sigmoid"), ([2, 4, 3, 2], "tanh")])
def test_small_models_pass_the_gradient_check_in_every_layer(client, sizes, hidden, output, loss):
    doc = to_document(Network.create(sizes, hidden or "sigmoid", OutputLayer(output, loss), init="normal", seed=3))
    layers = gradcheck(client, doc, XOR)
    assert [layer["layer"] for layer in layers] == list(range(len(sizes) - 1))
    for layer in layers:
        assert 0 <= layer["relative_error"] < 1e-6, layer
        assert layer["max_abs_difference"] < 1e-7, layer


def test_the_learners_sigmoid_network_passes_the_gradient_check(client):
    doc = to_document(Network.create([2, 3, 3, 2], "sigmoid", OutputLayer("sigmoid", "mse"), init="normal", seed=0))
    for layer in gradcheck(client, doc, TWO_POINTS):
        assert layer["relative_error"] < 1e-6, layer


def test_the_gradient_check_does_not_change_the_model(client):
    doc = to_document(Network.create([2, 3, 2], "sigmoid", OutputLayer("softmax", "cross_entropy"), seed=1))
    before = client.post("/api/backprop", json={"model": doc, **TWO_POINTS}).json()
    gradcheck(client, doc, TWO_POINTS)
    assert client.post("/api/backprop", json={"model": doc, **TWO_POINTS}).json() == before
