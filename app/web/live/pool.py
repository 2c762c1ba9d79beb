"""The threads that run every session's CPU work, off the event loop, and each session's share of them."""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor

from app.web.live.pacing import MIN_CHUNK_SECONDS

# Every session that trains gets a turn on each thread at least this often: with many busy sessions, chunks get
# shorter (down to MIN_CHUNK_SECONDS), so a heavy session cannot hold a bystander to a few frames a second.
ROUND_SECONDS = 0.04


@functools.cache
def training_pool(threads: int) -> ThreadPoolExecutor:
    """The threads that run the training chunks of every session in this process (settings.training_threads;
    0: one per CPU). Bounded on purpose: with many sessions playing, more threads than CPUs only add GIL
    contention and starve the event loop and the REST API; the pool's queue serves the sessions in turn."""
    return ThreadPoolExecutor(pool_size(threads), thread_name_prefix="backprop-lab-training")


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
