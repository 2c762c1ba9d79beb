"""The /ws protocol, message by message: every test runs over Starlette's TestClient AND a real uvicorn server."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app import datasets
from app.nn import RUN_KINDS

# The kinds that differ in their output layer (at most 5 runs fit one session); the mistake kinds of the
# trainer are covered by test_mistake_runs.py.
OUTPUT_KINDS = [kind for kind, spec in RUN_KINDS.items() if spec.trained_mistake is None]
from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import Experiment
from app.web.app import create_app
from app.web.protocol import PROTOCOL_VERSION
from lab_settings import make_settings
from live_server import TestClientConn, Transport

TRANSPORTS = ["testclient", "uvicorn"]

TWO_RUNS = [{"id": "a", "kind": "sigmoid_mse"}, {"id": "b", "kind": "softmax_ce"}]


@pytest.fixture(params=TRANSPORTS)
def open_session(request):
    """open_session(**settings) -> a connection whose hello has been read (returned beside it)."""
    transports: list[Transport] = []

    def factory(**settings):
        transport = Transport(request.param, create_app(make_settings(**settings)))
        transports.append(transport)
        conn = transport.open()
        hello = conn.recv_type("hello")
        return conn, hello

    factory.transport_kind = request.param
    factory.transports = transports
    yield factory
    for transport in transports:
        transport.close()


def configure(conn, **config) -> tuple[dict, dict, dict]:
    """Send configure; the configured, state and step-0 frame messages that answer it."""
    conn.send_json({"type": "configure", **config})
    configured = conn.recv_type("configured")
    state = conn.recv_type("state")
    frame = conn.recv_type("frame")
    return configured, state, frame


def step(conn, count: int) -> tuple[dict, dict]:
    """Send step; the last frame before the state that ends it, and that state.

    (A long step may send frames on the way, at the frame rate; the last one is at the final step.)"""
    conn.send_json({"type": "step", "count": count})
    seen: list = []
    state = conn.recv_type("state", seen=seen)
    frames = [m for m in seen if m["type"] == "frame"]
    assert frames, f"a step is answered with a frame before its state; got {seen}"
    assert [f["step"] for f in frames] == sorted({f["step"] for f in frames})
    return frames[-1], state


def engine_experiment(config: dict) -> Experiment:
    cfg = ExperimentConfig.model_validate(config)
    return Experiment(cfg, check_limits(cfg, make_settings(max_runs=len(OUTPUT_KINDS))))


def engine_losses(config: dict, steps: int) -> dict[str, float]:
    """Each run's loss after `steps` lockstep steps, computed directly with the engine."""
    exp = engine_experiment(config)
    while exp.step < steps:
        exp.advance(steps - exp.step, 60.0)
    return {run["id"]: run["loss"] for run in exp.frame().model_dump()["runs"]}


def losses(frame: dict) -> dict[str, float]:
    return {run["id"]: run["loss"] for run in frame["runs"]}


# --- hello and configure ---------------------------------------------------------------------------------

def test_hello_comes_first_with_protocol_version_limits_datasets_run_kinds_and_defaults(open_session):
    conn, hello = open_session(max_runs=3, default_speed=120, default_frame_rate=20)
    assert conn.texts and '"hello"' in conn.texts[0], "the very first message is hello"
    assert hello["protocol"] == PROTOCOL_VERSION == 1
    limits = hello["limits"]
    assert limits["max_runs"] == 3
    for key in ("max_hidden_layers", "max_units", "max_parameters", "max_speed", "max_frame_rate",
                "max_steps_per_message", "max_message_bytes", "idle_timeout"):
        assert key in limits
    assert {d["name"] for d in hello["datasets"]} == set(datasets.DATASETS)
    moons = next(d for d in hello["datasets"] if d["name"] == "moons")
    assert {p["name"] for p in moons["params"]} >= {"n", "noise"}
    assert set(hello["run_kinds"]) == set(RUN_KINDS)
    assert hello["run_kinds"]["softmax_ce"]["loss"] == "cross_entropy"
    assert hello["run_kinds"]["softmax_mse_elementwise"]["mistake"] == "softmax_elementwise_derivative"
    assert hello["defaults"]["speed"] == 120
    assert hello["defaults"]["frame_rate"] == 20
    assert hello["defaults"]["config"] == ExperimentConfig().model_dump()


def test_hello_carries_the_constants_the_page_would_otherwise_copy(open_session):
    from app.sessions.experiment import COLLAPSE_CHECK_FROM, COLLAPSE_LASTS, CONVERGED_ERROR
    from app.sessions.frames import MAX_OUTPUT_EXAMPLES

    conn, hello = open_session(max_speed=500, max_frame_rate=40, max_units=64)
    for kind, info in hello["run_kinds"].items():
        assert info["label"] and info["delta_formula"] and info["delta_tex"].startswith(r"\delta^L"), kind
    right = [k for k, info in hello["run_kinds"].items() if not info["mistake"]]
    assert right == ["sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse", "linear_mse"]
    assert hello["thresholds"]["reached_labels"] == CONVERGED_ERROR
    assert hello["thresholds"]["collapse_reported_from"] == COLLAPSE_CHECK_FROM + COLLAPSE_LASTS
    assert hello["frame_examples"] == MAX_OUTPUT_EXAMPLES
    bounds = hello["settings"]
    assert (bounds["speed"]["maximum"], bounds["frame_rate"]["maximum"]) == (500, 40)
    assert bounds["network.hidden_layers"]["maximum"] == 64
    assert bounds["optimizer.learning_rate"]["exclusive_minimum"] == 0


@pytest.mark.parametrize("field, inside, outside", [
    ("optimizer.learning_rate", {"optimizer": {"learning_rate": 1e6}}, {"optimizer": {"learning_rate": 0}}),
    ("network.seed", {"network": {"seed": 0}}, {"network": {"seed": -1}}),
    ("batch_size", {"batch_size": 1}, {"batch_size": 0}),
    ("speed", {"speed": 500}, {"speed": 501}),
    ("frame_rate", {"frame_rate": 40}, {"frame_rate": 41}),
])
def test_the_bounds_in_hello_are_the_servers_own(open_session, field, inside, outside):
    conn, _ = open_session(max_speed=500, max_frame_rate=40)
    conn.send_json({"type": "configure", **inside})
    assert conn.recv_type("configured", "error")["type"] == "configured"
    conn.send_json({"type": "configure", **outside})
    error = conn.recv_type("configured", "error")
    assert (error["type"], error["field"], error["in_reply_to"]["type"]) == ("error", field, "configure")


def test_configure_answers_configured_then_state_then_a_frame_at_step_0(open_session):
    conn, _ = open_session()
    seen: list = []
    conn.send_json({"type": "configure", "runs": TWO_RUNS})
    conn.recv_type("frame", seen=seen)
    assert [m["type"] for m in seen] == ["configured", "state", "frame"]
    configured, state, frame = seen
    assert configured["layer_sizes"] == [2, 8, 2]
    assert configured["inputs"] == [[1.0, 0.0], [0.0, 1.0]]
    assert configured["labels"] == [[1.0, 0.0], [0.0, 1.0]]
    assert configured["config"]["runs"][1]["kind"] == "softmax_ce"
    assert configured["boundary"]["size"] > 0  # two-points is a 2-D set
    assert state == {"type": "state", "playing": False, "step": 0, "speed": 60, "frame_rate": 30}
    assert frame["step"] == 0
    assert [r["id"] for r in frame["runs"]] == ["a", "b"]
    assert all(r["status"] == "training" and r["converged_at"] is None for r in frame["runs"])


# --- stepping ----------------------------------------------------------------------------------------------

def test_step_count_1_advances_exactly_one_step(open_session):
    conn, _ = open_session()
    configure(conn, runs=TWO_RUNS)
    frame, state = step(conn, 1)
    assert frame["step"] == 1
    assert state["step"] == 1 and state["playing"] is False
    assert losses(frame) == pytest.approx(engine_losses({"runs": TWO_RUNS}, 1), rel=1e-12)
    assert conn.drain(0.15) == [], "one step, one frame, one state: nothing more"


def test_two_step_messages_sent_together_take_both_counts(open_session):
    """A double click on "step 200" is 400 steps: a step arriving while one runs must not cut it short."""
    conn, _ = open_session()
    configure(conn, runs=TWO_RUNS, dataset={"name": "moons"})
    conn.send_json({"type": "step", "count": 200})
    conn.send_json({"type": "step", "count": 1})
    seen: list = []
    conn.recv_type("state", seen=seen)
    seen += [m.json() for m in conn.drain(0.3) if m.kind == "text"]
    states = [m["step"] for m in seen if m["type"] == "state"]
    assert states[-1] == 201, f"the states after step 200 + step 1 say steps {states}"


def test_step_count_5_gives_the_frame_at_step_5_with_the_engines_numbers(open_session):
    conn, _ = open_session()
    configure(conn, runs=TWO_RUNS)
    step(conn, 1)
    frame, state = step(conn, 5)
    assert frame["step"] == 6 and state["step"] == 6
    assert losses(frame) == pytest.approx(engine_losses({"runs": TWO_RUNS}, 6), rel=1e-12)


# --- play, pause, reset ---------------------------------------------------------------------------------------

def test_play_streams_frames_with_increasing_steps_and_all_runs_in_lockstep(open_session):
    conn, _ = open_session()
    configure(conn, runs=TWO_RUNS, speed=300, frame_rate=30)
    conn.send_json({"type": "play"})
    assert conn.recv_type("state")["playing"] is True
    frames, blobs = [], []
    deadline = time.monotonic() + 0.8
    while time.monotonic() < deadline:
        message = conn.recv(2.0)
        if message.kind == "bytes":
            blobs.append(message.data)
        elif message.json()["type"] == "frame":
            frames.append(message.json())
    conn.send_json({"type": "pause"})
    on_the_way: list = []
    paused = conn.recv_type("state", seen=on_the_way)
    frames += [m for m in on_the_way if m["type"] == "frame"]
    assert paused["playing"] is False
    assert len(frames) >= 5, f"about 30 frames/s expected, got {len(frames)} in 0.8 s"
    steps = [f["step"] for f in frames]
    assert steps == sorted(steps) and len(set(steps)) == len(steps), f"steps must increase: {steps}"
    assert steps[-1] > 20, "at 300 steps/s, 0.8 s is far more than 20 steps"
    assert all([r["id"] for r in f["runs"]] == ["a", "b"] for f in frames)
    # Boundary grids of one step come for every run: the runs move together.
    by_step: dict[int, set[int]] = {}
    for blob in blobs:
        step_no, run_index = int.from_bytes(blob[4:8], "little"), int.from_bytes(blob[8:10], "little")
        by_step.setdefault(step_no, set()).add(run_index)
    assert by_step and all(runs == {0, 1} for runs in by_step.values()), by_step
    # Both runs of the paused frame are exactly where the engine puts them after that many steps.
    after = [m.json() for m in conn.drain(0.2) if m.kind == "text"]
    final_frame = ([m for m in after if m["type"] == "frame"] or frames)[-1]
    assert final_frame["step"] == paused["step"]
    assert losses(final_frame) == pytest.approx(engine_losses({"runs": TWO_RUNS}, paused["step"]), rel=1e-12)


def test_pause_stops_the_step_count(open_session):
    conn, _ = open_session()
    configure(conn, runs=TWO_RUNS, speed=500)
    conn.send_json({"type": "play"})
    conn.recv_until(lambda m: m["type"] == "frame" and m["step"] > 10)
    conn.send_json({"type": "pause"})
    paused = conn.recv_type("state")
    assert paused["playing"] is False
    time.sleep(0.3)
    late = [m.json() for m in conn.drain(0.1) if m.kind == "text"]
    assert all(m["step"] == paused["step"] for m in late if m["type"] == "frame"), late
    conn.send_json({"type": "set", "frame_rate": 25})
    again = conn.recv_type("state")
    assert again["step"] == paused["step"] and again["playing"] is False


def test_reset_goes_back_to_step_0_with_the_first_frames_loss(open_session):
    conn, _ = open_session()
    _, _, first = configure(conn, runs=TWO_RUNS)
    frame, _ = step(conn, 20)
    assert losses(frame) != losses(first)
    conn.send_json({"type": "reset"})
    state = conn.recv_type("state")
    again = conn.recv_type("frame")
    assert state["step"] == 0 and again["step"] == 0
    assert losses(again) == losses(first)
    assert again == first, "the whole step-0 frame comes back, number for number"
    frame_after, _ = step(conn, 20)
    assert losses(frame_after) == losses(frame), "and the same steps give the same numbers again"


def test_the_same_configure_on_two_connections_gives_identical_frames_at_step_10(open_session):
    conn1, _ = open_session()
    transport = open_session.transports[-1]
    conn2 = transport.open()
    conn2.recv_type("hello")
    config = {"runs": TWO_RUNS + [{"id": "c", "kind": "softmax_mse"}], "network": {"hidden_layers": [5, 3],
              "seed": 7}, "dataset": {"name": "xor"}}
    configure(conn1, **config)
    configure(conn2, **config)
    frame1, _ = step(conn1, 10)
    frame2, _ = step(conn2, 10)
    assert frame1["step"] == frame2["step"] == 10
    assert frame1 == frame2


def test_every_run_starts_from_the_same_hidden_weights():
    config = {"runs": [{"id": kind[:16], "kind": kind} for kind in OUTPUT_KINDS],
              "network": {"hidden_layers": [6, 4], "seed": 3}, "dataset": {"name": "moons"}}
    runs = engine_experiment(config).runs
    assert len(runs) == len(OUTPUT_KINDS)
    for run in runs[1:]:
        for layer in range(len(runs[0].net.W)):
            np.testing.assert_array_equal(run.net.W[layer], runs[0].net.W[layer])
            np.testing.assert_array_equal(run.net.b[layer], runs[0].net.b[layer])


def test_step_0_outputs_differ_only_by_the_output_activation(open_session):
    """Same weights, so the same z: softmax(z) of run b is softmax(logit(sigmoid(z))) of run a."""
    conn, _ = open_session()
    _, _, frame = configure(conn, runs=TWO_RUNS, network={"seed": 4})
    a = np.array(frame["runs"][0]["outputs"])
    b = np.array(frame["runs"][1]["outputs"])
    z = np.log(a / (1 - a))
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(b, softmax, rtol=5e-6)  # frames carry 7 significant digits


# --- set, history, gradcheck ------------------------------------------------------------------------------------

def test_set_learning_rate_speed_frame_rate_and_example_are_answered_with_state(open_session):
    conn, _ = open_session()
    configure(conn, runs=TWO_RUNS)
    conn.send_json({"type": "set", "learning_rate": 2.0, "run": "b"})
    assert conn.recv_type("state")["step"] == 0
    conn.send_json({"type": "set", "speed": 250})
    assert conn.recv_type("state")["speed"] == 250
    conn.send_json({"type": "set", "speed": "max"})
    assert conn.recv_type("state")["speed"] == "max"
    conn.send_json({"type": "set", "frame_rate": 12})
    state = conn.recv_type("state")
    assert state["frame_rate"] == 12 and state["speed"] == "max"
    conn.send_json({"type": "set", "example": 1})
    assert conn.recv_type("state")["step"] == 0
    frame = conn.recv_type("frame")
    assert frame["step"] == 0 and all(r["output"]["example"] == 1 for r in frame["runs"])
    # The new learning rate took effect for run b only.
    stepped, _ = step(conn, 3)
    exp = engine_experiment({"runs": TWO_RUNS})
    exp.set_learning_rate(2.0, "b")
    exp.advance(3, 60.0)
    assert losses(stepped) == pytest.approx({r["id"]: r["loss"] for r in exp.frame().model_dump()["runs"]}, rel=1e-12)
    assert losses(stepped)["a"] == pytest.approx(engine_losses({"runs": TWO_RUNS}, 3)["a"], rel=1e-12)


def test_reset_keeps_the_learning_rate_set_during_the_session(open_session):
    """Reset starts over from the same weights with the session's settings: the example, the speed and the
    frame rate survive a reset, and so must a learning rate changed with `set` (no message says it changed)."""
    conn, _ = open_session()
    configure(conn, runs=TWO_RUNS)
    conn.send_json({"type": "set", "learning_rate": 2.0, "speed": 90})
    conn.recv_type("state")
    conn.send_json({"type": "set", "example": 1})
    conn.recv_type("frame")
    conn.send_json({"type": "reset"})
    state = conn.recv_type("state")
    assert state["speed"] == 90
    assert conn.recv_type("frame")["runs"][0]["output"]["example"] == 1
    frame, _ = step(conn, 3)
    exp = engine_experiment({"runs": TWO_RUNS, "example": 1})
    exp.set_learning_rate(2.0)
    exp.advance(3, 60.0)
    assert losses(frame) == pytest.approx({r["id"]: r["loss"] for r in exp.frame().model_dump()["runs"]}, rel=1e-12), \
        "after reset the runs train with learning rate 2.0 as set, not the configured 0.5"


def test_set_with_an_unknown_run_id_is_an_error_naming_the_run_field(open_session):
    conn, _ = open_session()
    configure(conn, runs=TWO_RUNS)
    conn.send_json({"type": "set", "learning_rate": 0.1, "run": "zzz"})
    error = conn.recv_type("error", "state")
    assert error["type"] == "error"
    assert error["field"] == "run" and "zzz" in error["message"]


def test_history_lists_the_steps_and_every_runs_loss(open_session):
    conn, _ = open_session()
    _, _, first = configure(conn, runs=TWO_RUNS)
    frame, _ = step(conn, 5)
    conn.send_json({"type": "history"})
    history = conn.recv_type("history")
    assert history["runs"] == ["a", "b"]
    assert history["steps"] == [0, 1, 2, 3, 4, 5]  # the steps taken, then where the runs are now
    assert len(history["loss"]) == 6 and all(len(row) == 2 for row in history["loss"])
    assert history["loss"][0] == pytest.approx([first["runs"][0]["loss"], first["runs"][1]["loss"]], rel=1e-12)
    assert history["loss"][-1] == pytest.approx([frame["runs"][0]["loss"], frame["runs"][1]["loss"]], rel=1e-12)
    assert all(math.isfinite(v) for row in history["loss"] for v in row)


def test_gradcheck_sends_one_event_per_run_and_catches_the_elementwise_softmax_mistake(open_session):
    conn, _ = open_session()
    kinds = ["sigmoid_mse", "softmax_ce", "softmax_mse", "softmax_mse_elementwise"]
    runs = [{"id": f"r{i}", "kind": kind} for i, kind in enumerate(kinds)]
    configure(conn, runs=runs, dataset={"name": "xor"}, network={"hidden_layers": [4]})
    step(conn, 3)
    conn.send_json({"type": "gradcheck"})
    events = [conn.recv_type("event", timeout=10) for _ in kinds]
    assert all(e["event"] == "gradcheck" and e["step"] == 3 for e in events)
    assert [e["run"] for e in events] == [r["id"] for r in runs]
    worst = {e["run"]: max(layer["relative_error"] for layer in e["layers"]) for e in events}
    assert worst["r3"] > 1e-2, worst
    for run_id in ("r0", "r1", "r2"):
        assert worst[run_id] < 1e-5, worst
    assert [e["cause"] for e in events] == ["agrees", "agrees", "agrees", "wrong"]
    verdicts = {e["run"]: {layer["verdict"] for layer in e["layers"]} for e in events}
    assert "wrong" in verdicts["r3"] and verdicts["r0"] == verdicts["r1"] == verdicts["r2"] == {"agrees"}
    assert [m for m in conn.drain(0.15) if m.kind == "text"] == [], "one event per run, no more"
    conn.send_json({"type": "gradcheck", "run": "r1"})
    single = conn.recv_type("event")
    assert single["run"] == "r1" and conn.drain(0.15) == []


def test_a_layer_is_wrong_only_past_both_thresholds_of_the_rule_in_hello():
    """Relative error alone means nothing where both gradients are about zero (the review's #lr=100 case)."""
    from app.nn.gradcheck import LayerCheck
    from app.sessions.experiment import GRADCHECK_ABSOLUTE, GRADCHECK_RELATIVE, layer_verdict

    assert layer_verdict(LayerCheck(0, 6.9e-4, 2.9e-11), diverged=False) == "agrees"
    assert layer_verdict(LayerCheck(0, 6.9e-4, 2.9e-7), diverged=False) == "wrong"
    assert layer_verdict(LayerCheck(0, 1e-9, 1.0), diverged=False) == "agrees"
    assert layer_verdict(LayerCheck(0, 1.0, 1.0), diverged=True) == "not_meaningful"
    with TestClient(create_app(make_settings())) as client, client.websocket_connect("/ws") as ws:
        assert ws.receive_json()["gradcheck_rule"] == {"relative_error": GRADCHECK_RELATIVE,
                                                       "max_abs_difference": GRADCHECK_ABSOLUTE}


def test_the_gradient_check_of_a_diverged_run_is_not_meaningful(open_session):
    conn, _ = open_session()
    configure(conn, runs=[{"id": "a", "kind": "softmax_ce"}], optimizer={"name": "sgd", "learning_rate": 1e6},
              dataset={"name": "raw-pixels", "params": {"scaled": False}}, network={"hidden_activation": "linear"})
    step(conn, 3)
    conn.send_json({"type": "gradcheck"})
    event = conn.recv_type("event", timeout=10)
    while event["event"] != "gradcheck":
        event = conn.recv_type("event", timeout=10)
    assert {layer["verdict"] for layer in event["layers"]} == {"not_meaningful"}
    assert event["cause"] == "not_meaningful" and event["headline"] and event["detail"]


# --- speed and frame rate ---------------------------------------------------------------------------------------

def count_while_playing(conn, seconds: float) -> tuple[list[dict], dict]:
    """Play for `seconds`, then pause: the frames seen and the state that answers the pause."""
    conn.send_json({"type": "play"})
    assert conn.recv_type("state")["playing"] is True
    frames = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        message = conn.recv(2.0)
        if message.kind == "text" and message.json()["type"] == "frame":
            frames.append(message.json())
    conn.send_json({"type": "pause"})
    return frames, conn.recv_type("state")


def test_speed_is_steps_per_second_and_frame_rate_is_frames_per_second(open_session):
    conn, _ = open_session()
    configure(conn, runs=TWO_RUNS, speed=200, frame_rate=10)
    frames, paused = count_while_playing(conn, 1.0)
    assert 100 <= paused["step"] <= 300, f"speed 200 for 1 s gave {paused['step']} steps"
    assert 5 <= len(frames) <= 15, f"frame_rate 10 for 1 s gave {len(frames)} frames"


def test_at_max_speed_frames_still_come_at_the_frame_rate(open_session):
    conn, _ = open_session()
    configure(conn, runs=TWO_RUNS, speed="max", frame_rate=20)
    frames, paused = count_while_playing(conn, 1.0)
    assert paused["step"] > 1000, "max speed trains far faster than the default 60 steps/s"
    assert 5 <= len(frames) <= 27, f"frame_rate 20 for 1 s gave {len(frames)} frames"


# --- every option hello offers works in a session ---------------------------------------------------------------

ALL_KINDS = [{"id": kind[:16], "kind": kind} for kind in OUTPUT_KINDS]
OPTIONS = [
    *({"dataset": {"name": name}} for name in datasets.DATASETS),
    *({"network": {"hidden_activation": act, "hidden_layers": [5, 4]}} for act in
      ("sigmoid", "tanh", "relu", "leaky_relu", "linear")),
    *({"network": {"init": init}} for init in ("normal", "uniform", "xavier", "he")),
    *({"optimizer": {"name": opt, "learning_rate": 0.1}} for opt in ("sgd", "momentum", "adam")),
    {"network": {"hidden_layers": []}},
    {"network": {"dtype": "float32"}},
    {"dataset": {"name": "moons"}, "batch_size": 1},
    {"dataset": {"name": "blobs", "params": {"classes": 6}}, "batch_size": 7},
    {"batch_size": 1000},
    {"dataset": {"name": "near-twins", "params": {"eps": 0.0}}},
]


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: json.dumps(o, separators=(",", ":"))[:60])
def test_every_option_runs_steps_checks_and_resets_without_error(option):
    # A regression set trains the kinds with a linear output only (the others are refused at runs.N.kind).
    regression = datasets.DATASETS[option.get("dataset", {}).get("name", "two-points")].task == "regression"
    runs = [run for run in ALL_KINDS if not regression or RUN_KINDS[run["kind"]].activation == "linear"]
    with TestClient(create_app(make_settings(max_runs=len(ALL_KINDS)))) as client:
        conn = TestClientConn(client)
        try:
            conn.recv_type("hello")
            configured, _, _ = configure(conn, runs=runs, **option)
            seen: list = []
            conn.send_json({"type": "step", "count": 30})
            assert conn.recv_type("state", "error", seen=seen)["step"] == 30
            for message in ({"type": "history"}, {"type": "gradcheck"}, {"type": "set", "example": 1},
                            {"type": "reset"}):
                conn.send_json(message)
            conn.recv_until(lambda m: m["type"] == "frame" and m["step"] == 0, 30, seen=seen)
            assert not [m for m in seen if m["type"] == "error"], [m for m in seen if m["type"] == "error"]
            assert len([m for m in seen if m.get("event") == "gradcheck"]) == len(runs)
            assert next(m for m in seen if m["type"] == "history")["steps"][-1] == 30
            assert configured["layer_sizes"][0] == len(configured["inputs"][0])
        finally:
            conn.close()
