"""The threads that run every session's CPU work, off the event loop."""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor


@functools.cache
def training_pool(threads: int) -> ThreadPoolExecutor:
    """The threads that run the training chunks of every session in this process (settings.training_threads;
    0: one per CPU). Bounded on purpose: with many sessions playing, more threads than CPUs only add GIL
    contention and starve the event loop and the REST API; the pool's queue serves the sessions in turn."""
    return ThreadPoolExecutor(threads or os.cpu_count() or 1, thread_name_prefix="backprop-lab-training")
