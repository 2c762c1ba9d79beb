"""The REST API against PyTorch autograd: every reference case through POST /api/backprop and POST /api/train.

The cases come from ../shared/reference/reference_cases.json through tests/reference.py; a missing file
fails these tests rather than skipping them. Tolerance: rtol 1e-6, atol 1e-9.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from reference import ATOL, RTOL, case_names, engine_loss, load_case

SNAPSHOTS = (0, 1, 100, 1000)


def strict_json(response) -> dict:
    """The body parsed as browsers parse it: NaN and Infinity are errors."""
    def refuse(constant: str):
        raise AssertionError(f"the response holds {constant}, which is not JSON")
    return json.loads(response.text, parse_constant=refuse)


def model_document(case: dict, params: dict | None = None) -> dict:
    params = params or case["initial_params"]
    return {
        "layer_sizes": case["layer_sizes"],
        "hidden_activation": case["hidden_activation"] if len(case["layer_sizes"]) > 2 else None,
        "output_activation": case["output_activation"],
        "loss": engine_loss(case["loss"]),
        "W": params["W"],
        "b": params["b"],
    }


def close(actual, expected, what: str) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64),
                               rtol=RTOL, atol=ATOL, err_msg=what)


def backprop(client, case: dict, params: dict | None = None) -> dict:
    response = client.post("/api/backprop", json={"model": model_document(case, params),
                                                  "inputs": case["inputs"], "labels": case["labels"]})
    assert response.status_code == 200, response.text
    return strict_json(response)


def train(client, case: dict, steps: int) -> dict:
    response = client.post("/api/train", json={
        "model": model_document(case), "inputs": case["inputs"], "labels": case["labels"],
        "optimizer": {"name": "sgd", "learning_rate": case["learning_rate"]}, "steps": steps,
    })
    assert response.status_code == 200, response.text
    return strict_json(response)


@pytest.mark.parametrize("k", SNAPSHOTS)
@pytest.mark.parametrize("name", case_names())
def test_backprop_matches_the_reference_at_the_parameters_after_k_steps(client, name, k):
    case = load_case(name)
    expected = case["expected"][f"after_{k}_steps"]
    got = backprop(client, case, expected["params"])

    close(got["loss"], expected["loss"], "loss")
    close(got["outputs"], expected["outputs"], "outputs")
    assert len(got["layers"]) == len(case["layer_sizes"]) - 1
    for l, layer in enumerate(got["layers"]):
        close(layer["grad_W"], expected["grad_W"][l], f"grad_W[{l}]")
        close(layer["grad_b"], expected["grad_b"][l], f"grad_b[{l}]")


@pytest.mark.parametrize("steps", SNAPSHOTS)
@pytest.mark.parametrize("name", case_names())
def test_train_with_plain_full_batch_sgd_reproduces_the_reference(client, name, steps):
    case = load_case(name)
    expected = case["expected"][f"after_{steps}_steps"]
    got = train(client, case, steps)

    assert got["stopped"] is None
    model = got["model"]
    assert model["layer_sizes"] == case["layer_sizes"]
    assert model["loss"] == engine_loss(case["loss"])
    for l in range(len(case["layer_sizes"]) - 1):
        close(model["W"][l], expected["params"]["W"][l], f"W[{l}] after {steps} steps")
        close(model["b"][l], expected["params"]["b"][l], f"b[{l}] after {steps} steps")
    close(got["outputs"], expected["outputs"], f"outputs after {steps} steps")

    history = got["loss_history"]
    assert len(history) == steps + 1
    close(history[0], case["expected"]["after_0_steps"]["loss"], "loss_history[0]")
    close(history[-1], expected["loss"], "loss_history[-1]")


@pytest.mark.parametrize("name", case_names())
def test_train_loss_history_passes_through_every_reference_snapshot(client, name):
    case = load_case(name)
    history = train(client, case, max(SNAPSHOTS))["loss_history"]
    for k in SNAPSHOTS:
        close(history[k], case["expected"][f"after_{k}_steps"]["loss"], f"loss_history[{k}]")


# --- the per-example numbers of /api/backprop agree with the four equations -------------------------------

def _hidden(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """σ(z) and σ'(z) of a hidden activation."""
    if name == "sigmoid":
        a = 1 / (1 + np.exp(-z))
        return a, a * (1 - a)
    if name == "tanh":
        a = np.tanh(z)
        return a, 1 - a ** 2
    if name == "relu":
        return np.maximum(z, 0), (z > 0).astype(float)
    raise AssertionError(f"no test formula for hidden activation {name!r}")


def _output(activation: str, z: np.ndarray) -> np.ndarray:
    if activation == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if activation == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z


def _output_delta(case: dict, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """δᴸ from the general rule Jᵀ ∂c/∂a, with the softmax Jacobian built in full."""
    activation, loss = case["output_activation"], engine_loss(case["loss"])
    dc_da = {"mse": a - y, "cross_entropy": -y / a, "binary_cross_entropy": (a - y) / (a * (1 - a))}[loss]
    if activation == "softmax":
        jacobian = np.einsum("ni,ij->nij", a, np.eye(a.shape[1])) - np.einsum("ni,nj->nij", a, a)
        return np.einsum("nij,ni->nj", jacobian, dc_da)
    slope = a * (1 - a) if activation == "sigmoid" else np.ones_like(a)
    return dc_da * slope


@pytest.mark.parametrize("k", (0, 100))
@pytest.mark.parametrize("name", case_names())
def test_backprop_layers_hold_consistent_z_a_and_delta_for_every_example(client, name, k):
    case = load_case(name)
    params = case["expected"][f"after_{k}_steps"]["params"]
    got = backprop(client, case, params)
    X, Y = np.array(case["inputs"], dtype=float), np.array(case["labels"], dtype=float)
    W = [np.array(w, dtype=float) for w in params["W"]]
    b = [np.array(v, dtype=float) for v in params["b"]]
    layers = [{key: np.array(value, dtype=float) for key, value in layer.items()} for layer in got["layers"]]
    last = len(layers) - 1

    a_prev = X
    for l, layer in enumerate(layers):
        assert layer["z"].shape == layer["a"].shape == layer["delta"].shape == (len(X), W[l].shape[0])
        close(layer["z"], a_prev @ W[l].T + b[l], f"z of layer {l} = W a_prev + b")
        expected_a = _output(case["output_activation"], layer["z"]) if l == last else \
            _hidden(case["hidden_activation"], layer["z"])[0]
        close(layer["a"], expected_a, f"a of layer {l} = σ(z)")
        a_prev = layer["a"]
    close(got["outputs"], layers[-1]["a"], "outputs are the last layer's a")

    close(layers[-1]["delta"], _output_delta(case, layers[-1]["a"], Y), "δᴸ = Jᵀ ∂c/∂a")
    for l in range(last - 1, -1, -1):
        slope = _hidden(case["hidden_activation"], layers[l]["z"])[1]
        close(layers[l]["delta"], (layers[l + 1]["delta"] @ W[l + 1]) * slope, f"δ of layer {l} (BP2)")

    inputs_of = [X] + [layer["a"] for layer in layers[:-1]]
    for l, layer in enumerate(layers):
        close(layer["grad_W"], layer["delta"].T @ inputs_of[l] / len(X), f"grad_W[{l}]: mean of δ a_prevᵀ (BP4)")
        close(layer["grad_b"], layer["delta"].mean(axis=0), f"grad_b[{l}]: mean of δ (BP3)")
    close(got["loss"], np.mean(got["costs"]), "loss is the mean of the per-example costs")


@pytest.mark.parametrize("name", [n for n in case_names() if n.endswith("softmax_ce")] or case_names())
def test_backprop_output_delta_for_softmax_and_cross_entropy_is_a_minus_y(client, name):
    case = load_case(name)
    assert (case["output_activation"], engine_loss(case["loss"])) == ("softmax", "cross_entropy")
    got = backprop(client, case)
    output = got["layers"][-1]
    close(output["delta"], np.array(output["a"]) - np.array(case["labels"]), "δᴸ = a − y")
    assert got["delta_rule"] == "δᴸ = a − y"
