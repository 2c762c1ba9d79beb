"""One WebSocket connection is one live session: it owns an experiment and streams it to the browser.

Two tasks per session. The receiver reads and checks client messages and queues the valid ones; the
driver applies them in order, trains in chunks of about 20 ms on a worker thread (never on the event
loop), and sends frames at the frame rate, whatever the training speed. When the socket closes, the
receiver returns and the driver is cancelled: nothing of the session is left.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from app import datasets
from app.nn import HIDDEN_ACTIVATIONS, INITS, OPTIMIZERS, RUN_KINDS, OutputLayer, to_document
from app.sessions.config import ConfigError, check_limits
from app.sessions.experiment import BOUNDARY_SIZE, GRADCHECK_ABSOLUTE, GRADCHECK_RELATIVE, Experiment
from app.settings import Settings
from app.store import ModelStore, StoreError
from app.web import protocol as p
from app.web.errors import plain_message

log = logging.getLogger(__name__)

CHUNK_SECONDS = 0.02  # training time per trip to the worker thread: long enough to amortise, short enough to react
MIN_CHUNK_SECONDS = 0.002
FRAME_SHARE_FACTOR = 9  # wait at least 9× a frame's cost before the next one: frames take ≤ 10% of the time
MAX_CREDIT_SECONDS = 0.25  # a slow machine does not build up a backlog of steps to catch up on
INTERRUPTING = {"pause", "reset", "configure"}  # these stop a long `step` instead of waiting for it
UNION_TAGS = {"int", "float", "str", "bool", "none", "list", "dict"}
MAX_QUEUED_COMMANDS = 64  # a client flooding the socket gets errors, not an ever-growing queue
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011


@functools.cache
def training_pool(threads: int) -> ThreadPoolExecutor:
    """The threads that run the training chunks of every session in this process (settings.training_threads;
    0: one per CPU). Bounded on purpose: with many sessions playing, more threads than CPUs only add GIL
    contention and starve the event loop and the REST API; the pool's queue serves the sessions in turn."""
    return ThreadPoolExecutor(threads or os.cpu_count() or 1, thread_name_prefix="backprop-lab-training")


class SessionRegistry:
    """The open sessions of one app, so the cap can be enforced and tests can see that none leak."""

    def __init__(self) -> None:
        self.sessions: set[LiveSession] = set()


def _reject_constant(name: str) -> float:
    raise ValueError("NaN and Infinity are not allowed; every number must be finite")


def _field(loc: tuple) -> str:
    """The dotted path of the field a learner wrote, without pydantic's tags for union members."""
    parts = list(loc[1:])  # loc[0] is the message type, the tag of the discriminated union
    for i, part in enumerate(parts):
        if isinstance(part, str) and (not part.isidentifier() or part in UNION_TAGS):
            parts = parts[:i]
            break
    return ".".join(str(part) for part in parts)


def hello(settings: Settings) -> p.Hello:
    kinds = {}
    for kind in RUN_KINDS:
        output = OutputLayer.from_kind(kind)
        kinds[kind] = {"output_activation": output.activation, "loss": output.loss,
                       "delta_formula": output.delta_formula, "mistake": output.elementwise_mistake}
    return p.Hello(
        limits={"max_runs": settings.max_runs, "max_hidden_layers": settings.max_hidden_layers,
                "max_units": settings.max_units, "max_parameters": settings.max_live_parameters,
                "max_speed": settings.max_speed, "max_frame_rate": settings.max_frame_rate,
                "max_steps_per_message": settings.max_steps_per_message,
                "max_message_bytes": settings.max_message_bytes, "idle_timeout": settings.idle_timeout},
        defaults={"speed": settings.default_speed, "frame_rate": settings.default_frame_rate,
                  "boundary_rate": settings.boundary_rate,
                  "config": p.ExperimentConfig().model_dump()},
        datasets=[datasets.describe(spec) for spec in datasets.DATASETS.values()],
        run_kinds=kinds,
        hidden_activations=list(HIDDEN_ACTIVATIONS),
        inits=INITS,
        optimizers=OPTIMIZERS,
        gradcheck_rule={"relative_error": GRADCHECK_RELATIVE, "max_abs_difference": GRADCHECK_ABSOLUTE},
    )


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

    async def _in_pool(self, fn, *args):
        """Session work (training, frames, building experiments) off the event loop, on the shared pool."""
        pool = training_pool(self.settings.training_threads)
        return await asyncio.get_running_loop().run_in_executor(pool, functools.partial(fn, *args))

    # --- sending --------------------------------------------------------------------------------

    async def _send_text(self, text: str) -> None:
        async with self._send_lock:
            await self.ws.send_text(text)

    async def send(self, message: BaseModel) -> None:
        await self._send_text(message.model_dump_json())

    async def error(self, message: str, field: str | None = None) -> None:
        await self.send(p.Error(message=message, field=field))

    async def _send_state(self) -> None:
        step = self.experiment.step if self.experiment else 0
        await self.send(p.State(playing=self.playing, step=step, speed=self.speed, frame_rate=self.frame_rate))

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
        while True:
            try:
                message = await asyncio.wait_for(self.ws.receive(), self.settings.idle_timeout)
            except TimeoutError:
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
            if text is None:
                await self.error("send JSON text messages; binary messages are not understood")
                continue
            command = await self._parse(text)
            if command is None:
                continue
            try:
                self.commands.put_nowait(command)
            except asyncio.QueueFull:
                await self.error(f"{MAX_QUEUED_COMMANDS} messages are already waiting; "
                                 f"this {command.type!r} was dropped: wait for answers before sending more")
                continue
            if command.type in INTERRUPTING:
                self.interrupt += 1

    async def _parse(self, text: str) -> BaseModel | None:
        try:
            raw = json.loads(text, parse_constant=_reject_constant)
        except ValueError as e:
            await self.error(f"not valid JSON: {e}")
            return None
        except RecursionError:  # '[[[[…' nested a thousand deep: no message of the protocol looks like that
            await self.error("not valid JSON: nested too deeply")
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            await self.error('every message is a JSON object with a "type"; allowed types: ' + ", ".join(p.CLIENT_TYPES))
            return None
        if raw["type"] not in p.CLIENT_TYPES:
            await self.error(f"unknown message type {raw['type']!r}; allowed: {', '.join(p.CLIENT_TYPES)}", "type")
            return None
        try:
            return p.client_message.validate_python(raw)
        except ValidationError as e:
            first = e.errors(include_input=False, include_url=False)[0]
            field = _field(first["loc"])
            await self.error(f"{raw['type']}: {field or 'message'}: {plain_message(first)}", field or None)
            return None

    # --- the driver: applies commands in order, trains, sends frames ----------------------------------

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        next_frame = next_boundary = credit_from = loop.time()
        credit = 0.0
        try:
            while True:
                busy = self.experiment is not None and (self.playing or self.pending_steps)
                if not busy:
                    await self._apply(await self.commands.get())
                    credit, credit_from = 0.0, loop.time()
                    continue
                # Commands wait until a `step` is done (so they answer in order), unless one interrupts it.
                while not self.commands.empty() and (not self.pending_steps or self.interrupt):
                    await self._apply(self.commands.get_nowait())
                if not (self.playing or self.pending_steps):
                    continue
                now = loop.time()
                if self.pending_steps:
                    steps = self.pending_steps
                elif self.speed == "max":
                    steps = max(1, int(self.settings.max_speed * CHUNK_SECONDS))
                else:
                    credit = min(credit + (now - credit_from) * self.speed, self.speed * MAX_CREDIT_SECONDS + 1)
                    credit_from = now
                    steps = int(credit)
                # End the chunk when the next frame is due, so frames keep their rate at any speed.
                seconds = min(CHUNK_SECONDS, max(next_frame - now, MIN_CHUNK_SECONDS))
                frame_due = now + seconds >= next_frame
                if steps == 0 and not frame_due:
                    wait = min(next_frame - now, (1 - credit) / self.speed)
                    with suppress(TimeoutError):
                        await self._apply(await asyncio.wait_for(self.commands.get(), max(wait, 0.001)))
                    continue
                boundary_due = now + seconds >= next_boundary
                exp = self.experiment
                events, frame, boundaries, done, frame_cost = await self._in_pool(
                    self._work, exp, steps, seconds, frame_due, boundary_due)
                if exp is not self.experiment:
                    continue  # replaced while the chunk ran
                if self.pending_steps:
                    self.pending_steps -= done
                else:
                    credit -= done
                for event in events:
                    await self.send(p.Event(**event.__dict__))
                if frame_due:
                    # On schedule, unless we fell behind; and never so often that frames take more
                    # than a tenth of the time (a large dataset's frames cost milliseconds to build).
                    next_frame = max(next_frame + 1 / self.frame_rate, loop.time() + FRAME_SHARE_FACTOR * frame_cost)
                if frame is not None:
                    await self._send_text(frame)
                for blob in boundaries:
                    async with self._send_lock:
                        await self.ws.send_bytes(blob)
                if boundary_due:
                    next_boundary = max(next_boundary + 1 / self.settings.boundary_rate, loop.time())
                if exp.finished and (self.playing or self.pending_steps):
                    self.playing, self.pending_steps = False, 0  # every run diverged: stop rather than spin
                if not self.pending_steps and not self.playing:
                    await self._send_frame_now()
                    await self._send_state()
        except (WebSocketDisconnect, asyncio.CancelledError):
            raise
        except Exception:
            log.exception("live session failed")
            with suppress(Exception):
                await self.ws.close(CLOSE_INTERNAL, "the server hit an error in this session; reload to start again")

    def _work(self, exp: Experiment, steps: int, seconds: float, frame_due: bool, boundary_due: bool):
        """On the worker thread: a chunk of training and, when due, the frame to send."""
        before = exp.step
        events = exp.advance(steps, seconds)
        changed = self._frame_sent_for != (id(exp), exp.step)  # nothing new to show: send nothing
        started = time.perf_counter()
        frame = self._frame_json(exp) if frame_due and changed else None
        boundaries = exp.boundary_frames() if boundary_due and changed else []
        return events, frame, boundaries, exp.step - before, time.perf_counter() - started

    def _frame_json(self, exp: Experiment) -> str:
        self._frame_sent_for = (id(exp), exp.step)
        return p.Frame.model_validate(exp.frame()).model_dump_json()

    async def _send_frame_now(self) -> None:
        exp = self.experiment
        if exp is None or self._frame_sent_for == (id(exp), exp.step):
            return
        frame = await self._in_pool(self._frame_json, exp)
        await self._send_text(frame)
        for blob in await self._in_pool(exp.boundary_frames):
            async with self._send_lock:
                await self.ws.send_bytes(blob)

    # --- commands -----------------------------------------------------------------------------------

    async def _apply(self, command: BaseModel) -> None:
        handler = getattr(self, f"_on_{command.type}")
        if command.type in INTERRUPTING:
            self.interrupt -= 1  # counted until applied: an interrupt already applied lets no later command jump
        if command.type not in ("configure",) and self.experiment is None:
            await self.error(f"send a configure message before {command.type!r}")
            return
        await handler(command)

    async def _on_configure(self, command: p.Configure) -> None:
        if await self._bad_rates(command.speed, command.frame_rate):
            return
        config = p.ExperimentConfig.model_validate(command.model_dump(exclude={"type", "speed", "frame_rate"}))
        try:
            data = await self._in_pool(check_limits, config, self.settings)
        except ConfigError as e:
            await self.error(f"configure: {e.field}: {e.message}", e.field)
            return
        self.experiment = await self._in_pool(Experiment, config, data)
        self.playing, self.pending_steps = False, 0
        self.speed = command.speed or self.speed
        self.frame_rate = command.frame_rate or self.frame_rate
        exp = self.experiment
        boundary = None
        if exp.two_d:
            boundary = {"size": BOUNDARY_SIZE, "extent": list(exp.extent),
                        "format": "b'BLB1', u32 step, u16 run, u16 classes, u16 width, u16 height, float32 data"}
        await self.send(p.Configured(config=config.model_dump(), layer_sizes=exp.layer_sizes,
                                     inputs=data.inputs.tolist(), labels=data.labels.tolist(),
                                     class_names=data.class_names, boundary=boundary))
        await self._send_state()
        await self._send_frame_now()

    async def _on_play(self, command: p.Play) -> None:
        self.playing, self.pending_steps = True, 0
        await self._send_state()

    async def _on_pause(self, command: p.Pause) -> None:
        self.playing, self.pending_steps = False, 0
        await self._send_state()
        await self._send_frame_now()

    async def _on_step(self, command: p.Step) -> None:
        if command.count > self.settings.max_steps_per_message:
            await self.error(f"step: count: at most {self.settings.max_steps_per_message} steps per message", "count")
            return
        self.playing = False
        self.pending_steps += command.count

    async def _on_reset(self, command: p.Reset) -> None:
        config = self.experiment.config
        self.experiment = await self._in_pool(Experiment, config, self.experiment.data)
        self.playing, self.pending_steps = False, 0
        await self._send_state()
        await self._send_frame_now()

    async def _on_set(self, command: p.Set) -> None:
        exp = self.experiment
        if await self._bad_rates(command.speed, command.frame_rate):
            return
        if command.run is not None and command.run not in [r.id for r in exp.runs]:
            await self.error(f"set: run: no run {command.run!r}; runs: {', '.join(r.id for r in exp.runs)}", "run")
            return
        if command.example is not None and command.example >= len(exp.X):
            await self.error(f"set: example: the dataset has {len(exp.X)} examples; example must be below that",
                             "example")
            return
        if command.learning_rate is not None:
            exp.set_learning_rate(command.learning_rate, command.run)
        if command.example is not None:
            exp.config = exp.config.model_copy(update={"example": command.example})
            for run in exp.runs:
                run.last_frame = None
            self._frame_sent_for = None
        self.speed = command.speed or self.speed
        self.frame_rate = command.frame_rate or self.frame_rate
        await self._send_state()
        if not self.playing:
            await self._send_frame_now()

    async def _bad_rates(self, speed: Any, frame_rate: int | None) -> bool:
        if isinstance(speed, int) and speed > self.settings.max_speed:
            await self.error(f"speed: at most {self.settings.max_speed} steps per second, or \"max\"", "speed")
            return True
        if frame_rate is not None and frame_rate > self.settings.max_frame_rate:
            await self.error(f"frame_rate: at most {self.settings.max_frame_rate} frames per second", "frame_rate")
            return True
        return False

    async def _on_gradcheck(self, command: p.Gradcheck) -> None:
        exp = self.experiment
        if command.run is not None and command.run not in [r.id for r in exp.runs]:
            await self.error(f"gradcheck: run: no run {command.run!r}", "run")
            return
        if exp.runs[0].net.parameter_count > self.settings.max_gradcheck_parameters:
            await self.error(f"gradcheck: the network has too many parameters for a gradient check (at most "
                             f"{self.settings.max_gradcheck_parameters})")
            return
        for event in await self._in_pool(exp.gradcheck, command.run):
            await self.send(p.Event(**event.__dict__))

    async def _on_history(self, command: p.History) -> None:
        exp = self.experiment
        steps, values = list(exp.history.steps), list(exp.history.values)
        if not steps or steps[-1] < exp.step:  # the history holds steps taken; add where the runs are now
            steps.append(exp.step)
            values.append(await self._in_pool(exp.current_losses))
        await self.send(p.HistoryReply(runs=[r.id for r in exp.runs], steps=steps, loss=values))

    async def _finite_run(self, command: p.Save | p.GetModel):
        """The run the command names, or None after telling the client why it cannot have it."""
        exp = self.experiment
        run = next((run for run in exp.runs if run.id == command.run), None)
        if run is None:
            await self.error(f"{command.type}: run: no run {command.run!r}; runs: {', '.join(r.id for r in exp.runs)}",
                             "run")
        elif not all(np.isfinite(param).all() for param in run.net.parameters):
            await self.error(f"{command.type}: run {run.id} diverged and its weights are no longer finite numbers; "
                             "reset it first", "run")
            run = None
        return run

    async def _on_save(self, command: p.Save) -> None:
        exp = self.experiment
        run = await self._finite_run(command)
        if run is None:
            return
        name = command.name or f"{run.spec.kind} on {exp.config.dataset.name}, step {exp.step}"
        document = to_document(run.net)
        try:
            record = await asyncio.to_thread(self.store.save, name, document, source="socket", kind=run.spec.kind,
                                             class_names=exp.data.class_names or None)
        except StoreError as e:
            await self.error(f"save: {e.message}", "name" if getattr(e, "loc", ("",))[0] == "name" else None)
            return
        await self.send(p.Saved(run=run.id, step=exp.step, model=record.as_json()))

    async def _on_model(self, command: p.GetModel) -> None:
        exp = self.experiment
        run = await self._finite_run(command)
        if run is None:
            return
        await self.send(p.ModelReply(run=run.id, step=exp.step, kind=run.spec.kind, model=to_document(run.net)))

