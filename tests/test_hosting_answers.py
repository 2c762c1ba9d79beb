"""Bounded answers (issue 16, item 2): an endpoint whose answer grows with its request estimates the answer's size
before any work and refuses one over BACKPROP_LAB_MAX_RESPONSE_BYTES with a 422 naming what to reduce; a large
legal answer is encoded off the event loop, so /api/health keeps answering meanwhile."""

from __future__ import annotations

import time

import httpx
import numpy as np
from fastapi.testclient import TestClient

from app.settings import HOSTED
from app.web.app import create_app
from app.web.bounds import BYTES_FIXED, json_bytes
from lab_settings import make_settings
from live_server import health_latencies_while, live_server

# The shape that gave a 106 MB answer from a 1 MB body at the hosted limits: many units, few inputs.
WIDE = [1, 256, 40, 256, 40, 256, 2]


def hosted(**overrides):
    return make_settings(database_url="sqlite://", mode="hosted", **{**HOSTED, **overrides})


def model(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return {"layer_sizes": sizes, "hidden_activation": "sigmoid", "output_activation": "softmax",
            "loss": "cross_entropy",
            "W": [(rng.standard_normal((o, i)) * 0.1).tolist() for i, o in zip(sizes, sizes[1:])],
            "b": [(rng.standard_normal(o) * 0.1).tolist() for o in sizes[1:]]}


def backprop_body(sizes, n, seed=0):
    rng = np.random.default_rng(seed)
    return {"model": model(sizes, seed), "inputs": rng.standard_normal((n, sizes[0])).tolist(),
            "labels": np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)].tolist()}


def backprop_estimate(sizes, n):
    """/api/backprop's estimate, written out: per example its cost, outputs, and z, a, δ of every layer."""
    units, layers = sum(sizes[1:]), len(sizes) - 1
    parameters = sum((i + 1) * o for i, o in zip(sizes, sizes[1:]))
    per_example = json_bytes(1 + sizes[-1] + 3 * units, 1 + 3 * layers)
    return n * per_example + json_bytes(parameters, units + len(sizes)) + BYTES_FIXED, per_example


def examples_that_fit(sizes, limit):
    total, per_example = backprop_estimate(sizes, 0)
    return (limit - total) // per_example


def only_error(response):
    assert response.status_code == 422, f"{response.status_code}: {response.text[:300]}"
    [error] = response.json()["detail"]
    return error


def timed_post(url, path, **kwargs):
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=60) as client:
        response = client.post(path, **kwargs)
    return response, time.perf_counter() - started


# --- a real server at the hosted limits ----------------------------------------------------------------------

def test_the_largest_legal_backprop_answer_leaves_health_answering():
    settings = hosted()
    n = examples_that_fit(WIDE, settings.max_response_bytes)
    assert 50 < n < settings.max_examples, "the answer limit, not the example limit, decides here"
    body = backprop_body(WIDE, n)
    with live_server(create_app(settings)) as server:
        (response, _), latencies = health_latencies_while(server.url, lambda: timed_post(server.url, "/api/backprop",
                                                                                  json=body))
    assert response.status_code == 200, response.text[:300]
    assert len(response.content) <= settings.max_response_bytes
    assert len(response.json()["costs"]) == n
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    assert p99 < 1.0 and latencies[-1] < 1.0, f"/api/health p99 {p99:.2f} s, max {latencies[-1]:.2f} s"


def test_a_backprop_whose_answer_would_be_106_mb_is_refused_at_once_naming_the_examples():
    settings = hosted()
    body = backprop_body(WIDE, settings.max_examples)  # 1 MB of request; the answer would be 106 MB
    fit = examples_that_fit(WIDE, settings.max_response_bytes)
    with live_server(create_app(settings)) as server:
        (response, seconds), latencies = health_latencies_while(server.url, lambda: timed_post(server.url, "/api/backprop",
                                                                                        json=body))
    error = only_error(response)
    assert (error["field"], error["type"]) == ("inputs", "answer_too_large")
    assert f"{fit:,}" in error["msg"] and f"{settings.max_response_bytes:,}" in error["msg"]
    assert seconds < 1.0, f"the refusal took {seconds:.2f} s"
    assert latencies[-1] < 1.0, f"/api/health took up to {latencies[-1]:.2f} s"


def test_a_csv_of_2000_distinct_labels_is_refused_naming_the_label_column():
    csv = "x,label\n" + "".join(f"{i},c{i}\n" for i in range(2000))  # 20 KB; its answer was 16 MB
    with TestClient(create_app(hosted())) as client:
        response = client.post("/api/datasets/csv", files={"file": ("d.csv", csv.encode(), "text/csv")})
        error = only_error(response)
        assert error["field"] == "label_column"
        assert "2,000" in error["msg"] and "256" in error["msg"]
        fits = "x,label\n" + "".join(f"{i},c{i % 256}\n" for i in range(2000))
        response = client.post("/api/datasets/csv", files={"file": ("d.csv", fits.encode(), "text/csv")})
        assert response.status_code == 200, response.text[:300]
        assert len(response.json()["class_names"]) == 256


# --- the estimate is an upper bound, and the limit is exact ----------------------------------------------------

def test_a_backprop_answer_at_its_estimate_is_sent_and_one_byte_less_is_refused():
    sizes, n = [3, 5, 4, 2], 7
    estimate, _ = backprop_estimate(sizes, n)
    body = backprop_body(sizes, n, seed=3)
    body["inputs"] = (np.asarray(body["inputs"]) * 1e-300).tolist()  # z, a, δ with long numbers (e-notation)
    with TestClient(create_app(make_settings(database_url="sqlite://", max_response_bytes=estimate))) as client:
        response = client.post("/api/backprop", json=body)
        assert response.status_code == 200, response.text[:300]
        assert len(response.content) <= estimate
    with TestClient(create_app(make_settings(database_url="sqlite://", max_response_bytes=estimate - 1))) as client:
        error = only_error(client.post("/api/backprop", json=body))
        assert (error["field"], error["type"]) == ("inputs", "answer_too_large")
        assert f"{n - 1:,}" in error["msg"], "how many examples fit"


def test_a_model_too_big_for_one_example_is_refused_at_the_model():
    sizes = [3, 5, 4, 2]
    estimate, _ = backprop_estimate(sizes, 0)
    with TestClient(create_app(make_settings(database_url="sqlite://", max_response_bytes=estimate))) as client:
        error = only_error(client.post("/api/backprop", json=backprop_body(sizes, 1)))
        assert (error["field"], error["type"]) == ("model", "answer_too_large")


def test_a_training_answer_over_the_limit_is_refused_naming_the_examples():
    sizes = [2, 64, 64]
    body = {**backprop_body(sizes, 1000), "optimizer": {"name": "sgd", "learning_rate": 0.1}, "steps": 1}
    with TestClient(create_app(make_settings(database_url="sqlite://", max_response_bytes=600_000))) as client:
        error = only_error(client.post("/api/train", json=body))  # outputs alone: 1,000 × 64 numbers
        assert (error["field"], error["type"]) == ("inputs", "answer_too_large")
        body = {**backprop_body(sizes, 100), "optimizer": {"name": "sgd", "learning_rate": 0.1}, "steps": 1}
        response = client.post("/api/train", json=body)
        assert response.status_code == 200, response.text[:300]
        assert len(response.json()["outputs"]) == 100


def test_a_csv_answer_over_the_limit_is_refused_naming_the_file():
    csv = "a,b,c,label\n" + "".join(f"{i / 7},{i / 3},{i / 9},{i % 3}\n" for i in range(1000))
    with TestClient(create_app(make_settings(database_url="sqlite://", max_response_bytes=50_000))) as client:
        error = only_error(client.post("/api/datasets/csv", files={"file": ("d.csv", csv.encode(), "text/csv")}))
        assert (error["field"], error["type"]) == ("file", "answer_too_large")


def test_a_predict_answer_over_the_limit_is_refused_naming_the_rows_and_a_smaller_one_is_sent():
    from models_support import model_doc

    rows = [[0.25, -1.0]] * 200
    with TestClient(create_app(make_settings(database_url="sqlite://", max_response_bytes=20_000))) as client:
        saved = client.post("/api/models", json={"name": "m", "model": model_doc(), "class_names": ["a" * 50, "b"]})
        assert saved.status_code == 201, saved.text[:300]
        url = f"/api/models/{saved.json()['id']}/predict"
        error = only_error(client.post(url, json={"inputs": rows}))
        assert (error["field"], error["type"]) == ("inputs", "answer_too_large")
        answer = client.post(url, json={"inputs": rows[:20]})
        assert answer.status_code == 200 and len(answer.content) <= 20_000
