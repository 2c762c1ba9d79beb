"""The REST API's heavy computations in a child process (compute_processes=1, app/web/compute.py), against a real
uvicorn server: the same answers and the same 422s as in the server's own threads, the event loop free while a
gradient check runs, a bounded queue, and a killed or overrunning child replaced."""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.web import compute
from app.web.app import create_app
from app.web.inprocess import serve_in_thread
from benchmarks.hostile import descendants
from tests.lab_settings import make_settings

MODEL = {"layer_sizes": [2, 3, 2], "hidden_activation": "sigmoid", "output_activation": "softmax",
         "loss": "cross_entropy", "W": [[[0.1, -0.2], [0.3, 0.4], [0.5, -0.6]], [[0.1, 0.2, -0.3], [-0.4, 0.5, 0.6]]],
         "b": [[0.0, 0.1, -0.1], [0.2, -0.2]]}
EXAMPLES = {"inputs": [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], "labels": [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]}
BODIES = {
    "/api/backprop": {"model": MODEL, **EXAMPLES},
    "/api/gradcheck": {"model": MODEL, **EXAMPLES, "regularization": "l2", "regularization_rate": 0.01},
    "/api/train": {"model": MODEL, **EXAMPLES, "steps": 50, "batch_size": 2, "seed": 3,
                   "optimizer": {"name": "adam", "learning_rate": 0.05}},
    "/api/check": {"model": MODEL, **EXAMPLES, "yours": {"layers": [
        {"delta": [[0.01, 0.02, 0.03]] * 3}, {"delta": [[0.1, -0.1]] * 3}]}},
}
SETTINGS = dict(database_url="sqlite://", max_gradcheck_work=1e12)


def heavy_gradcheck() -> dict:
    """About a second of CPU here: 4,900 parameters, each nudged both ways, over 200 examples."""
    rng = np.random.default_rng(0)
    sizes = [40, 80, 20]
    return {"model": {"layer_sizes": sizes, "hidden_activation": "tanh", "output_activation": "softmax",
                      "loss": "cross_entropy", "b": [[0.0] * n for n in sizes[1:]],
                      "W": [rng.normal(0, 0.5, (o, i)).tolist() for i, o in zip(sizes, sizes[1:])]},
            "inputs": rng.normal(size=(200, sizes[0])).tolist(),
            "labels": np.eye(sizes[-1])[rng.integers(0, sizes[-1], 200)].tolist()}


HEAVY = heavy_gradcheck()


@pytest.fixture(scope="module")
def server():
    app = create_app(make_settings(compute_processes=1, **SETTINGS))
    with serve_in_thread(app, lifespan="on") as served:  # the lifespan starts the child and stops it
        yield served


@pytest.fixture(scope="module")
def threads():
    with TestClient(create_app(make_settings(compute_processes=0, **SETTINGS))) as client:
        yield client


def post(server, path: str, body, **kwargs) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(server.url + path, content=content, headers={"content-type": "application/json"},
                      timeout=60, **kwargs)


def child_pid(server) -> int:
    pids = server.app.state.compute.pids()
    assert len(pids) == 1, pids
    return pids[0]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def in_background(fn):
    pool = ThreadPoolExecutor(1)
    future = pool.submit(fn)
    pool.shutdown(wait=False)
    return future


def wait_until_busy(pid: int, seconds: float = 5.0) -> None:
    """Until the child has spent CPU on the job just sent (it parses the body first)."""
    start, deadline = cpu_seconds(pid), time.monotonic() + seconds
    while cpu_seconds(pid) < start + 0.05:
        assert time.monotonic() < deadline, "the child never started the job"
        time.sleep(0.01)


@pytest.mark.parametrize("path", list(BODIES))
def test_an_answer_from_the_child_equals_the_threads_answer_number_for_number(server, threads, path):
    in_child = post(server, path, BODIES[path])
    in_thread = threads.post(path, json=BODIES[path])
    assert in_child.status_code == in_thread.status_code == 200, in_child.text
    assert in_child.headers["content-type"] == "application/json"
    assert json.loads(in_child.content) == json.loads(in_thread.content)


def _set(path: tuple, value):
    def change(body):
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return body
    return change


BAD = {
    "not JSON": (b'{"model": ', None),
    "NaN in a weight": (json.dumps(BODIES["/api/backprop"]).replace("-0.2", "NaN", 1).encode(), "model.W.0.0.1"),
    "a row too wide": (_set(("inputs", 1), [1.0, 0.0, 5.0]), "inputs.1"),
    "an unknown field": (_set(("learning",), 1), "learning"),
    "no model": (lambda body: {k: v for k, v in body.items() if k != "model"}, "model"),
    "a list for a body": (b"[]", None),
    "an empty body": (b"", None),
}


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("path", ["/api/backprop", "/api/train"])
def test_a_bad_body_gets_the_same_422_from_the_child_as_from_the_threads(server, threads, path, case):
    make, field = BAD[case]
    body = make if isinstance(make, bytes) else json.dumps(make(copy.deepcopy(BODIES[path]))).encode()
    in_child = post(server, path, body)
    in_thread = threads.post(path, content=body, headers={"content-type": "application/json"})
    assert in_child.status_code == in_thread.status_code == 422, in_child.text
    detail = in_child.json()["detail"]
    assert detail == in_thread.json()["detail"]
    assert all(error["loc"][0] == "body" for error in detail)
    assert field in [error["field"] for error in detail]


def test_a_body_that_is_not_utf8_is_a_400_in_both(server, threads):
    body = b'{"model": "\xff\xfe"}'
    assert post(server, "/api/gradcheck", body).status_code == 400
    assert threads.post("/api/gradcheck", content=body, headers={"content-type": "application/json"}
                        ).status_code == 400


def test_the_child_is_another_process_and_the_event_loop_answers_meanwhile(server):
    pid = child_pid(server)
    assert pid != os.getpid() and pid in descendants(os.getpid())
    cpu_before = cpu_seconds(pid)
    heavy = in_background(lambda: post(server, "/api/gradcheck", HEAVY))
    wait_until_busy(pid)
    latencies = []
    with httpx.Client(base_url=server.url, timeout=5) as client:  # one client: a new one costs ~20 ms of its own
        while not heavy.done():
            started = time.perf_counter()
            assert client.get("/api/health").status_code == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.02)
    assert heavy.result().status_code == 200
    assert cpu_seconds(pid) - cpu_before > 0.3  # the gradient check's CPU time was the child's
    assert len(latencies) >= 5 and max(latencies) < 0.1, latencies


def test_past_the_queue_bound_a_request_gets_503_with_retry_after(server):
    heavy = in_background(lambda: post(server, "/api/gradcheck", HEAVY))
    wait_until_busy(child_pid(server))
    waiting = compute.QUEUE_PER_PROCESS + 1
    barrier = threading.Barrier(waiting)

    def light():
        barrier.wait()
        return post(server, "/api/backprop", BODIES["/api/backprop"])

    with ThreadPoolExecutor(waiting) as pool:
        answers = list(pool.map(lambda _: light(), range(waiting)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] * compute.QUEUE_PER_PROCESS + [503], statuses
    refused = next(r for r in answers if r.status_code == 503)
    assert int(refused.headers["retry-after"]) > 0 and refused.json()["detail"]
    assert heavy.result().status_code == 200


def test_a_killed_child_answers_503_once_and_the_next_request_works(server):
    pid = child_pid(server)
    heavy = in_background(lambda: post(server, "/api/gradcheck", HEAVY))
    wait_until_busy(pid)
    os.kill(pid, signal.SIGKILL)
    answer = heavy.result()
    assert answer.status_code == 503 and answer.json()["detail"]
    after = post(server, "/api/backprop", BODIES["/api/backprop"])
    assert after.status_code == 200
    assert child_pid(server) != pid


def test_a_job_past_the_time_limit_is_stopped_and_its_child_replaced(server, monkeypatch):
    monkeypatch.setattr(compute, "TIME_LIMIT", 0.3)
    pid = child_pid(server)
    started = time.monotonic()
    answer = post(server, "/api/gradcheck", HEAVY)
    assert answer.status_code == 503 and time.monotonic() - started < 1.0
    assert post(server, "/api/backprop", BODIES["/api/backprop"]).status_code == 200
    assert child_pid(server) != pid


def test_a_child_that_died_while_idle_costs_the_next_request_nothing(server):
    pid = child_pid(server)
    os.kill(pid, signal.SIGKILL)
    time.sleep(1.0)  # the pool notices the death while no job runs
    answer = post(server, "/api/backprop", BODIES["/api/backprop"])
    assert answer.status_code == 200
    assert child_pid(server) != pid
