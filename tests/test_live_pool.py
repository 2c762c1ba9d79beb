"""The training pool serves first the waiting job of the session that has used the least thread CPU (as Linux's CFS
does), so a light session runs almost as soon as it asks. Deterministic: the pool's one thread is held on an Event
while the jobs queue, then released, and the order they ran in is checked."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.web.live.pool import Account, FairPool


def account(used: float = 0.0) -> Account:
    a = Account()
    a.used = used
    return a


def held_pool(holder: Account | None = None) -> tuple[FairPool, threading.Event]:
    """A one-thread pool whose thread is busy with a job that waits for the returned Event."""
    pool, gate = FairPool(1, name="test-fair-pool"), threading.Event()
    running = pool.submit(holder or account(), gate.wait, 10)
    deadline = time.monotonic() + 5
    while not running.running():
        assert time.monotonic() < deadline, "the pool's thread never started the first job"
        time.sleep(0.001)
    return pool, gate


def run_all(pool: FairPool, gate: threading.Event, futures) -> None:
    gate.set()
    for future in futures:
        future.result(timeout=5)


def test_the_waiting_job_of_the_account_that_used_least_cpu_runs_next():
    pool, gate = held_pool()
    ran: list[str] = []
    jobs = [pool.submit(account(used), ran.append, name) for name, used in [("a", 0.3), ("b", 0.1), ("c", 0.2)]]
    run_all(pool, gate, jobs)
    assert ran == ["b", "c", "a"]


def test_accounts_that_used_the_same_cpu_are_served_in_the_order_they_asked():
    pool, gate = held_pool()
    ran: list[str] = []
    jobs = [pool.submit(account(0.2), ran.append, name) for name in "pqrs"]
    run_all(pool, gate, jobs)
    assert ran == list("pqrs")


def test_a_new_account_starts_at_the_least_cpu_served_so_it_cannot_jump_the_queue():
    pool, gate = held_pool(holder=account(0.5))  # serving a job ranked at 0.5 s: the least served so far
    ran: list[str] = []
    waiting, newcomer = account(0.5), account()
    jobs = [pool.submit(waiting, ran.append, "waiting"), pool.submit(newcomer, ran.append, "new")]
    assert newcomer.used == 0.5
    run_all(pool, gate, jobs)
    assert ran == ["waiting", "new"]


def test_a_job_is_charged_the_thread_cpu_it_used_and_a_sleep_costs_nothing():
    pool = FairPool(1, name="test-fair-pool")
    busy, idle = account(), account()

    def burn(seconds: float) -> None:
        end = time.thread_time() + seconds
        while time.thread_time() < end:
            pass

    pool.submit(busy, burn, 0.03).result(timeout=5)
    pool.submit(idle, time.sleep, 0.05).result(timeout=5)
    assert busy.used >= 0.03
    assert idle.used < 0.01


def test_a_failing_job_hands_its_error_to_the_caller_and_is_charged():
    pool = FairPool(1, name="test-fair-pool")
    owner = account()
    future = pool.submit(owner, int, "not a number")
    with pytest.raises(ValueError):
        future.result(timeout=5)
    assert owner.used > 0
    assert pool.submit(owner, int, "7").result(timeout=5) == 7  # the thread still serves


def test_a_closed_sessions_waiting_job_never_runs_and_leaves_nothing_behind():
    pool, gate = held_pool()
    ran: list[str] = []

    async def in_pool() -> None:  # as LiveSession.in_pool awaits its job
        await asyncio.wrap_future(pool.submit(account(), ran.append, "closed"))

    async def session_closes_while_waiting() -> None:
        task = asyncio.create_task(in_pool())
        await asyncio.sleep(0)
        task.cancel()  # what LiveSession.run does to its driver when the socket closes
        await asyncio.wait([task])

    asyncio.run(session_closes_while_waiting())
    later = pool.submit(account(), ran.append, "later")
    run_all(pool, gate, [later])
    assert ran == ["later"]
    assert pool.waiting() == 0
