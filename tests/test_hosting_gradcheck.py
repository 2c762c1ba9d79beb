"""A time bound for gradient checks (issue 16, item 4): POST /api/gradcheck refuses, before any work, a check over
BACKPROP_LAB_MAX_GRADCHECK_WORK (2 × parameters² × examples), naming how many examples fit; the hosted bound
costs about what /api/train's time limit allows; the socket's `gradcheck` obeys the same bound and takes the
shared training thread one run at a time."""

from __future__ import annotations

import asyncio
import json
import time

import numpy as np
from fastapi.testclient import TestClient

from app.nn import from_document, gradient_check
from app.settings import HOSTED
from app.web.app import create_app
from lab_settings import make_settings
from live_server import Transport, connect, live_server, of_type, recv_until

# 1,806 parameters (under the hosted 2,000) whose check over 2,000 examples took 17.4 s of CPU here.
SIZES = [2, 256, 4, 2]
PARAMETERS = 1_806


def hosted(**overrides):
    return make_settings(database_url="sqlite://", mode="hosted", **{**HOSTED, **overrides})


def body(n, sizes=SIZES, seed=0):
    rng = np.random.default_rng(seed)
    model = {"layer_sizes": sizes, "hidden_activation": "sigmoid", "output_activation": "softmax",
             "loss": "cross_entropy",
             "W": [(rng.standard_normal((o, i)) * 0.1).tolist() for i, o in zip(sizes, sizes[1:])],
             "b": [(rng.standard_normal(o) * 0.1).tolist() for o in sizes[1:]]}
    return {"model": model, "inputs": rng.standard_normal((n, sizes[0])).tolist(),
            "labels": np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)].tolist()}


def fitting(limit, parameters=PARAMETERS):
    return int(limit // (2 * parameters**2))


def only_error(response):
    assert response.status_code == 422, f"{response.status_code}: {response.text[:300]}"
    [error] = response.json()["detail"]
    return error


def test_the_17_second_gradcheck_is_refused_at_once_naming_the_examples():
    settings = hosted()
    with TestClient(create_app(settings)) as client:
        started = time.perf_counter()
        error = only_error(client.post("/api/gradcheck", json=body(settings.max_examples)))
        seconds = time.perf_counter() - started
    assert (error["field"], error["type"]) == ("inputs", "too_much_work")
    assert f"{fitting(settings.max_gradcheck_work):,}" in error["msg"]
    assert seconds < 1.0, f"the refusal took {seconds:.2f} s"


def test_a_gradcheck_at_the_work_limit_is_answered_and_one_example_more_is_refused():
    sizes, parameters = [3, 8, 2], 50
    limit = 2 * parameters**2 * 40
    with TestClient(create_app(make_settings(database_url="sqlite://", max_gradcheck_work=limit))) as client:
        response = client.post("/api/gradcheck", json=body(40, sizes))
        assert response.status_code == 200, response.text[:300]
        assert [layer["layer"] for layer in response.json()["layers"]] == [0, 1]
        error = only_error(client.post("/api/gradcheck", json=body(41, sizes)))
        assert (error["field"], error["type"]) == ("inputs", "too_much_work")
        assert "40" in error["msg"]


def test_the_hosted_work_limit_costs_about_the_hosted_training_time_limit():
    """The largest hosted check this shape allows, timed on the engine: within twice /api/train's 2 s."""
    settings = hosted()
    request = body(fitting(settings.max_gradcheck_work))
    net = from_document(request["model"])
    assert net.parameter_count == PARAMETERS
    X, Y = np.asarray(request["inputs"]), np.asarray(request["labels"])
    started = time.thread_time()
    gradient_check(net, X, Y)
    seconds = time.thread_time() - started
    assert seconds < 2 * settings.train_time_limit, f"{seconds:.2f} s of CPU"


def test_a_socket_gradcheck_over_the_work_limit_is_refused_and_the_session_goes_on():
    transport = Transport("testclient", create_app(make_settings(database_url="sqlite://", max_gradcheck_work=1e4)))
    try:
        conn = transport.open()
        conn.recv_type("hello")
        conn.send_json({"type": "configure", "network": {"hidden_layers": [16]}})  # two-points: 2 × 82² × 2 > 1e4
        conn.recv_type("frame")
        conn.send_json({"type": "gradcheck"})
        error = conn.recv_type("error")
        assert error["code"] == "too_many_parameters"
        assert error["in_reply_to"]["type"] == "gradcheck"
        conn.send_json({"type": "step", "count": 1})
        assert conn.recv_until(lambda m: m.get("type") == "frame" and m.get("step") == 1)["step"] == 1
    finally:
        transport.close()


def test_a_bystander_keeps_getting_frames_while_a_socket_gradchecks_every_run():
    """All runs checked in one trip to the shared training thread held it 2.3 s at the hosted limits; one run per
    trip, the bystander's frames come in between. Relative to the whole check, so a busy machine cannot fail it."""
    runs = 8
    heavy = {"type": "configure", "network": {"hidden_layers": [256, 4]}, "dataset": {"name": "spiral"},
             "runs": [{"id": f"r{k}", "kind": "softmax_ce", "learning_rate": 0.1 * (k + 1)} for k in range(runs)]}

    async def scenario(ws_url):
        async with connect(ws_url) as checker, connect(ws_url) as bystander:
            for ws, config in ((checker, heavy), (bystander, {"type": "configure"})):
                await recv_until(ws, of_type("hello"))
                await ws.send(json.dumps(config))
                await recv_until(ws, of_type("configured"))
            await bystander.send(json.dumps({"type": "play"}))
            await recv_until(bystander, lambda m: of_type("frame")(m) and m["step"] > 0)
            frames: list[float] = []

            async def watch_bystander():
                while True:
                    await recv_until(bystander, of_type("frame"), 60)
                    frames.append(time.perf_counter())

            watcher = asyncio.create_task(watch_bystander())
            started = time.perf_counter()
            await checker.send(json.dumps({"type": "gradcheck"}))
            checked = [await recv_until(checker, lambda m: of_type("event")(m) and m["event"] == "gradcheck", 60)
                       for _ in range(runs)]
            ended = time.perf_counter()
            watcher.cancel()
            times = [started] + [t for t in frames if started < t < ended] + [ended]
            return [e["run"] for e in checked], ended - started, max(b - a for a, b in zip(times, times[1:]))

    with live_server(create_app(hosted(training_threads=1, max_runs=runs))) as server:
        checked, total, longest = asyncio.run(scenario(server.ws_url))
    assert checked == [f"r{k}" for k in range(runs)]
    assert longest < total / 2, f"the bystander waited {longest:.2f} s for a frame during a {total:.2f} s check"
