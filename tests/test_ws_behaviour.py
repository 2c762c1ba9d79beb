"""What a learner sees happen in a live session: which run wins, collapse, divergence, boundary grids.

The statistics over many seeds use the Experiment class directly (the session is a thin driver over it);
a few seeds go through a real uvicorn server at speed "max" and must give the very same steps.
"""

from __future__ import annotations

import asyncio
import json
import struct

import numpy as np
import pytest

from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import Experiment
from app.web.app import create_app
from lab_settings import make_settings
from live_server import connect, live_server, of_type, recv_until

HEADER = struct.Struct("<IHHHH")  # step, run index, classes, width, height (after the 4-byte magic)
MAGIC = b"BLB1"


def two_points(seed: int) -> dict:
    return {"dataset": {"name": "two-points"},
            "network": {"hidden_layers": [8], "hidden_activation": "sigmoid", "init": "normal", "seed": seed},
            "optimizer": {"name": "sgd", "learning_rate": 0.5},
            "runs": [{"id": "mse", "kind": "sigmoid_mse"}, {"id": "ce", "kind": "softmax_ce"}]}


def raw_pixels(scaled: bool) -> dict:
    return {"dataset": {"name": "raw-pixels", "params": {"scaled": scaled}},
            "network": {"hidden_layers": [8], "hidden_activation": "sigmoid", "init": "normal", "seed": 2},
            "optimizer": {"name": "sgd", "learning_rate": 0.5},
            "runs": [{"id": "mse", "kind": "sigmoid_mse"}, {"id": "ce", "kind": "softmax_ce"}]}


def experiment(config: dict) -> Experiment:
    cfg = ExperimentConfig.model_validate(config)
    return Experiment(cfg, check_limits(cfg, make_settings()))


def converged_steps(config: dict, max_steps: int = 3000) -> dict[str, int]:
    """Each run's `converged` event step, advancing until every run converged or max_steps."""
    exp = experiment(config)
    found: dict[str, int] = {}
    while exp.step < max_steps and len(found) < len(exp.runs):
        for event in exp.advance(min(250, max_steps - exp.step), 60.0):
            if event.event == "converged":
                assert event.run not in found, "converged is reported once per run"
                found[event.run] = event.step
    return found


@pytest.fixture(scope="module")
def server():
    with live_server(create_app(make_settings())) as srv:
        yield srv


async def open_session(url: str, config: dict, **extra):
    """Connect, read hello, configure, read up to the step-0 frame; the open connection."""
    ws = await connect(url)
    await recv_until(ws, of_type("hello"))
    await ws.send(json.dumps({"type": "configure", **config, **extra}))
    await recv_until(ws, of_type("frame"))
    return ws


async def play_until(ws, predicate, timeout: float, *, seen: list, texts: list | None = None, binary=False):
    await ws.send(json.dumps({"type": "play"}))
    return await recv_until(ws, predicate, timeout, seen=seen, texts=texts, binary=binary)


def events(seen: list, kind: str) -> list[dict]:
    return [m for m in seen if isinstance(m, dict) and m.get("type") == "event" and m["event"] == kind]


# --- cross-entropy beats the quadratic cost ---------------------------------------------------------------

def test_softmax_ce_converges_before_sigmoid_mse_on_two_points_in_most_seeds():
    wins, results = 0, {}
    for seed in range(20):
        steps = converged_steps(two_points(seed))
        results[seed] = steps
        assert set(steps) == {"mse", "ce"}, f"seed {seed}: both runs should converge within 3000 steps: {steps}"
        wins += steps["ce"] < steps["mse"]
    assert wins >= 15, results


@pytest.mark.parametrize("seed", [0, 7])
def test_over_the_socket_the_converged_events_come_in_the_same_order_at_the_same_steps(server, seed):
    expected = converged_steps(two_points(seed))

    async def scenario():
        seen: list = []
        ws = await open_session(server.ws_url, two_points(seed), speed="max")
        try:
            await play_until(ws, lambda m: len(events(seen, "converged")) == 2, 10, seen=seen)
        finally:
            await ws.close()
        return events(seen, "converged")

    got = asyncio.run(scenario())
    assert [e["run"] for e in got] == sorted(expected, key=expected.get)
    assert {e["run"]: e["step"] for e in got} == expected
    assert got[0]["run"] == "ce"


# --- collapse: unscaled pixels saturate the sigmoid layer ---------------------------------------------------

def test_unscaled_raw_pixels_collapse_every_run_and_the_diagnosis_names_the_inputs_scale(server):
    async def scenario():
        seen: list = []
        ws = await open_session(server.ws_url, raw_pixels(scaled=False), speed="max")
        try:
            await play_until(ws, lambda m: len(events(seen, "collapsed")) == 2, 10, seen=seen)
        finally:
            await ws.close()
        return seen

    seen = asyncio.run(scenario())
    collapsed = events(seen, "collapsed")
    assert sorted(e["run"] for e in collapsed) == ["ce", "mse"]
    for event in collapsed:
        assert event["causes"], event
        codes = [cause["id"] for cause in event["causes"]]
        assert codes[:2] == ["unscaled_inputs", "identical_representations"], codes
        assert event["cause"] == "unscaled_inputs" and event["headline"] and event["detail"]
        assert "255" in event["suggestion"]  # the number to divide by, for these pixels
    assert not events(seen, "converged")


def test_the_scaled_twin_converges_and_never_collapses(server):
    async def scenario():
        seen: list = []
        ws = await open_session(server.ws_url, raw_pixels(scaled=True), speed="max")
        try:
            await play_until(ws, lambda m: len(events(seen, "converged")) == 2, 10, seen=seen)
            # Keep going a while: a collapse check runs every 50 steps.
            last = seen[-1]["step"]
            await recv_until(ws, lambda m: m.get("type") == "frame" and m["step"] > last + 500, 10, seen=seen)
        finally:
            await ws.close()
        return seen

    seen = asyncio.run(scenario())
    assert sorted(e["run"] for e in events(seen, "converged")) == ["ce", "mse"]
    assert not events(seen, "collapsed")


def test_the_engine_agrees_unscaled_pixels_collapse_and_scaled_ones_converge():
    exp = experiment(raw_pixels(scaled=False))
    found = exp.advance(3000, 60.0)
    assert {e.run for e in found if e.event == "collapsed"} == {"mse", "ce"}
    assert not [e for e in found if e.event == "converged"]
    assert set(converged_steps(raw_pixels(scaled=True))) == {"mse", "ce"}


# --- divergence --------------------------------------------------------------------------------------------------

def test_a_huge_learning_rate_diverges_and_no_message_ever_holds_nan_or_infinity(server):
    config = {**two_points(0), "optimizer": {"name": "sgd", "learning_rate": 1e6},
              "runs": [{"id": "mse", "kind": "sigmoid_mse"}, {"id": "ce", "kind": "softmax_ce"},
                       {"id": "slow", "kind": "softmax_ce", "learning_rate": 0.5}]}

    async def scenario():
        seen: list = []
        texts: list = []
        ws = await open_session(server.ws_url, config, speed="max")
        try:
            await play_until(ws, lambda m: len(events(seen, "diverged")) == 2, 10, seen=seen, texts=texts)
            at = max(e["step"] for e in events(seen, "diverged"))
            await recv_until(ws, lambda m: m.get("type") == "frame" and m["step"] > at + 200, 10,
                             seen=seen, texts=texts)
            for message in ({"type": "pause"}, {"type": "step", "count": 3}, {"type": "history"},
                            {"type": "gradcheck"}, {"type": "reset"}):
                await ws.send(json.dumps(message))
            await recv_until(ws, lambda m: m.get("type") == "frame" and m["step"] == 0, 10, seen=seen, texts=texts)
        finally:
            await ws.close()
        return seen, texts

    seen, texts = asyncio.run(scenario())
    diverged = events(seen, "diverged")
    assert sorted(e["run"] for e in diverged) == ["ce", "mse"]
    assert all(e["suggestion"] and "learning rate" in e["suggestion"].lower() for e in diverged)
    for text in texts:
        assert "NaN" not in text and "Infinity" not in text, text[:300]
    # Once a run diverged, every later frame shows it diverged (until the reset).
    frames = [m for m in seen if m.get("type") == "frame"]
    reset_at = max(i for i, f in enumerate(frames) if f["step"] == 0)
    for event in diverged:
        later = [f for f in frames[:reset_at] if f["step"] >= event["step"]]
        assert later, "frames keep coming after a divergence"
        for frame in later:
            run = next(r for r in frame["runs"] if r["id"] == event["run"])
            assert run["status"] == "diverged", (frame["step"], run["status"])
        assert all(next(r for r in f["runs"] if r["id"] == "slow")["status"] == "training" for f in later)
    history = next(m for m in seen if m.get("type") == "history")
    assert all(row[0] is None and row[1] is None for row, step in zip(history["loss"], history["steps"]) if step > 2)
    assert all(row[2] is not None for row in history["loss"])
    assert all(run["status"] == "training" for run in frames[reset_at]["runs"]), "reset starts over"


def test_when_every_run_diverged_play_stops_and_step_is_still_answered(server):
    config = {**two_points(0), "optimizer": {"name": "sgd", "learning_rate": 1e6}}

    async def scenario():
        seen: list = []
        ws = await open_session(server.ws_url, config, speed="max")
        try:
            await play_until(ws, lambda m: m.get("type") == "state" and m["playing"] is False, 5, seen=seen)
            stopped = seen[-1]
            await ws.send(json.dumps({"type": "step", "count": 5}))
            after = await recv_until(ws, of_type("state"), 5, seen=seen)
        finally:
            await ws.close()
        return seen, stopped, after

    seen, stopped, after = asyncio.run(scenario())
    assert len(events(seen, "diverged")) == 2
    assert after["playing"] is False and after["step"] == stopped["step"], "nothing left to train"


def unscaled_linear_at_a_huge_rate() -> dict:
    return {"dataset": {"name": "raw-pixels", "params": {"scaled": False}},
            "network": {"hidden_layers": [8], "hidden_activation": "linear", "init": "normal", "seed": 0},
            "optimizer": {"name": "sgd", "learning_rate": 1e6},
            "runs": [{"id": "sigmoid-mse", "kind": "sigmoid_mse"}, {"id": "softmax-ce", "kind": "softmax_ce"}]}


def test_the_engines_history_keeps_a_diverged_runs_losses_while_they_were_finite():
    exp = experiment(unscaled_linear_at_a_huge_rate())
    start = exp.current_losses()[1]
    assert start == pytest.approx(947.57, abs=0.01)
    [diverged] = [e for e in exp.advance(3, 60.0) if e.event == "diverged"]
    assert (diverged.run, diverged.step) == ("softmax-ce", 1)  # step 0's update blew it up
    steps, values = exp.history.rows()
    assert steps == [0, 1, 2]
    assert [row[1] for row in values] == [start, None, None]


def test_the_history_reply_keeps_the_loss_a_diverged_run_started_with(server):
    async def scenario():
        seen: list = []
        ws = await connect(server.ws_url)
        try:
            await recv_until(ws, of_type("hello"))
            await ws.send(json.dumps({"type": "configure", **unscaled_linear_at_a_huge_rate()}))
            step0 = await recv_until(ws, of_type("frame"))
            await ws.send(json.dumps({"type": "step", "count": 3}))
            await recv_until(ws, of_type("state"), 5, seen=seen)
            await ws.send(json.dumps({"type": "history"}))
            history = await recv_until(ws, of_type("history"), 5, seen=seen)
        finally:
            await ws.close()
        return seen, step0, history

    seen, step0, history = asyncio.run(scenario())
    assert step0["step"] == 0 and step0["runs"][1]["loss"] == pytest.approx(947.57, abs=0.01)
    assert any(e["run"] == "softmax-ce" for e in events(seen, "diverged"))
    assert history["runs"] == ["sigmoid-mse", "softmax-ce"] and history["steps"] == [0, 1, 2, 3]
    softmax = [row[1] for row in history["loss"]]
    assert softmax[0] == step0["runs"][1]["loss"]  # what the step-0 frame reported
    assert softmax[1:] == [None, None, None]
    assert all(row[0] is not None for row in history["loss"])


# --- boundary grids and frame sizes ------------------------------------------------------------------------------

def test_a_2d_dataset_sends_boundary_grids_in_the_documented_binary_format(server):
    config = {"dataset": {"name": "moons", "params": {"n": 100}}, "network": {"hidden_layers": [6]},
              "runs": [{"id": "mse", "kind": "sigmoid_mse"}, {"id": "ce", "kind": "softmax_ce"}]}

    async def scenario():
        seen: list = []
        ws = await connect(server.ws_url)
        try:
            await recv_until(ws, of_type("hello"))
            await ws.send(json.dumps({"type": "configure", **config, "speed": 200}))
            await recv_until(ws, of_type("frame"), seen=seen)
            blobs = []
            # Boundary grids only (the neuron maps, BLN1, come beside them: tests/test_sessions_weights.py).
            await play_until(ws, lambda m: isinstance(m, bytes) and m[:4] == MAGIC and len(blobs.append(m) or blobs) >= 6, 10,
                             seen=seen, binary=True)
        finally:
            await ws.close()
        return seen, blobs

    seen, blobs = asyncio.run(scenario())
    configured = next(m for m in seen if isinstance(m, dict) and m["type"] == "configured")
    size = configured["boundary"]["size"]
    assert len(configured["boundary"]["extent"]) == 4
    runs_seen = set()
    for blob in blobs:
        assert blob[:4] == MAGIC
        step, run, classes, width, height = HEADER.unpack_from(blob, 4)
        assert (classes, width, height) == (2, size, size)
        assert len(blob) == 4 + HEADER.size + width * height * classes * 4
        values = np.frombuffer(blob, dtype="<f4", offset=4 + HEADER.size).reshape(height, width, classes)
        assert np.isfinite(values).all() and values.min() >= 0 and values.max() <= 1
        if run == 1:  # softmax: every pixel's class probabilities sum to one
            np.testing.assert_allclose(values.sum(axis=2), 1, atol=1e-5)
        runs_seen.add(run)
    assert runs_seen == {0, 1}


def test_a_1d_dataset_sends_no_boundary_grids(server):
    async def scenario():
        seen: list = []
        ws = await open_session(server.ws_url, raw_pixels(scaled=True))
        try:
            await ws.send(json.dumps({"type": "step", "count": 10}))
            await recv_until(ws, of_type("state"), binary=True, seen=seen)
        finally:
            await ws.close()
        return seen

    seen = asyncio.run(scenario())
    assert not [m for m in seen if isinstance(m, bytes)]


def test_frames_are_a_few_kilobytes(server):
    async def scenario(config):
        texts: list = []
        ws = await open_session(server.ws_url, config, speed=1000)
        try:
            await play_until(ws, lambda m: m.get("type") == "frame" and m["step"] > 100, 10, seen=[], texts=texts)
        finally:
            await ws.close()
        return [t for t in texts if t.startswith('{"type":"frame"')]

    small = asyncio.run(scenario(two_points(0)))
    assert small and max(len(t.encode()) for t in small) < 16 * 1024
    moons = asyncio.run(scenario({"dataset": {"name": "moons"}, "runs": [
        {"id": k[:16], "kind": k} for k in ("sigmoid_mse", "softmax_ce", "softmax_mse_elementwise")]}))
    assert moons and max(len(t.encode()) for t in moons) < 256 * 1024
