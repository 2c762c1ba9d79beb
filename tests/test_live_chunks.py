"""A training chunk may stop between two runs' updates (one lockstep step of a large experiment outlasts a chunk),
and the lockstep is restored by the next chunk: runs never drift more than one update apart, the history and the
weights are those of whole lockstep steps, and frames and boundary grids are built only where every run is at the
same step. Deterministic: a chunk of 0 seconds is past its deadline after its first update."""

from __future__ import annotations

import asyncio
import json
import math
import struct

import numpy as np
import pytest

from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import Experiment
from app.web.live.session import LiveSession
from lab_settings import make_settings

RUNS = [{"id": "ce", "kind": "softmax_ce"}, {"id": "mse", "kind": "sigmoid_mse"},
        {"id": "mixed", "kind": "softmax_ce_examples_mixed"}]


def experiment() -> Experiment:
    config = ExperimentConfig.model_validate({"dataset": {"name": "moons"}, "network": {"hidden_layers": [6]},
                                              "runs": RUNS})
    return Experiment(config, check_limits(config, make_settings()))


def updates(exp: Experiment) -> list[int]:
    return [run.trainer.steps for run in exp.runs]


def test_a_chunk_past_its_deadline_stops_after_one_run_and_the_next_ones_finish_the_step():
    exp = experiment()
    seen = []
    for _ in range(len(RUNS)):
        exp.advance(10, 0.0)
        seen.append((exp.step, exp.mid_step, updates(exp)))
    assert seen == [(0, True, [1, 0, 0]), (0, True, [1, 1, 0]), (1, False, [1, 1, 1])]


def test_runs_never_drift_more_than_one_update_apart():
    exp = experiment()
    for _ in range(40):
        exp.advance(10, 0.0)
        done = updates(exp)
        assert max(done) - min(done) <= 1
        assert min(done) == exp.step


def test_chunks_that_stop_between_runs_give_the_numbers_of_whole_steps():
    chunked, whole = experiment(), experiment()
    while chunked.step < 12:
        chunked.advance(10, 0.0)
    whole.advance(12, math.inf)
    assert (chunked.step, chunked.mid_step) == (whole.step, False)
    assert list(chunked.history.steps) == list(whole.history.steps)
    assert np.array_equal(np.array(chunked.history.values, float), np.array(whole.history.values, float))
    for a, b in zip(chunked.runs, whole.runs):
        assert np.array_equal(a.net.theta, b.net.theta)


def test_a_chunk_that_has_taken_a_whole_step_ends_at_a_steps_end():
    exp = experiment()
    exp.advance(1, 0.0)  # stopped after the first run
    exp.advance(3, math.inf)  # finishes that step, then two whole ones
    assert (exp.step, exp.mid_step, updates(exp)) == (3, False, [3, 3, 3])


def test_finish_step_brings_every_run_to_the_same_step_and_does_nothing_when_they_are():
    exp = experiment()
    assert exp.finish_step() == [] and (exp.step, updates(exp)) == (0, [0, 0, 0])
    exp.advance(1, 0.0)
    exp.finish_step()
    assert (exp.step, exp.mid_step, updates(exp)) == (1, False, [1, 1, 1])


def session_on(exp: Experiment) -> LiveSession:
    session = LiveSession(None, make_settings(), None)
    session.experiment, session.playing = exp, True
    return session


def test_frames_and_grids_wait_for_the_chunk_that_ends_the_step():
    exp = experiment()
    session = session_on(exp)
    built = []
    for _ in range(len(RUNS)):
        events, frame, grids, done = session._work(exp, 10, 0.0, True, True)
        built.append((exp.step, frame is not None, {struct.unpack_from("<I", blob, 4)[0] for blob in grids}, done))
    # The grids are of the weights after step 0's updates (step 1), every run's.
    assert built == [(0, False, set(), 0), (0, False, set(), 0), (1, True, {1}, 1)]
    assert [run["id"] for run in json.loads(frame)["runs"]] == [run["id"] for run in RUNS]


def test_a_chunk_with_a_frame_due_ends_at_the_end_of_the_step_it_finishes():
    exp = experiment()
    exp.advance(1, 0.0)
    session = session_on(exp)
    events, frame, grids, done = session._work(exp, 50, 1.0, True, False)
    assert (exp.step, exp.mid_step, done, frame is not None) == (1, False, 1, True)


class Recorder:
    """The socket side of a session: what it sends."""

    def __init__(self):
        self.sent: list[str] = []

    async def send_text(self, text: str) -> None:
        self.sent.append(text)

    async def send_bytes(self, blob: bytes) -> None:
        pass


@pytest.mark.parametrize("command", ["pause", "history", "model"])
def test_a_command_sees_every_run_at_the_same_step(command):
    from app.web.live.parsing import parse

    exp = experiment()
    exp.advance(3, math.inf)
    exp.advance(1, 0.0)  # a chunk stopped between runs
    session = session_on(exp)
    session.ws = Recorder()
    message = {"pause": '{"type": "pause"}', "history": '{"type": "history"}',
               "model": '{"type": "model", "run": "mse"}'}[command]
    asyncio.run(session._apply(parse(message)))
    assert (exp.step, exp.mid_step, updates(exp)) == (4, False, [4, 4, 4])
    assert session.ws.sent  # answered


def test_a_gradient_check_in_parts_gives_the_numbers_of_one_done_at_once():
    from app.nn import gradient_check
    from app.sessions.experiment import GRADCHECK_MAX_EXAMPLES, GRADCHECK_PART

    exp = experiment()
    exp.advance(5, math.inf)
    whole = exp.gradcheck("mixed")
    parts = list(exp.gradcheck_parts("mixed", 0.0))
    assert len(parts) == math.ceil(exp.parameter_count / GRADCHECK_PART)  # a clock look after every part
    assert all(part == [] for part in parts[:-1])
    [event] = parts[-1]
    assert event.model_dump() == whole[0].model_dump()
    assert (event.run, event.step, event.cause) == ("mixed", 5, "wrong")  # the learner's backprop, checked
    run = exp.runs[2]
    X, Y = exp.X[:GRADCHECK_MAX_EXAMPLES], exp.Y[:GRADCHECK_MAX_EXAMPLES]
    at_once = gradient_check(run.net, X, Y, backward=run.trainer.passes(X, Y)[1])  # numerical_gradients, unsplit
    assert [layer.relative_error for layer in event.layers] == pytest.approx(
        [check.relative_error for check in at_once], rel=1e-12)


def test_a_chunk_never_leaves_a_step_half_done_when_only_stopped_runs_are_left_in_it():
    """Every run diverged after a chunk that stopped between runs: the step ends with the last update, so the frame
    sent when training stops is of a whole step."""
    exp = experiment()
    exp.set_weight("mixed", 0, 0, 0, 1e5)  # past the divergence bound: the run stops at its next update
    exp.advance(1, math.inf)
    assert [run.status for run in exp.runs] == ["training", "training", "diverged"]
    for run_id in ("ce", "mse"):
        exp.set_weight(run_id, 0, 0, 0, 1e5)
    exp.advance(10, 0.0)  # ce stops; mse still trains: the chunk may stop here
    assert (exp.step, exp.mid_step) == (1, True)
    exp.advance(10, 0.0)  # mse stops, and only mixed, stopped already, is left in the step
    assert (exp.finished, exp.mid_step, exp.step) == (True, False, 2)
    assert list(exp.history.steps) == [0, 1]
