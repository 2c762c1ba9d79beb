"""The classic mistakes as live runs: kinds named `<pairing>_<mistake id>`, trained with the learner's backward pass.

The headline: on two-points, averaging the examples too early (examples_mixed) drives the outputs to the mean
label [0.5, 0.5] and keeps them there, while the right run from the same starting weights reaches the labels.
Measured (engine, sigmoid hidden layer, sigmoid + MSE, SGD η = 0.5): what is exact from any starting weights is
that the outputs *averaged over the two examples* go to [0.5, 0.5] and the labels are never reached; how close
each example's own outputs come to [0.5, 0.5] depends on the starting weights (3 hidden units, weight seed 1:
within 0.012 from step 150 on; 8 hidden units, seed 0: [0.573, 0.430] and [0.427, 0.570]).
"""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.nn import MISTAKES, RUN_KINDS, Network, OutputLayer, Trainer, make_optimizer, mistake_applies
from app.nn.diagnostics import MEAN_LABEL_TOLERANCE
from app.nn.mistakes import backward_under
from app.nn.run_kinds import NEEDS_HIDDEN_LAYER, PAIRINGS
from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import CONVERGED_ERROR, Experiment
from app.web.app import create_app
from lab_settings import make_settings
from live_server import Transport, hello_conn_fixture

TWO_POINTS_X = np.array([[1.0, 0.0], [0.0, 1.0]])
TWO_POINTS_Y = np.array([[1.0, 0.0], [0.0, 1.0]])
MISTAKE_KINDS = [kind for kind, spec in RUN_KINDS.items() if spec.mistake]
TRAINED_MISTAKE_KINDS = [kind for kind, spec in RUN_KINDS.items() if spec.trained_mistake]
HEADLINE = {"dataset": {"name": "two-points"},
            "network": {"hidden_layers": [3], "hidden_activation": "sigmoid", "init": "normal", "seed": 1},
            "optimizer": {"name": "sgd", "learning_rate": 0.5},
            "runs": [{"id": "right", "kind": "sigmoid_mse"}, {"id": "mixed", "kind": "sigmoid_mse_examples_mixed"}]}


def two_points_trainer(kind: str, hidden: list[int], seed: int, optimizer: str = "sgd",
                       learning_rate: float = 0.5, activation: str = "sigmoid") -> Trainer:
    spec = RUN_KINDS[kind]
    net = Network.create([2, *hidden, 2], activation, OutputLayer.from_kind(kind), "normal", seed=seed)
    return Trainer(net, TWO_POINTS_X, TWO_POINTS_Y, make_optimizer(optimizer, learning_rate),
                   mistake=spec.trained_mistake)


# --- the kinds ----------------------------------------------------------------------------------------------

def test_every_trainable_mistake_is_a_kind_on_each_pairing_where_it_can_happen():
    expected = {f"{pairing}_{mistake}" for pairing in PAIRINGS
                for mistake in ("examples_mixed", "hidden_derivative_missing", "sign_flipped", "stale_output_weights",
                                "sum_not_mean", "bias_gradient_missing")}
    expected |= {"sigmoid_mse_derivative_of_output", "sigmoid_bce_sigmoid_prime_kept", "softmax_ce_sigmoid_prime_kept",
                 "softmax_mse_elementwise"}
    assert set(MISTAKE_KINDS) == expected
    for kind in MISTAKE_KINDS:
        spec = RUN_KINDS[kind]
        net = Network.create([2, 3, 2], "sigmoid", OutputLayer.from_kind(spec.right_kind), seed=0)
        assert mistake_applies(spec.mistake, net), kind
        assert RUN_KINDS[spec.right_kind].mistake is None
        assert (RUN_KINDS[spec.right_kind].activation, RUN_KINDS[spec.right_kind].loss) == (spec.activation, spec.loss)


# --- the trainer ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("kind", TRAINED_MISTAKE_KINDS)
def test_one_trainer_step_is_one_update_with_backward_unders_gradients(kind, optimizer):
    trainer = two_points_trainer(kind, [3], seed=4, optimizer=optimizer, learning_rate=0.3)
    net = trainer.net
    before = net.copy()
    deltas, grad_W, grad_b = backward_under(before, before.forward(TWO_POINTS_X), TWO_POINTS_Y,
                                            RUN_KINDS[kind].mistake, learning_rate=0.3)
    expected = before.copy()
    make_optimizer(optimizer, 0.3).update(expected.parameters, [g for pair in zip(grad_W, grad_b) for g in pair])

    result = trainer.step()
    for layer in range(2):
        np.testing.assert_allclose(result.backward.deltas[layer], deltas[layer], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(net.W[layer], expected.W[layer], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(net.b[layer], expected.b[layer], rtol=1e-13, atol=1e-15)
    right = two_points_trainer(RUN_KINDS[kind].right_kind, [3], seed=4, optimizer=optimizer, learning_rate=0.3)
    right.step()
    assert not np.allclose(right.net.theta, net.theta, rtol=1e-9, atol=0), "the mistake changes the update"


def test_examples_mixed_drives_two_points_to_half_and_keeps_it_there_while_the_right_run_reaches_the_labels():
    mixed = two_points_trainer("sigmoid_mse_examples_mixed", [3], seed=1)
    right = two_points_trainer("sigmoid_mse", [3], seed=1)
    assert np.array_equal(mixed.net.theta, right.net.theta)
    farthest = 0.0
    for step in range(5000):
        mixed.step()
        right.step()
        if step >= 150:
            farthest = max(farthest, float(np.abs(mixed.net.predict(TWO_POINTS_X) - 0.5).max()))
    assert farthest < MEAN_LABEL_TOLERANCE  # both examples answer about [0.5, 0.5] from step 150 to 5000
    assert np.abs(right.net.predict(TWO_POINTS_X) - TWO_POINTS_Y).max() < CONVERGED_ERROR


@pytest.mark.parametrize("seed", range(6))
def test_from_any_starting_weights_examples_mixed_averages_the_mean_label_and_never_reaches_the_labels(seed):
    mixed = two_points_trainer("sigmoid_mse_examples_mixed", [8], seed=seed)
    right = two_points_trainer("sigmoid_mse", [8], seed=seed)
    for _ in range(3000):
        mixed.step()
        right.step()
    outputs = mixed.net.predict(TWO_POINTS_X)
    np.testing.assert_allclose(outputs.mean(axis=0), [0.5, 0.5], atol=1e-3)  # its rest point: mean δ = 0
    assert np.abs(outputs - TWO_POINTS_Y).max() > 0.35
    assert np.abs(right.net.predict(TWO_POINTS_X) - TWO_POINTS_Y).max() < CONVERGED_ERROR


@pytest.mark.parametrize("seed", range(6))
def test_under_examples_mixed_the_first_layer_never_learns_to_tell_two_points_apart(seed):
    """Why the examples' outputs cannot be pulled apart: the mean input is [0.5, 0.5], so both columns of W0 get
    the same update and the gap between the examples' first-layer sums z stays what it was at step 0."""
    mixed = two_points_trainer("sigmoid_mse_examples_mixed", [8], seed=seed)
    start = mixed.net.forward(TWO_POINTS_X).zs[0]
    for _ in range(1000):
        mixed.step()
    now = mixed.net.forward(TWO_POINTS_X).zs[0]
    np.testing.assert_allclose(now[0] - now[1], start[0] - start[1], rtol=0, atol=1e-12)
    assert np.abs(now - start).max() > 0.1  # the sums themselves moved


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
# The squashing outputs; linear + MSE's (unbounded, another rate) is measured in tests/test_sessions_regression.py.
@pytest.mark.parametrize("kind", [kind for kind, spec in RUN_KINDS.items()
                                  if spec.mistake == "examples_mixed" and spec.activation != "linear"])
def test_what_the_examples_mixed_sentence_says_holds_for_every_pairing_and_hidden_activation(kind, activation):
    """MISTAKES["examples_mixed"].sentence, measured: for any hidden units both columns of W0 get the same update,
    so the first-layer sums keep their starting gap; only with sigmoid hidden units does training stop with the
    averaged outputs at [0.5, 0.5], short of the labels (tanh + softmax_ce reaches them, seeds 0 and 2)."""
    reached = []
    for seed in range(4):
        mixed = two_points_trainer(kind, [8], seed, activation=activation)
        W0, start = mixed.net.W[0].copy(), mixed.net.forward(TWO_POINTS_X).zs[0]
        closest = np.inf
        for step in range(3000):
            mixed.step()
            if step % 100 == 99:
                closest = min(closest, np.abs(mixed.net.predict(TWO_POINTS_X) - TWO_POINTS_Y).max())
        moved, now = mixed.net.W[0] - W0, mixed.net.forward(TWO_POINTS_X).zs[0]
        np.testing.assert_allclose(moved[:, 0], moved[:, 1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(now[0] - now[1], start[0] - start[1], rtol=0, atol=1e-12)
        reached.append(bool(closest < CONVERGED_ERROR))
        if activation == "sigmoid":
            outputs = mixed.net.predict(TWO_POINTS_X)
            np.testing.assert_allclose(outputs.mean(axis=0), [0.5, 0.5], atol=MEAN_LABEL_TOLERANCE)
    if activation == "sigmoid":
        assert not any(reached)
    if (kind, activation) == ("softmax_ce_examples_mixed", "tanh"):
        assert reached[0] and reached[2]  # why the sentence says "with sigmoid hidden units"


def default_two_points(kinds: tuple[str, ...], steps: int, dataset: dict | None = None) -> list:
    """The dashboard's default network (8 sigmoid hidden units, weight seed 0, SGD 0.5) through the engine."""
    config = ExperimentConfig.model_validate({
        "dataset": dataset or {"name": "two-points"}, "network": {"hidden_layers": [8], "hidden_activation": "sigmoid", "seed": 0},
        "optimizer": {"name": "sgd", "learning_rate": 0.5},
        "runs": [{"id": f"r{i}", "kind": kind} for i, kind in enumerate(kinds)]})
    exp = Experiment(config, check_limits(config, make_settings()))
    found = []
    while exp.step < steps:
        found += exp.advance(500, 60.0)
    return found


def test_the_default_mixed_run_stuck_short_of_the_labels_is_diagnosed_with_its_mistake():
    """Its outputs stop at [0.573, 0.430] and [0.427, 0.570]: not every output at the mean label, only their
    average. It is reported once its loss is flat and its own step has shrunk where the right step has not."""
    found = default_two_points(("sigmoid_mse", "sigmoid_mse_examples_mixed"), 1500)
    collapsed = [e for e in found if e.event == "collapsed"]
    assert [(e.run, e.cause) for e in collapsed] == [("r1", "examples_mixed")]
    event = collapsed[0]
    assert event.step <= 500 and [c.id for c in event.causes] == ["examples_mixed"]
    assert "[0.5, 0.5]" in event.detail  # the averaged outputs, with their numbers
    assert event.suggestion == MISTAKES["examples_mixed"].fix
    assert [e.run for e in found if e.event == "converged"] == ["r0"]


def test_a_mistake_run_on_a_plateau_the_right_run_shares_is_not_blamed_for_it():
    """sum_not_mean steps N times too far, in the right direction: on near-twins both runs sit at [0.5, 0.5] for
    thousands of steps, because the inputs are nearly identical, not because of the mistake."""
    found = default_two_points(("sigmoid_mse", "sigmoid_mse_sum_not_mean"), 1500,
                               {"name": "near-twins", "params": {"eps": 0.01}})
    assert [e for e in found if e.event == "collapsed"] == []
    assert {(e.run, e.cause) for e in found if e.event == "plateau"} == {("r0", "nearly_identical_inputs"),
                                                                         ("r1", "nearly_identical_inputs")}


def experiment_events(dataset: dict, hidden: list[int], seed: int, kinds: list[str], steps: int) -> list:
    """The events of runs of these kinds from the same starting weights (SGD 0.5), each run id set to its kind."""
    config = ExperimentConfig.model_validate({
        "dataset": dataset, "network": {"hidden_layers": hidden, "hidden_activation": "sigmoid", "seed": seed},
        "optimizer": {"name": "sgd", "learning_rate": 0.5},
        "runs": [{"id": f"r{i}", "kind": kind} for i, kind in enumerate(kinds)]})
    exp = Experiment(config, check_limits(config, make_settings()))
    found = []
    while exp.step < steps:
        found += exp.advance(500, 60.0)
    return [e.model_copy(update={"run": kinds[int(e.run[1:])]}) for e in found]


NO_LINE_RUNS = [(pairing, seed, kinds[i:i + 4]) for pairing in PAIRINGS for seed in (0, 2)
                for kinds in [[k for k in MISTAKE_KINDS if RUN_KINDS[k].right_kind == pairing
                               and RUN_KINDS[k].unfit(False) is None and RUN_KINDS[k].mistake != "sign_flipped"]]
                for i in range(0, len(kinds), 4)]


@pytest.mark.parametrize("pairing, seed, kinds", NO_LINE_RUNS)
def test_xor_with_no_hidden_layer_stops_every_mistake_run_on_the_line_first_as_it_stops_the_right_run(
        pairing, seed, kinds):
    """The right run stops at the mean label (loss 1.386 for BCE at seed 2); a mistake run that stalls on the way,
    before its outputs reach the mean label, stalls for the same reason: no straight line separates XOR."""
    found = experiment_events({"name": "xor"}, [], seed, [pairing, *kinds], 1000)
    collapsed = {e.run: e for e in found if e.event == "collapsed"}
    assert collapsed[pairing].cause == "not_linearly_separable"
    assert set(collapsed) - {pairing}, "no mistake run stalled: the test shows nothing"
    for kind, event in collapsed.items():
        assert event.cause == "not_linearly_separable", (kind, event.headline)
        assert [c.id for c in event.causes][-1] == RUN_KINDS[kind].mistake or kind == pairing


def test_a_mistake_run_stalling_on_nearly_identical_inputs_names_them_before_its_mistake():
    found = experiment_events({"name": "near-twins", "params": {"eps": 0.01}}, [8], 0,
                              ["softmax_ce", "softmax_ce_sigmoid_prime_kept", "softmax_ce_examples_mixed"], 1000)
    collapsed = {e.run: [c.id for c in e.causes] for e in found if e.event == "collapsed"}
    assert collapsed == {"softmax_ce_sigmoid_prime_kept": ["nearly_identical_inputs", "sigmoid_prime_kept"],
                         "softmax_ce_examples_mixed": ["nearly_identical_inputs", "examples_mixed"]}


@pytest.mark.parametrize("seed", (0, 2))
@pytest.mark.parametrize("dataset, hidden", [("two-points", [3]), ("xor", [4]), ("blobs", [8])])
def test_where_the_right_run_learns_a_stalled_mixed_run_is_blamed_on_its_mistake(dataset, hidden, seed):
    found = experiment_events({"name": dataset}, hidden, seed, ["softmax_ce", "softmax_ce_examples_mixed"], 1000)
    assert [e.run for e in found if e.event == "converged"] == ["softmax_ce"]
    assert [(e.run, e.cause) for e in found if e.event == "collapsed"] == [("softmax_ce_examples_mixed",
                                                                           "examples_mixed")]


def test_a_frame_gives_each_layers_mean_delta_beside_the_runs_own_bias_gradient():
    """The code view's ‖mean δ‖ (BP2) comes from delta_mean_norm, not from ∂C/∂b, which bias_gradient_missing
    leaves at zero and sum_not_mean makes N times too large. δ here is computed by hand: 2-3-2 sigmoid + MSE."""
    config = ExperimentConfig.model_validate({**HEADLINE, "runs": [
        {"id": "right", "kind": "sigmoid_mse"}, {"id": "nobias", "kind": "sigmoid_mse_bias_gradient_missing"},
        {"id": "summed", "kind": "sigmoid_mse_sum_not_mean"}]})
    exp = Experiment(config, check_limits(config, make_settings()))
    net = exp.runs[0].net
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    hidden = sigmoid(TWO_POINTS_X @ net.W[0].T + net.b[0])
    out = sigmoid(hidden @ net.W[1].T + net.b[1])
    delta1 = (out - TWO_POINTS_Y) * out * (1 - out)
    delta0 = (delta1 @ net.W[1]) * hidden * (1 - hidden)
    means = [np.linalg.norm(delta0.mean(axis=0)), np.linalg.norm(delta1.mean(axis=0))]
    right, nobias, summed = exp.frame().runs
    for run in (right, nobias, summed):
        np.testing.assert_allclose([layer.delta_mean_norm for layer in run.layers], means, rtol=1e-12)
    np.testing.assert_allclose([layer.grad_b_norm for layer in right.layers], means, rtol=1e-12)
    assert [layer.grad_b_norm for layer in nobias.layers] == [0.0, 0.0]
    np.testing.assert_allclose([layer.grad_b_norm for layer in summed.layers], np.multiply(means, 2), rtol=1e-12)


# --- over the socket ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def transport(tmp_path_factory):
    database = tmp_path_factory.mktemp("store") / "models.db"
    transport = Transport("uvicorn", create_app(make_settings(database_url=f"sqlite:///{database}")))
    yield transport
    transport.close()


conn = hello_conn_fixture()


def configure(conn, config: dict) -> dict:
    conn.send_json({"type": "configure", **config})
    return conn.recv_type("frame")


def step(conn, count: int, seen: list) -> dict:
    """Step; every message up to the state that ends it lands in `seen`; the last frame."""
    conn.send_json({"type": "step", "count": count})
    conn.recv_type("state", seen=seen)
    return [m for m in seen if m["type"] == "frame"][-1]


def test_hello_lists_each_mistake_kind_with_its_mistake_and_right_kind(conn):
    kinds = conn.hello["run_kinds"]
    assert set(kinds) == set(RUN_KINDS)
    for kind in MISTAKE_KINDS:
        spec = RUN_KINDS[kind]
        assert kinds[kind]["mistake"] == spec.mistake and spec.mistake in MISTAKES
        assert kinds[kind]["right_kind"] == spec.right_kind
        assert (kinds[kind]["output_activation"], kinds[kind]["loss"]) == (spec.activation, spec.loss)
        assert kinds[kind]["label"] != kinds[spec.right_kind]["label"]
    for right in PAIRINGS:
        assert kinds[right]["mistake"] is None and kinds[right]["right_kind"] == right


def test_the_mixed_run_collapses_with_its_mistake_as_the_cause_and_the_right_run_reaches_the_labels(conn):
    configure(conn, HEADLINE)
    seen: list = []
    frame = step(conn, 800, seen)
    events = [m for m in seen if m["type"] == "event"]
    collapsed = [e for e in events if e["event"] == "collapsed"]
    assert [(e["run"], e["cause"]) for e in collapsed] == [("mixed", "examples_mixed")]
    assert collapsed[0]["causes"][0]["id"] == "examples_mixed"
    assert [e["run"] for e in events if e["event"] == "converged"] == ["right"]
    runs = {run["id"]: run for run in frame["runs"]}
    assert np.abs(np.array(runs["mixed"]["outputs"]) - 0.5).max() < MEAN_LABEL_TOLERANCE
    assert runs["right"]["max_error"] < CONVERGED_ERROR


@pytest.mark.parametrize("first", range(0, len(MISTAKE_KINDS), 5))
def test_every_mistake_kind_trains_over_the_socket_and_its_frames_say_its_kind(conn, first):
    kinds = MISTAKE_KINDS[first:first + 5]
    config = {"dataset": {"name": "moons"}, "network": {"hidden_layers": [4]},
              "runs": [{"id": f"r{i}", "kind": kind} for i, kind in enumerate(kinds)]}
    configure(conn, config)
    seen: list = []
    frame = step(conn, 20, seen)
    assert not [m for m in seen if m["type"] == "error"], seen
    assert frame["step"] == 20
    assert [run["kind"] for run in frame["runs"]] == kinds
    # An unbounded (linear) output under a climbing or N-times-too-large step blows up within these 20 steps.
    blows_up = {"linear_mse_sign_flipped", "linear_mse_sum_not_mean"}
    assert all(run["status"] == "training" and run["loss"] is not None or run["kind"] in blows_up
               for run in frame["runs"])


def test_a_mistake_runs_frame_shows_the_learners_delta(conn):
    frame = configure(conn, {**HEADLINE, "runs": [{"id": "flip", "kind": "sigmoid_mse_sign_flipped"},
                                                  {"id": "right", "kind": "sigmoid_mse"}]})
    net = Network.create([2, 3, 2], "sigmoid", OutputLayer("sigmoid", "mse"), "normal", seed=1)
    fwd = net.forward(TWO_POINTS_X)
    learner = backward_under(net, fwd, TWO_POINTS_Y, "sign_flipped")[0][-1]
    flip, right = frame["runs"]
    np.testing.assert_allclose(flip["output"]["delta"], learner, rtol=1e-6)
    np.testing.assert_allclose(right["output"]["delta"], -learner, rtol=1e-6)


def test_a_climbing_sign_flipped_run_stops_with_a_diverged_event_naming_the_mistake(conn):
    configure(conn, {**HEADLINE, "runs": [{"id": "flip", "kind": "sigmoid_mse_sign_flipped"},
                                          {"id": "right", "kind": "sigmoid_mse"}]})
    seen: list = []
    frame = step(conn, 200, seen)
    diverged = [m for m in seen if m["type"] == "event" and m["event"] == "diverged"]
    assert [(e["run"], e["cause"]) for e in diverged] == [("flip", "sign_flipped")]
    assert [run["status"] for run in frame["runs"]] == ["diverged", "training"]


@pytest.mark.parametrize("mistake", NEEDS_HIDDEN_LAYER)
def test_a_kind_that_needs_a_hidden_layer_gets_a_configure_error_without_one(conn, mistake):
    conn.send_json({"type": "configure", "network": {"hidden_layers": []},
                    "runs": [{"id": "a", "kind": "sigmoid_mse"}, {"id": "b", "kind": f"softmax_ce_{mistake}"}]})
    error = conn.recv_type("error", "configured")
    assert error["type"] == "error" and error["field"] == "runs.1.kind"
    frame = configure(conn, {"runs": [{"id": "b", "kind": f"softmax_ce_{mistake}"}]})  # still open
    assert frame["runs"][0]["kind"] == f"softmax_ce_{mistake}"


def test_a_mistake_run_saves_and_reloads_with_its_kind(conn, transport):
    configure(conn, HEADLINE)
    step(conn, 30, [])
    conn.send_json({"type": "save", "run": "mixed"})
    saved = conn.recv_type("saved")["model"]
    assert saved["kind"] == "sigmoid_mse_examples_mixed"
    assert "sigmoid_mse_examples_mixed" in saved["name"]  # the default name says it was trained with the mistake
    with TestClient(transport.app) as client:
        stored = client.get(f"/api/models/{saved['id']}").json()
        listed = client.get("/api/models").json()
    assert stored["kind"] == "sigmoid_mse_examples_mixed"
    assert any(m["id"] == saved["id"] and m["kind"] == "sigmoid_mse_examples_mixed" for m in listed["items"])


def test_a_gradient_check_of_a_mistake_run_checks_the_learners_backprop(conn):
    configure(conn, HEADLINE)
    step(conn, 10, [])
    conn.send_json({"type": "gradcheck"})
    seen: list = []
    conn.recv_until(lambda m: len([e for e in seen if e.get("event") == "gradcheck"]) == 2, seen=seen)
    verdicts = {e["run"]: e["cause"] for e in seen if e.get("event") == "gradcheck"}
    assert verdicts == {"right": "agrees", "mixed": "wrong"}


def test_a_paused_rate_change_refreshes_the_frame_of_a_run_whose_delta_depends_on_the_rate(conn):
    """stale_output_weights sends δ back through W − η ∂C/∂W: a new η while paused is a new δ at the same step."""
    from app.nn import from_document
    from app.nn.mistakes import backward_under

    conn.send_json({"type": "configure", "runs": [{"id": "stale", "kind": "softmax_ce_stale_output_weights"}]})
    configured = conn.recv_type("configured")
    conn.recv_type("frame")
    before = step(conn, 3, [])
    conn.send_json({"type": "set", "learning_rate": 7.0})
    after = conn.recv_type("frame")
    assert after["step"] == before["step"] == 3
    conn.send_json({"type": "model", "run": "stale"})
    net = from_document(conn.recv_type("model")["model"])
    X, Y = np.array(configured["inputs"]), np.array(configured["labels"])
    _, grad_W, _ = backward_under(net, net.forward(X), Y, "stale_output_weights", learning_rate=7.0)
    shown = after["runs"][0]["layers"][0]["grad_W_norm"]
    assert shown == pytest.approx(float(np.linalg.norm(grad_W[0])), rel=1e-6)
    assert shown != pytest.approx(before["runs"][0]["layers"][0]["grad_W_norm"], rel=1e-6)
