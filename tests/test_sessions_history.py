"""The loss history: every step up to its capacity, then every other kept step, and so on; what each row's loss is
measured on; and the `history` reply's size at the cap, within the answers' bound."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import Experiment
from app.sessions.history import BLOCK, CAPACITY, DecimatedHistory
from app.settings import HOSTED
from app.web import protocol as p
from app.web.bounds import BYTES_FIXED, json_bytes
from app.web.app import create_app
from app.web.live.commands import history_reply
from lab_settings import make_settings
from live_server import Transport

FIVE_RUNS = [{"id": f"run-{i}", "kind": kind} for i, kind in enumerate(
    ["sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse", "sigmoid_mse_examples_mixed"])]


def filled(capacity: int, steps: int, width: int = 2) -> DecimatedHistory:
    """A history of `steps` steps whose row at step s is [s, -s, ...]: each value says which step it came from."""
    history = DecimatedHistory(capacity)
    for step in range(steps):
        history.record(step, [float(step * (-1) ** c) for c in range(width)])
    return history


def experiment(batch_size: int | None = 10, test_fraction: float = 0.25, runs=FIVE_RUNS) -> Experiment:
    config = ExperimentConfig.model_validate({"dataset": {"name": "blobs", "test_fraction": test_fraction},
                                              "network": {"hidden_layers": [4]}, "runs": runs,
                                              "batch_size": batch_size})
    return Experiment(config, check_limits(config, make_settings()))


def test_the_history_keeps_every_step_up_to_its_capacity():
    history = filled(capacity=8, steps=8)
    assert history.stride == 1
    assert history.steps.tolist() == list(range(8))
    assert history.values[:, 0].tolist() == list(range(8))
    assert history.values[:, 1].tolist() == [-s for s in range(8)]


def test_past_its_capacity_the_history_keeps_every_other_step_then_every_fourth():
    history = filled(capacity=8, steps=9)
    assert (history.stride, history.steps.tolist()) == (2, [0, 2, 4, 6, 8])
    assert history.values[:, 0].tolist() == [0, 2, 4, 6, 8]  # each row still holds its own step's values
    history = filled(capacity=8, steps=17)
    assert (history.stride, history.steps.tolist()) == (4, [0, 4, 8, 12, 16])
    assert history.values[:, 1].tolist() == [0, -4, -8, -12, -16]


@pytest.mark.parametrize("steps", [1, 7, 8, 9, 15, 16, 17, 100, 1000])
def test_the_history_never_holds_more_rows_than_its_capacity(steps):
    history = filled(capacity=8, steps=steps)
    assert 0 < len(history.values) <= 8
    assert history.steps.tolist() == list(range(0, steps, history.stride))


def test_a_missing_number_is_kept_as_none():
    history = DecimatedHistory()
    history.record(0, [0.5, None])
    history.record(1, [0.25, None])
    assert history.rows() == ([0, 1], [[0.5, None], [0.25, None]])


def test_the_history_grows_in_blocks_and_stays_under_a_megabyte_at_its_cap_with_five_runs_and_test_losses():
    width = 10  # 5 runs' losses and their test losses
    history = filled(CAPACITY, 1, width)
    assert history.nbytes == BLOCK * width * 8  # a short run holds one block
    history = filled(CAPACITY, CAPACITY, width)
    assert history.stride == 1 and len(history.values) == CAPACITY
    assert history.nbytes == CAPACITY * width * 8 == 800_000
    history.record(CAPACITY, [0.0] * width)
    assert history.stride == 2 and history.nbytes == 800_000  # decimating needs no more memory


def test_with_mini_batches_each_step_taken_has_its_batch_loss_and_the_current_step_the_training_sets():
    exp = experiment(batch_size=10)
    exp.advance(12, 60.0)
    reply = history_reply(exp)
    assert reply.steps == list(range(13)) and reply.stride == 1
    assert reply.measured_on == ["batch"] * 12 + ["training_set"]
    # Step 0's batch, drawn as the trainer draws it: the first slice of the examples shuffled with the seed.
    start = exp.restarted()
    order = np.arange(len(start.X))
    np.random.default_rng(exp.config.network.seed).shuffle(order)
    batch = order[:10]
    for r, run in enumerate(start.runs):
        batch_loss = run.net.loss(run.net.forward(start.X[batch]), start.Y[batch])
        assert reply.loss[0][r] == pytest.approx(batch_loss, rel=1e-12)
        assert reply.loss[0][r] != pytest.approx(run.trainer.full_loss(), rel=1e-6)  # not the training set's
    assert reply.loss[-1] == pytest.approx(exp.current_losses(), rel=1e-12)


def test_full_batch_training_measures_every_row_on_the_training_set():
    exp = experiment(batch_size=None, test_fraction=0.0, runs=FIVE_RUNS[:2])
    exp.advance(5, 60.0)
    start = exp.restarted()
    reply = history_reply(exp)
    assert reply.measured_on == ["training_set"] * 6
    assert reply.loss[0] == pytest.approx([run.trainer.full_loss() for run in start.runs], rel=1e-12)
    assert reply.test_loss is None


def test_a_long_experiment_is_decimated_in_the_reply_with_its_stride():
    exp = experiment(batch_size=10, runs=FIVE_RUNS[:2])
    exp.history = DecimatedHistory(capacity=16)  # the same history, a smaller cap: 40 steps decimate it twice
    exp.advance(40, 60.0)
    reply = history_reply(exp)
    assert reply.stride == 4
    assert reply.steps == [*range(0, 40, 4), 40]
    assert reply.measured_on == ["batch"] * 10 + ["training_set"]
    tested = [step for step, row in zip(reply.steps, reply.test_loss) if row[0] is not None]
    assert tested == [0, 8, 16, 24, 32, 40]  # every 8 steps, on steps the history keeps


def test_the_reply_at_the_cap_with_five_runs_fits_the_hosted_answer_bound():
    """The largest reply: CAPACITY steps and the current one, every number as long as a float64 gets in JSON."""
    runs = HOSTED.get("max_runs", make_settings().max_runs)
    assert runs == 5
    longest = -1.2345678901234567e-308
    history = DecimatedHistory()
    for step in range(CAPACITY):
        history.record(step, [longest] * 2 * runs)
    steps, values = history.rows()
    steps.append(99_999_999)
    values.append(values[-1])
    reply = p.HistoryReply(runs=[f"run-{r:012d}" for r in range(runs)], steps=steps, stride=history.stride,
                           loss=[row[:runs] for row in values], measured_on=["training_set"] * len(steps),
                           test_loss=[row[runs:] for row in values])
    size = len(reply.model_dump_json())
    bound = json_bytes(len(steps) * (2 * runs + 1) + len(steps), 3 * len(steps)) + BYTES_FIXED
    assert size <= bound <= 3 * 2**20  # about 2.9 MB
    assert bound < HOSTED["max_response_bytes"]


def test_a_real_reply_at_the_cap_is_under_two_megabytes():
    """Five runs, mini-batches and a test part, trained to the cap: every step is there, in about 1.6 MB."""
    exp = experiment(batch_size=10)
    while exp.step < CAPACITY:
        exp.advance(CAPACITY - exp.step, 60.0)
    reply = history_reply(exp)
    assert reply.stride == 1 and reply.steps == list(range(CAPACITY + 1))
    text = reply.model_dump_json()
    assert len(text) < 2 * 10**6
    assert json.loads(text)["measured_on"].count("batch") == CAPACITY


def test_the_history_reply_over_the_socket_says_its_stride_and_what_each_loss_is_measured_on():
    transport = Transport("testclient", create_app(make_settings()))
    try:
        conn = transport.open()
        conn.recv_type("hello")
        conn.send_json({"type": "configure", "dataset": {"name": "blobs"}, "batch_size": 10, "runs": FIVE_RUNS[:2]})
        conn.recv_type("frame")
        conn.send_json({"type": "step", "count": 7})
        frame = conn.recv_type("frame")
        conn.send_json({"type": "history"})
        history = conn.recv_type("history")
    finally:
        transport.close()
    assert (history["steps"], history["stride"]) == (list(range(8)), 1)
    assert history["measured_on"] == ["batch"] * 7 + ["training_set"]
    assert history["loss"][-1] == pytest.approx([run["loss"] for run in frame["runs"]], rel=1e-12)  # as frames
