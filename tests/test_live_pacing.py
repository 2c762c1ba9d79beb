"""Frames before training: when a session's turns come too seldom for the frame rate asked, its pacer earns steps
at no more than FLOOR_SPEED, so each turn carries a frame and training is what gives. No clock: the tests feed
the pacer times and frame costs, as LiveSession._train does, and check the chunks it plans."""

from __future__ import annotations

from app.web.live.pacing import FLOOR_SPEED, Pacer

FRAME_RATE = 30
FRAME_COST = 0.0002  # a frame's CPU, as the worker thread measures it
MAX_SPEED = 100_000


def turns(pacer: Pacer, start: float, every: float, count: int, speed: int) -> list[tuple[int, bool]]:
    """A turn on the training thread every `every` seconds; the planned steps and frame of each."""
    planned = []
    for i in range(count):
        now = start + i * every
        chunk = pacer.plan(now, 0, speed, MAX_SPEED)
        if chunk.wait is not None:  # not a whole step earned yet (credit is a float): nothing to do or show
            assert chunk.steps == 0 and not chunk.frame_due
            planned.append((0, False))
            continue
        planned.append((chunk.steps, chunk.frame_due))
        pacer.spend(chunk.steps)
        if chunk.frame_due:
            pacer.frame_sent(now, FRAME_COST, FRAME_RATE)
    return planned


def test_turns_as_often_as_frames_keep_the_speed_asked():
    pacer = Pacer(0.0)
    planned = turns(pacer, 1 / FRAME_RATE, 1 / FRAME_RATE, 60, speed=60)
    assert not pacer.behind
    assert all(frame for _, frame in planned)
    assert abs(sum(steps for steps, _ in planned) - 60 * 60 / FRAME_RATE) <= 1


def test_turns_too_seldom_for_the_frame_rate_give_training_not_frames():
    pacer = Pacer(0.0)
    planned = turns(pacer, 0.1, 0.1, 20, speed=60)  # 10 turns a second for 30 frames a second: behind
    assert pacer.behind
    assert all(frame for _, frame in planned)  # every turn carries a frame
    behind = planned[3:]  # the time between frames is smoothed: behind from the third late frame
    assert abs(sum(steps for steps, _ in behind) - FLOOR_SPEED * len(behind) * 0.1) <= 1  # 60 asked, 30 kept
    assert max(steps for steps, _ in behind) <= FLOOR_SPEED * 0.1 + 1


def test_frames_back_on_time_bring_back_the_speed_asked():
    pacer = Pacer(0.0)
    turns(pacer, 0.1, 0.1, 5, speed=60)
    assert pacer.behind
    planned = turns(pacer, 0.6, 1 / FRAME_RATE, 30, speed=60)
    assert not pacer.behind
    caught_up = planned[-15:]
    assert abs(sum(steps for steps, _ in caught_up) - 60 * len(caught_up) / FRAME_RATE) <= 1


def test_a_speed_below_the_floor_is_kept_when_behind():
    pacer = Pacer(0.0)
    planned = turns(pacer, 0.2, 0.2, 21, speed=10)  # 5 turns a second for 10 steps a second: behind
    assert pacer.behind
    assert abs(sum(steps for steps, _ in planned[1:]) - 10 * 4.0) <= 1  # 10 steps/s kept, not raised to the floor


def test_a_pause_is_not_a_late_frame():
    pacer = Pacer(0.0)
    turns(pacer, 1 / FRAME_RATE, 1 / FRAME_RATE, 30, speed=60)
    pacer.idle(5.0)  # paused until 5 s
    turns(pacer, 5.0 + 1 / FRAME_RATE, 1 / FRAME_RATE, 3, speed=60)
    assert not pacer.behind


def boundary_grids(pacer: Pacer, start: float, every: float, seconds: float, rate: float) -> int:
    """Turns every `every` seconds for `seconds`, sending a pair of grids whenever one is due: how many."""
    sent, now = 0, start
    while now < start + seconds:
        chunk = pacer.plan(now, 0, 60, MAX_SPEED)
        if chunk.frame_due:
            pacer.frame_sent(now, FRAME_COST, FRAME_RATE)
        if chunk.boundary_due:
            pacer.boundary_sent(now, rate)
            sent += 1
        now += every
    return sent


def test_boundary_grids_come_at_half_their_rate_while_frames_are_behind():
    on_time, behind = Pacer(0.0), Pacer(0.0)
    assert abs(boundary_grids(on_time, 0.0, 1 / FRAME_RATE, 10.0, rate=5.0) - 50) <= 1
    turns(behind, 0.1, 0.1, 5, speed=60)
    assert behind.behind
    assert abs(boundary_grids(behind, 0.6, 0.1, 10.0, rate=5.0) - 25) <= 2  # half of 50


def test_frames_just_under_the_rate_asked_keep_a_session_behind_until_they_are_on_time_again():
    pacer = Pacer(0.0)
    turns(pacer, 0.1, 0.1, 5, speed=60)
    assert pacer.behind
    turns(pacer, 0.6, 1 / 26, 30, speed=60)  # 26 frames a second: no longer late enough to fall behind...
    assert pacer.behind  # ...but not caught up either: training stays at the floor
    turns(pacer, 2.0, 1 / FRAME_RATE, 30, speed=60)
    assert not pacer.behind


def test_a_speed_below_the_frame_rate_is_not_behind_when_every_step_gets_its_frame():
    pacer = Pacer(0.0)
    turns(pacer, 0.01, 0.01, 300, speed=10)  # turns come often: each of the 10 steps a second gets a frame
    assert not pacer.behind


def test_after_max_speed_a_set_speed_trains_at_once():
    pacer = Pacer(0.0)
    for i in range(100):  # 2 s at "max": thousands of steps, none of them from credit
        chunk = pacer.plan(i * 0.02, 0, "max", MAX_SPEED)
        pacer.spend(chunk.steps)
    chunk = pacer.plan(2.1, 0, 60, MAX_SPEED)
    assert chunk.wait is None and chunk.steps == 7  # 0.12 s at 60 steps/s: no debt left from "max"
