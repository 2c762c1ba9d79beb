"""Light sessions train on the event loop itself, in turns: one session at a time, the least CPU used first.

Sending a small chunk to the training thread costs more than the chunk: the GIL goes back and forth between the
event loop and a thread that computes, and each side waits for it. Measured with 100 default sessions on 2 cores:
12 frames/s each through the thread, 21 on the loop. So a session whose step, frame and grids are measured cheap
(`Costs.light`) runs its chunks here, each bounded to TURN_SECONDS of training (a turn holds the loop a few ms at
most); the next waiting session goes in the next loop iteration, after whatever I/O came meanwhile (health checks,
messages, sends). Heavy or not yet measured sessions use the training thread (pool.py).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
import weakref

from app.web.live.pool import Account

TURN_SECONDS = 0.002  # training per turn on the loop (8 ms for a session alone: /api/health p50 15 -> 42 ms)
LIGHT_STEP_SECONDS = 0.0005  # CPU of one lockstep step (every run), at most, for a session to train on the loop
LIGHT_FRAME_SECONDS = 0.001  # CPU of a frame, at most
LIGHT_GRIDS_SECONDS = 0.001  # CPU of its decision-boundary grids (and neuron maps), at most
# A turn holds the loop for at most TURN_SECONDS of training, one more step, a frame and the grids: ~4.5 ms.
MAX_TURN_CHARGE = 2 * (TURN_SECONDS + LIGHT_STEP_SECONDS + LIGHT_FRAME_SECONDS + LIGHT_GRIDS_SECONDS)


def smoothed(last: float | None, measured: float) -> float:
    """A running estimate of a cost. One slow chunk (a garbage collection, the GIL's other holder) moves it by a
    quarter of at most its own size, so it never makes a heavy session of a light one; an experiment's cost
    does not change while it trains (a new experiment starts a new estimate, from its first measure)."""
    return measured if last is None else last + (min(measured, 2 * last) - last) / 4


class Costs:
    """One experiment's CPU per lockstep step, per frame and per pair of boundary grids, as a session measured
    them (seconds, smoothed); None until measured. Light (it may train on the loop) when all three are small."""

    def __init__(self, experiment: object):
        self.of = weakref.ref(experiment)  # a weak reference: a replaced experiment is not kept alive
        self.step: float | None = None
        self.frame: float | None = None
        self.grids: float | None = None

    def add(self, name: str, seconds: float) -> None:
        setattr(self, name, smoothed(getattr(self, name), seconds))

    def of_turn(self, steps: int, frame: bool, grids: bool) -> float:
        """What a turn that took `steps` steps and built a frame and grids (or not) usually costs."""
        return ((self.step or 0.0) * steps + (self.frame or 0.0) * frame + (self.grids or 0.0) * grids)

    @property
    def light(self) -> bool:
        measured = (self.step, self.frame, self.grids)
        limits = (LIGHT_STEP_SECONDS, LIGHT_FRAME_SECONDS, LIGHT_GRIDS_SECONDS)
        return all(cost is not None and cost <= limit for cost, limit in zip(measured, limits))


class LoopTurns:
    """Turns on one event loop. `async with turns.turn(account)`: wait for this session's turn, run, hand it on.
    Like FairPool, an account that was idle or is new starts at the least CPU of those served, so it hoards no
    credit; a cancelled waiter (its socket closed) is skipped."""

    def __init__(self) -> None:
        self._waiting: list[tuple[float, int, asyncio.Future]] = []
        self._order = itertools.count()  # equal CPU: first come, first served
        self._floor = 0.0
        self._held = False

    def turn(self, account: Account) -> "_Turn":
        return _Turn(self, account)

    async def _take(self, account: Account) -> None:
        """Always through the queue, one turn per loop iteration: taken at once when free, several sessions
        ready in one iteration would run back to back and hold the loop for all their turns."""
        account.used = max(account.used, self._floor)
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        heapq.heappush(self._waiting, (account.used, next(self._order), waiter))
        if not self._held and len(self._waiting) == 1:
            loop.call_soon(self._next)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._give_back()  # given the turn and cancelled before it ran: pass it on
            raise
        self._floor = max(self._floor, account.used)

    def _give_back(self) -> None:
        # Handed on at once: the next session's task wakes in the next loop iteration, after this one's I/O.
        self._held = False
        self._next()

    def _next(self) -> None:
        while not self._held and self._waiting:
            _, _, waiter = heapq.heappop(self._waiting)
            if not waiter.cancelled():
                self._held = True
                waiter.set_result(None)


class _Turn:
    def __init__(self, turns: LoopTurns, account: Account):
        self.turns, self.account = turns, account
        self.started = 0.0
        # What the turn usually costs, when its session can say (Costs.of_turn): that is what it is charged.
        # Its own measure may hold a garbage collection or a pause of the machine, which the whole process owes;
        # charged to one session, 10 ms of it held that session back for seconds among 300.
        self.usual: float | None = None

    async def __aenter__(self) -> "_Turn":
        await self.turns._take(self.account)
        self.started = time.thread_time()
        return self

    async def __aexit__(self, *exc) -> None:
        measured = time.thread_time() - self.started
        self.account.used += min(measured if self.usual is None else self.usual, MAX_TURN_CHARGE)
        self.turns._give_back()


_per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopTurns] = weakref.WeakKeyDictionary()


def loop_turns() -> LoopTurns:
    """The turns of the running event loop (one per server)."""
    loop = asyncio.get_running_loop()
    turns = _per_loop.get(loop)
    if turns is None:
        turns = _per_loop[loop] = LoopTurns()
    return turns
