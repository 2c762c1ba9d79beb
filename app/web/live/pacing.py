"""How many steps the next chunk of training takes, and when frames and boundary grids are due.

Training runs in chunks of about CHUNK_SECONDS; a chunk ends early when the next frame is due, so frames keep
their rate at any speed. At a set speed, steps are earned as credit over time. Frames come before training: while
they fall behind the rate asked, steps are earned at no more than FLOOR_SPEED, so a frame fits each turn, and the
decision-boundary grids come at half their rate.
"""

from __future__ import annotations

from dataclasses import dataclass

CHUNK_SECONDS = 0.02  # training time per trip to the worker thread: long enough to amortise, short enough to react
MIN_CHUNK_SECONDS = 0.002
FRAME_SHARE_FACTOR = 9  # wait at least 9× a frame's CPU cost before the next one: frames take ≤ 10% of the time
MAX_CREDIT_SECONDS = 0.25  # a slow machine does not build up a backlog of steps to catch up on
FLOOR_SPEED = 30  # steps per second a session keeps while its frames are behind: training gives, not the frames
BEHIND_FACTOR = 1.1  # frames are behind when they come 1.1× further apart than asked (30 asked: under 27 a second)
CAUGHT_UP_FACTOR = 1.03  # and caught up again only under 1.03× (30 asked: 29 a second): no flapping in between
BEHIND_BOUNDARY_FACTOR = 2  # decision-boundary grids come this many times further apart while frames are behind


@dataclass(frozen=True)
class Chunk:
    steps: int  # 0 with `wait` set: nothing to do for that long
    seconds: float
    frame_due: bool
    boundary_due: bool
    wait: float | None = None


class Pacer:
    def __init__(self, now: float):
        self.next_frame = self.next_boundary = self.credit_from = now
        self.credit = 0.0
        self.last_frame, self.frame_interval = now, 0.0  # when the last frame went; the time between, smoothed
        self.behind = False  # frames come further apart than asked: steps are earned at FLOOR_SPEED at most
        self.speed: int | None = None  # steps per second asked, None at "max" or for a `step` count

    def idle(self, now: float) -> None:
        """Nothing ran (paused, or no experiment): no credit builds up meanwhile."""
        self.credit, self.credit_from = 0.0, now
        self.last_frame = now  # a pause is not a late frame

    def plan(self, now: float, pending_steps: int, speed: int | str, max_speed: int) -> Chunk:
        self.speed = None if pending_steps or speed == "max" else speed
        if pending_steps:
            steps = pending_steps
        elif speed == "max":
            self.credit, self.credit_from = 0.0, now  # no credit kept: a later set speed starts from none
            steps = max(1, int(max_speed * CHUNK_SECONDS))
        else:
            speed = min(speed, FLOOR_SPEED) if self.behind else speed
            self.credit = min(self.credit + (now - self.credit_from) * speed, speed * MAX_CREDIT_SECONDS + 1)
            self.credit_from = now
            steps = max(int(self.credit), 0)
        seconds = min(CHUNK_SECONDS, max(self.next_frame - now, MIN_CHUNK_SECONDS))
        frame_due = now + seconds >= self.next_frame
        if steps == 0 and frame_due and self.credit >= 0.5:
            steps = 1  # a frame is due and half a step earned: take it now (the credit goes below zero a while)
        if steps == 0:
            # No step, so no new frame to show (a frame shows a step): wait for the next step's credit.
            return Chunk(0, seconds, False, False, max((1 - self.credit) / speed, 0.001))
        return Chunk(steps, seconds, frame_due, now + seconds >= self.next_boundary)

    def spend(self, done: int) -> None:
        """Steps taken at a set speed use up their credit (at "max" there is none; steps asked for by `step` are
        counted elsewhere)."""
        if self.speed is not None:
            self.credit -= done

    def frame_sent(self, now: float, frame_cost: float, frame_rate: int) -> None:
        """A frame went out (only then: a turn that sent none would make late frames look on time)."""
        # frame_cost is the worker thread's own CPU time: in wall time, other sessions' turns on the GIL would
        # count as this frame's cost and space frames out further the busier the server (a feedback loop).
        # On schedule, unless we fell behind; and never so often that frames take more than a tenth of the time
        # (a large dataset's frames cost milliseconds to build).
        self.frame_interval += (now - self.last_frame - self.frame_interval) / 4  # one slow turn is not a trend
        self.last_frame = now
        # A frame shows a new step: below the frame rate, the speed asked is what sets how often frames can come.
        asked = 1 / frame_rate if self.speed is None else max(1 / frame_rate, 1 / self.speed)
        self.behind = self.frame_interval > (CAUGHT_UP_FACTOR if self.behind else BEHIND_FACTOR) * asked
        self.next_frame = max(self.next_frame + 1 / frame_rate, now + FRAME_SHARE_FACTOR * frame_cost)

    def boundary_sent(self, now: float, boundary_rate: float) -> None:
        # Behind, grids come at half the rate: a pair costs about half a frame, and the frames come first.
        interval = (BEHIND_BOUNDARY_FACTOR if self.behind else 1) / boundary_rate
        self.next_boundary = max(self.next_boundary + interval, now)
