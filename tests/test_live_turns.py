"""Light sessions train on the event loop in turns (app/web/live/turns.py): one turn per loop iteration, so I/O
runs between any two; the session that used the least CPU goes first; a closed session's place is skipped; heavy
sessions keep the training thread."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.sessions.config import ExperimentConfig, check_limits
from app.sessions.experiment import Experiment
from app.web.live.pacing import Chunk, Pacer
from app.web.live.pool import Account
from app.web.live.session import LiveSession
from app.web.live.turns import (LIGHT_FRAME_SECONDS, LIGHT_GRIDS_SECONDS, LIGHT_STEP_SECONDS, Costs, LoopTurns,
                                 loop_turns)
from lab_settings import make_settings


def test_one_turn_per_loop_iteration_with_io_between_turns():
    async def scenario():
        turns, seen = LoopTurns(), []

        async def session(name: str) -> None:
            async with turns.turn(Account()):
                seen.append(f"{name} starts")
                # Something that came in during this turn (a socket read, a health check) is scheduled now...
                asyncio.get_running_loop().call_soon(seen.append, f"I/O after {name}")
                seen.append(f"{name} ends")

        await asyncio.gather(*(session(name) for name in "abc"))
        return seen

    # ...and runs before the next session's turn: turns never run back to back in one iteration.
    assert asyncio.run(scenario()) == ["a starts", "a ends", "I/O after a", "b starts", "b ends", "I/O after b",
                                       "c starts", "c ends", "I/O after c"]


def test_the_session_that_used_the_least_cpu_goes_first():
    async def scenario():
        turns, order = LoopTurns(), []
        release = asyncio.Event()

        async def holder() -> None:
            async with turns.turn(Account()):
                await release.wait()  # everyone below queues meanwhile

        async def session(name: str, used: float) -> None:
            account = Account()
            account.used = used
            async with turns.turn(account):
                order.append(name)

        first = asyncio.create_task(holder())
        await asyncio.sleep(0.01)
        others = [asyncio.create_task(session(name, used)) for name, used in [("c", 0.3), ("a", 0.1), ("b", 0.2)]]
        await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(first, *others)
        return order

    assert asyncio.run(scenario()) == ["a", "b", "c"]


def test_a_new_or_idle_session_starts_at_the_least_cpu_served_and_hoards_no_credit():
    async def scenario():
        turns = LoopTurns()
        busy = Account()
        busy.used = 5.0
        async with turns.turn(busy):
            pass
        newcomer = Account()
        async with turns.turn(newcomer):
            pass
        return newcomer.used

    assert asyncio.run(scenario()) >= 5.0


def test_a_closed_sessions_place_is_skipped_and_a_cancelled_turn_is_passed_on():
    async def scenario():
        turns, served = LoopTurns(), []
        release = asyncio.Event()

        async def holder() -> None:
            async with turns.turn(Account()):
                await release.wait()

        async def session(name: str) -> None:
            async with turns.turn(Account()):
                served.append(name)

        first = asyncio.create_task(holder())
        await asyncio.sleep(0.01)
        gone = asyncio.create_task(session("gone"))
        after = asyncio.create_task(session("after"))
        await asyncio.sleep(0.01)
        gone.cancel()  # its socket closed while it waited
        release.set()
        await asyncio.wait_for(asyncio.gather(first, after), 2)  # never stuck behind the closed session
        # Handed the turn, then cancelled before running: the turn goes on to the next.
        handed = asyncio.create_task(session("handed"))
        late = asyncio.create_task(session("late"))
        await asyncio.sleep(0)  # both queue and the turn is handed to `handed`...
        await asyncio.sleep(0)  # ...which has not run yet
        handed.cancel()
        await asyncio.wait_for(late, 2)
        return served, gone.cancelled()

    served, gone_cancelled = asyncio.run(scenario())
    assert gone_cancelled and served[0] == "after" and "gone" not in served and served[-1] == "late"


def test_each_event_loop_has_its_own_turns():
    async def turns_of_this_loop():
        return loop_turns(), loop_turns()

    a1, a2 = asyncio.run(turns_of_this_loop())
    b1, _ = asyncio.run(turns_of_this_loop())
    assert a1 is a2 and a1 is not b1


def costs(step=None, frame=None, grids=None) -> Costs:
    measured = Costs(Recorder())  # any object that can be weakly referred to stands for the experiment
    for name, value in (("step", step), ("frame", frame), ("grids", grids)):
        if value is not None:
            measured.add(name, value)
    return measured


def test_light_means_a_cheap_step_frame_and_grids_all_measured():
    assert costs(LIGHT_STEP_SECONDS, LIGHT_FRAME_SECONDS, LIGHT_GRIDS_SECONDS).light
    # Not measured yet: the thread measures them first (a frame or grids of a large network could take long).
    assert not costs().light and not costs(1e-5, 1e-5).light and not costs(1e-5, None, 1e-5).light
    assert not costs(LIGHT_STEP_SECONDS * 1.01, 1e-5, 1e-5).light
    assert not costs(1e-5, LIGHT_FRAME_SECONDS * 1.01, 1e-5).light
    assert not costs(1e-5, 1e-5, LIGHT_GRIDS_SECONDS * 1.01).light


class Recorder:
    async def send_text(self, text: str) -> None:
        pass

    async def send_bytes(self, blob: bytes) -> None:
        pass


def threads_that_trained(config: dict, chunks: int) -> list[str]:
    """The thread each of `chunks` playing chunks of this experiment trained on."""
    config = ExperimentConfig.model_validate(config)
    exp = Experiment(config, check_limits(config, make_settings()))
    threads = []
    advance = exp.advance

    def recording_advance(steps, seconds):
        threads.append(threading.current_thread().name)
        return advance(steps, seconds)

    exp.advance = recording_advance
    session = LiveSession(None, make_settings(), None)
    session.ws, session.experiment, session.playing = Recorder(), exp, True

    async def play():
        pacer = Pacer(asyncio.get_running_loop().time())
        for _ in range(chunks):
            await session._train(Chunk(steps=2, seconds=0.02, frame_due=True, boundary_due=True), pacer)

    asyncio.run(play())
    return threads


def test_a_light_session_trains_on_the_loop_once_measured_and_a_heavy_one_on_the_training_thread():
    light = threads_that_trained({}, 12)
    # Unmeasured, the first chunk goes to the thread; the estimate settles within a few chunks (a first frame
    # costs more: caches are cold), then every chunk is a turn of the loop.
    assert light[0].startswith("backprop-lab-training") and set(light[-4:]) == {threading.current_thread().name}
    # 5 runs of 64-79-10 over 1,797 digits: one step is tens of milliseconds, never a turn of the loop.
    heavy = threads_that_trained({"dataset": {"name": "digits"}, "network": {"hidden_layers": [79]},
                                  "runs": [{"id": f"r{i}", "kind": "softmax_ce"} for i in range(5)]}, 3)
    assert all(name.startswith("backprop-lab-training") for name in heavy)


def light_session(name: str, order: list[str]) -> LiveSession:
    """A session on the default experiment whose chunks append `name` to `order` as they train."""
    config = ExperimentConfig.model_validate({})
    exp = Experiment(config, check_limits(config, make_settings()))
    advance = exp.advance

    def recording_advance(steps, seconds):
        order.append(name)
        return advance(steps, seconds)

    exp.advance = recording_advance
    session = LiveSession(None, make_settings(), None)
    session.ws, session.experiment, session.playing = Recorder(), exp, True
    return session


def test_cpu_a_session_used_on_the_training_thread_does_not_put_it_behind_on_the_loop():
    order: list[str] = []
    a, b = light_session("a", order), light_session("b", order)

    async def play(session: LiveSession, chunks: int) -> None:
        pacer = Pacer(asyncio.get_running_loop().time())
        for _ in range(chunks):
            await session._train(Chunk(steps=2, seconds=0.02, frame_due=True, boundary_due=True), pacer)

    async def scenario():
        await asyncio.gather(play(a, 8), play(b, 8))  # both measured: light
        a.cpu.used += 5.0  # as if a heavy experiment of a's had used the training thread for 5 s
        order.clear()
        await asyncio.gather(play(a, 10), play(b, 10))

    asyncio.run(scenario())
    assert set(order[:6]) == {"a", "b"}, order  # turns alternate; a does not wait for b to use 5 s of the loop


def test_one_slow_chunk_does_not_make_a_heavy_session_of_a_light_one():
    measured = costs(1e-4, 0.0002, 0.0002)  # the default experiment
    measured.add("frame", 0.0093)  # a garbage collection during one frame (seen: 9.3 ms)
    assert measured.frame <= 0.0002 * 1.25 and measured.light
    heavy = costs(1e-4, 0.02, 0.0002)  # a heavy experiment is heavy from its first measure
    heavy.add("frame", 0.0002)
    assert not heavy.light


def test_a_light_session_stopped_between_runs_finishes_the_step_on_the_loop():
    order: list[str] = []
    session = light_session("a", order)
    threads = []
    advance = session.experiment.advance

    def recording_advance(steps, seconds):
        threads.append(threading.current_thread().name)
        return advance(steps, seconds)

    session.experiment.advance = recording_advance

    async def play(chunks: int) -> None:
        pacer = Pacer(asyncio.get_running_loop().time())
        for _ in range(chunks):
            await session._train(Chunk(steps=2, seconds=0.02, frame_due=True, boundary_due=True), pacer)

    async def scenario():
        await play(8)  # measured: light
        advance(1, 0.0)  # a chunk stopped between the two runs (its deadline passed: a pause of the machine)
        assert session.experiment.mid_step
        threads.clear()
        await play(1)

    asyncio.run(scenario())
    assert threads == [threading.current_thread().name] and not session.experiment.mid_step


def test_a_turn_counts_at_most_a_light_turns_cost_against_its_session():
    from app.web.live.turns import MAX_TURN_CHARGE

    async def scenario():
        turns, account = LoopTurns(), Account()
        async with turns.turn(account):
            started = time.thread_time()
            while time.thread_time() - started < 4 * MAX_TURN_CHARGE:  # as a garbage collection in a turn
                pass
        return account.used

    assert 0 < asyncio.run(scenario()) <= MAX_TURN_CHARGE


def test_a_turn_whose_session_knows_its_usual_cost_is_charged_that_not_a_pause_inside_it():
    async def scenario():
        turns, account = LoopTurns(), Account()
        async with turns.turn(account) as turn:
            started = time.thread_time()
            while time.thread_time() - started < 0.005:  # a garbage collection in a turn that usually takes 0.3 ms
                pass
            turn.usual = 0.0003
        return account.used

    assert asyncio.run(scenario()) == 0.0003


def test_a_turns_usual_cost_adds_the_steps_frame_and_grids_it_built():
    measured = costs(1e-4, 2e-4, 3e-4)
    assert measured.of_turn(3, True, False) == pytest.approx(5e-4)
    assert measured.of_turn(1, True, True) == pytest.approx(6e-4) and measured.of_turn(0, False, False) == 0
