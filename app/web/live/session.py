"""A live session: two tasks per WebSocket connection.

The receiver reads and checks client messages and queues the valid ones; the driver applies them in order,
trains in chunks, and sends frames at the frame rate, whatever the training speed. A light session trains in turns
of at most 2 ms on the event loop (turns.py); a heavy one in chunks of about 20 ms on the training thread (pool.py).
When the socket closes, the receiver returns and the driver is cancelled: nothing of the session is left.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from contextlib import suppress

from pydantic import BaseModel
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.sessions.experiment import Experiment
from app.settings import Settings
from app.store import ModelStore
from app.web import protocol as p
from app.web.live.commands import HANDLERS
from app.web.live.hello import hello
from app.web.live.pacing import Pacer
from app.web.live.parsing import ProtocolError, parse, reply_to
from app.web.live.pool import Account, TrainingTurns, training_pool
from app.web.live.turns import TURN_SECONDS, Costs, loop_turns

log = logging.getLogger(__name__)

INTERRUPTING = {"pause", "reset", "configure"}  # these stop a long `step` instead of waiting for it
MAX_QUEUED_COMMANDS = 64  # a client flooding the socket gets errors, not an ever-growing queue
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011


class LiveSession:
    def __init__(self, websocket: WebSocket, settings: Settings, store: ModelStore):
        self.ws = websocket
        self.settings = settings
        self.store = store
        self.experiment: Experiment | None = None
        self.playing = False
        self.pending_steps = 0  # asked for by `step`, taken in chunks like play
        self.speed: int | str = settings.default_speed
        self.frame_rate = settings.default_frame_rate
        self.commands: asyncio.Queue[BaseModel] = asyncio.Queue(MAX_QUEUED_COMMANDS)
        self._send_lock = asyncio.Lock()
        self.interrupt = 0  # pause, reset or configure messages waiting in the queue: they stop a long `step` early
        self._frame_sent_for: tuple[int, int] | None = None  # (experiment id, step) of the last frame
        self.cpu = Account()  # the pool serves first the session that has used the least of its threads
        self.loop_cpu = Account()  # and the loop's turns, the one that used the least of the loop (apart: the
        # pool's floor, raised by a heavy session, would put a light newcomer behind every light session)
        self.costs: Costs | None = None  # of the experiment it trains: a light one trains on the event loop

    async def in_pool(self, fn, *args):
        """Session work (training, frames, building experiments) off the event loop, on the shared pool."""
        pool = training_pool(self.settings.training_threads)
        return await asyncio.wrap_future(pool.submit(self.cpu, fn, *args))

    # --- sending --------------------------------------------------------------------------------

    async def _send_text(self, text: str) -> None:
        async with self._send_lock:
            await self.ws.send_text(text)

    async def _send_bytes(self, blobs: list[bytes]) -> None:
        for blob in blobs:
            async with self._send_lock:
                await self.ws.send_bytes(blob)

    async def send(self, message: BaseModel) -> None:
        await self._send_text(message.model_dump_json())

    async def send_state(self) -> None:
        step = self.experiment.step if self.experiment else 0
        await self.send(p.State(playing=self.playing, step=step, speed=self.speed, frame_rate=self.frame_rate))

    def forget_last_frame(self) -> None:
        """The next frame is sent even at the same step (it shows something else)."""
        self._frame_sent_for = None

    # --- the session's life -----------------------------------------------------------------------

    async def run(self) -> None:
        await self.send(hello(self.settings))
        driver = asyncio.create_task(self._drive())
        try:
            await self._receive()
        finally:
            driver.cancel()
            await asyncio.wait([driver])  # unlike awaiting it, this never swallows our own cancellation

    async def _receive(self) -> None:
        loop = asyncio.get_running_loop()
        lifetime = self.settings.session_lifetime
        ends_at = loop.time() + lifetime if lifetime else math.inf  # however active: no one holds a place for ever
        while True:
            try:
                message = await asyncio.wait_for(self.ws.receive(), min(self.settings.idle_timeout,
                                                                        ends_at - loop.time()))
            except TimeoutError:
                if loop.time() >= ends_at:
                    await self.ws.close(1000, f"this demo ends sessions after {lifetime / 60:g} minutes")
                else:
                    minutes = self.settings.idle_timeout / 60
                    await self.ws.close(1000, f"closed after {minutes:g} minutes without a message")
                return
            except WebSocketDisconnect:
                return
            if message["type"] == "websocket.disconnect":
                return
            text, data = message.get("text"), message.get("bytes")
            size = len(text.encode()) if text is not None else len(data or b"")
            if size > self.settings.max_message_bytes:
                await self.ws.close(CLOSE_TOO_BIG, f"message larger than {self.settings.max_message_bytes} bytes")
                return
            try:
                if text is None:
                    raise ProtocolError("invalid_message",
                                        "send JSON text messages; binary messages are not understood")
                command = parse(text)
            except ProtocolError as e:
                await self.send(e.answer())
                continue
            try:
                self.commands.put_nowait(command)
            except asyncio.QueueFull:
                await self.send(p.Error(code="queue_full", in_reply_to=reply_to(command),
                                        message=f"{MAX_QUEUED_COMMANDS} messages are already waiting; this one was "
                                                "dropped: wait for answers before sending more"))
                continue
            if command.type in INTERRUPTING:
                self.interrupt += 1

    # --- the driver: applies commands in order, trains, sends frames ----------------------------------

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        pacer = Pacer(loop.time())
        try:
            while True:
                if not (self.experiment is not None and (self.playing or self.pending_steps)):
                    await self._apply(await self.commands.get())
                    pacer.idle(loop.time())
                    continue
                # Commands wait until a `step` is done (so they answer in order), unless one interrupts it.
                while not self.commands.empty() and (not self.pending_steps or self.interrupt):
                    await self._apply(self.commands.get_nowait())
                if not (self.playing or self.pending_steps):
                    continue
                chunk = pacer.plan(loop.time(), self.pending_steps, self.speed, self.settings.max_speed)
                if chunk.wait is not None:
                    with suppress(TimeoutError):
                        await self._apply(await asyncio.wait_for(self.commands.get(), chunk.wait))
                    continue
                await self._train(chunk, pacer)
        except (WebSocketDisconnect, asyncio.CancelledError):
            raise
        except Exception:
            log.exception("live session failed")
            with suppress(Exception):
                await self.ws.close(CLOSE_INTERNAL, "the server hit an error in this session; reload to start again")

    async def _train(self, chunk, pacer: Pacer) -> None:
        """One chunk (a turn of the loop, or on the training thread), then its events, its frame and grids when due,
        and the state when done."""
        loop = asyncio.get_running_loop()
        exp = self.experiment
        if self.costs is not None and self.costs.of() is exp and self.costs.light:
            async with loop_turns().turn(self.loop_cpu) as turn:
                events, frame, boundaries, done = self._work(
                    exp, chunk.steps, min(chunk.seconds, TURN_SECONDS), chunk.frame_due, chunk.boundary_due)
                turn.usual = self.costs.of_turn(done, frame is not None, bool(boundaries))
        else:
            seconds = TrainingTurns.share(chunk.seconds, self.settings.training_threads)
            TrainingTurns.busy += 1
            try:
                events, frame, boundaries, done = await self.in_pool(
                    self._work, exp, chunk.steps, seconds, chunk.frame_due, chunk.boundary_due)
            finally:
                TrainingTurns.busy -= 1
        if exp is not self.experiment:
            return  # replaced while the chunk ran
        if self.pending_steps:
            self.pending_steps -= done
        else:
            pacer.spend(done)
        for event in events:
            await self.send(event)
        # Stopped between two runs, or nothing new to show: the frame stays due. The grids likewise.
        if frame is not None:
            # The frame's usual cost, not this one's: one garbage collection would space the next frames out.
            pacer.frame_sent(loop.time(), self.costs.frame, self.frame_rate)
            await self._send_text(frame)
        await self._send_bytes(boundaries)
        if chunk.boundary_due and not exp.mid_step:
            pacer.boundary_sent(loop.time(), self.settings.boundary_rate)
        if exp.finished and (self.playing or self.pending_steps):
            self.playing, self.pending_steps = False, 0  # every run diverged: stop rather than spin
        if not self.pending_steps and not self.playing:
            await self.send_frame_now()
            await self.send_state()

    def _work(self, exp: Experiment, steps: int, seconds: float, frame_due: bool, boundary_due: bool):
        """On the worker thread or a turn of the loop: a chunk of training and, when due, the frame to send."""
        before, started = exp.step, time.thread_time()
        if self.costs is None or self.costs.of() is not exp:
            self.costs = Costs(exp)
        if (frame_due or boundary_due) and exp.mid_step:
            steps = 1  # end at the end of the step the last chunk stopped in: the frame is built there
        events = exp.advance(steps, seconds)
        if exp.step > before:
            self.costs.add("step", (time.thread_time() - started) / (exp.step - before))
        # Nothing new to show: send nothing (a streamed frame shows the step before exp.step).
        changed = not exp.mid_step and self._frame_sent_for not in ((id(exp), exp.step), (id(exp), exp.step - 1))
        # This thread's own CPU: wall time would count every other session's turn on the GIL as this frame's cost.
        started = time.thread_time()
        frame, boundaries = None, []
        if frame_due and changed:
            frame = self._frame_json(exp, streamed=not self.pending_steps)
            self.costs.add("frame", time.thread_time() - started)
        if boundary_due and changed:
            grids_from = time.thread_time()
            boundaries = exp.boundary_frames()
            self.costs.add("grids", time.thread_time() - grids_from)
        return events, frame, boundaries, exp.step - before

    def _frame_json(self, exp: Experiment, streamed: bool = False) -> str:
        """`streamed`: while playing, the frame of the last step, from the passes it computed (no extra pass)."""
        frame = exp.last_step_frame() if streamed else exp.frame()
        self._frame_sent_for = (id(exp), frame.step)
        return frame.model_dump_json()

    async def send_frame_now(self) -> None:
        exp = self.experiment
        if exp is None or self._frame_sent_for == (id(exp), exp.step):
            return
        await self._send_text(await self.in_pool(self._frame_json, exp))
        await self._send_bytes(await self.in_pool(exp.boundary_frames))

    # --- commands -----------------------------------------------------------------------------------

    async def _apply(self, command: BaseModel) -> None:
        """Obey one command; what cannot be obeyed is answered with an `error` naming the command."""
        if command.type in INTERRUPTING:
            self.interrupt -= 1  # counted until applied: an interrupt already applied lets no later command jump
        if self.experiment is not None and self.experiment.mid_step:
            # Every command sees the runs at one step: finish the step a chunk stopped in.
            for event in await self.in_pool(self.experiment.finish_step):
                await self.send(event)
        try:
            if command.type != "configure" and self.experiment is None:
                raise ProtocolError("not_configured", f"send a configure message before {command.type!r}")
            await HANDLERS[command.type](self, command)
        except ProtocolError as e:
            await self.send(e.answer(command))
