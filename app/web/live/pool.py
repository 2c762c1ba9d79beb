"""The threads that run the sessions' heavy CPU work (heavy chunks, building experiments, gradient checks), off the
event loop, and each session's share of them. Light chunks train on the loop itself (turns.py)."""

from __future__ import annotations

import functools
import heapq
import itertools
import os
import threading
import time
from concurrent.futures import Future

from app.web.live.pacing import MIN_CHUNK_SECONDS

# Every session that trains gets a turn on each thread at least this often: with many busy sessions, chunks get
# shorter (down to MIN_CHUNK_SECONDS), so a heavy session cannot hold a bystander to a few frames a second.
ROUND_SECONDS = 0.04


class Account:
    """The thread CPU time one session's jobs have used, as the pool counts it (in seconds)."""

    __slots__ = ("used",)

    def __init__(self) -> None:
        self.used = 0.0


class FairPool:
    """Worker threads that run, of the jobs waiting, the one whose account has used the least CPU (as Linux's CFS
    does): a light session runs almost as soon as it asks, however many heavy chunks wait. An account that was
    idle or is new starts at the least CPU of the jobs now served, so it cannot hoard credit. The pool keeps no
    account: a closed session's jobs are cancelled futures, dropped when their turn comes."""

    def __init__(self, size: int, name: str = "backprop-lab-training"):
        self.size = size
        self._waiting: list[tuple[float, int, Account, functools.partial, Future]] = []
        self._ready = threading.Condition()
        self._order = itertools.count()  # equal CPU: first come, first served
        self._floor = 0.0  # the least CPU of the jobs served so far
        self.threads = [threading.Thread(target=self._serve, name=f"{name}_{i}", daemon=True) for i in range(size)]
        for thread in self.threads:
            thread.start()

    def submit(self, account: Account, fn, *args) -> Future:
        """Thread-safe; await the result on an event loop with asyncio.wrap_future."""
        future: Future = Future()
        with self._ready:
            account.used = max(account.used, self._floor)
            heapq.heappush(self._waiting, (account.used, next(self._order), account,
                                           functools.partial(fn, *args), future))
            self._ready.notify()
        return future

    def waiting(self) -> int:
        with self._ready:
            return len(self._waiting)

    def _serve(self) -> None:
        while True:
            with self._ready:
                while not self._waiting:
                    self._ready.wait()
                used, _, account, job, future = heapq.heappop(self._waiting)
                self._floor = max(self._floor, used)
            self._run(account, job, future)
            del account, job, future  # a closed session's experiment is not kept alive until the next job

    def _run(self, account: Account, job, future: Future) -> None:
        if not future.set_running_or_notify_cancel():
            return  # its session went while it waited
        started = time.thread_time()
        try:
            result = job()
        except BaseException as error:  # noqa: BLE001 - handed to the awaiting session, as an executor does
            self._charge(account, started)
            future.set_exception(error)
        else:
            self._charge(account, started)  # before the result: the session's next job is ranked by it
            future.set_result(result)

    def _charge(self, account: Account, started: float) -> None:
        with self._ready:
            account.used += time.thread_time() - started


@functools.cache
def training_pool(threads: int) -> FairPool:
    """The threads that run the training chunks of every session in this process (settings.training_threads;
    0: one per CPU). Bounded on purpose: with many sessions playing, more threads than CPUs only add GIL
    contention and starve the event loop and the REST API; the pool serves the sessions by least CPU used."""
    return FairPool(pool_size(threads))


def pool_size(threads: int) -> int:
    return threads or os.cpu_count() or 1


class TrainingTurns:
    """How many sessions' chunks are queued or running now (counted on the event loop only: no lock needed)."""

    busy = 0

    @classmethod
    def share(cls, seconds: float, threads: int) -> float:
        """A chunk's length given everyone waiting for the same threads, this session included."""
        fair = ROUND_SECONDS * pool_size(threads) / (cls.busy + 1)
        return max(MIN_CHUNK_SECONDS, min(seconds, fair))
