"""Where the REST API's heavy computations run: never on the event loop, and with `compute_processes` > 0 in child
processes, so a gradient check neither holds the event loop (JSON parsing included) nor shares the GIL with the live
sessions' training thread.

A job (app/web/jobs.py) is a kind and the request's raw bytes; the child parses, validates, computes and encodes,
and sends back a status and JSON bytes. The server pickles only bytes it read and unpickles only its child's answer.
Each child serves one job at a time; at most QUEUE_PER_PROCESS more wait for it, later ones get 503 with
Retry-After. A child that dies, or runs one job past TIME_LIMIT seconds, is killed and replaced: its request gets 503.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.models import OpenAPI
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from app.settings import Settings
from app.web import jobs
from app.web.errors import StrictJSONResponse

QUEUE_PER_PROCESS = 4  # jobs waiting for each child besides the one it runs
TIME_LIMIT = 30.0  # seconds of wall clock one job may take in a child (/api/train stops itself at TRAIN_TIME_LIMIT)
JOBS_PER_CHILD = 100  # then the child is replaced, giving back whatever its allocator kept
RETRY_AFTER = 5  # seconds, for a client turned away because every child is busy
REF_TEMPLATE = "#/components/schemas/{model}"

BUSY = "this server is busy with other computations; try again in a few seconds"
STOPPED = "the process computing this answer stopped; try again"
TOO_LONG = f"this computation took longer than {TIME_LIMIT:g} s and was stopped; send a smaller request"

UNAVAILABLE = {
    "description": "every compute process is busy (BACKPROP_LAB_COMPUTE_PROCESSES; try again after Retry-After "
                   "seconds), or the process computing the answer stopped or ran out of time",
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}},
}


def _unavailable(message: str, retry_after: int | None = None) -> Response:
    headers = {"retry-after": str(retry_after)} if retry_after else None
    return StrictJSONResponse({"detail": message}, status_code=503, headers=headers)


class _Child:
    """One child process behind a one-worker ProcessPoolExecutor, fed one job at a time, so that TIME_LIMIT counts
    only the job's own run and a kill stops no other request's job."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.jobs = 0  # running or waiting
        self._turn = asyncio.Lock()
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        # forkserver: a child is forked from a clean process holding the app's modules, never from this threaded one
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["app.web.app"])
        return ProcessPoolExecutor(1, mp_context=context, initializer=jobs.start_child, initargs=(self.settings,),
                                   max_tasks_per_child=JOBS_PER_CHILD)

    def pids(self) -> list[int]:
        return list(self._executor._processes or ())  # no public accessor; the pids of its (one) process

    def start(self) -> None:
        """Blocks until the child runs (the fork server's first start imports the app: most of a second)."""
        self._executor.submit(int).result()

    async def run(self, kind: str, raw: bytes, content_type: str | None) -> Response:
        self.jobs += 1
        try:
            async with self._turn:
                executor = self._executor
                try:
                    # In a thread: starting a child waits for the fork server, which must not hold the event loop.
                    try:
                        future = await anyio.to_thread.run_sync(executor.submit, jobs.run_in_child, kind, raw,
                                                                content_type)
                    except BrokenProcessPool:  # the child died while idle: this request is not to blame
                        self._replace(executor)
                        executor = self._executor
                        future = await anyio.to_thread.run_sync(executor.submit, jobs.run_in_child, kind, raw,
                                                                content_type)
                    status, content = await asyncio.wait_for(asyncio.wrap_future(future), TIME_LIMIT)
                except BrokenProcessPool:
                    self._replace(executor)
                    return _unavailable(STOPPED)
                except TimeoutError:
                    self._replace(executor)
                    return _unavailable(TOO_LONG)
                return Response(content, status_code=status, media_type="application/json")
        finally:
            self.jobs -= 1

    def _replace(self, executor: ProcessPoolExecutor) -> None:
        if executor is self._executor:
            self._stop(wait=False)  # on the event loop: no joining
            self._executor = self._new_executor()

    def close(self) -> None:
        self._stop(wait=True)  # its threads joined: none is left to race the interpreter's exit

    def _stop(self, wait: bool) -> None:
        for process in list((self._executor._processes or {}).values()):
            process.kill()  # a job that overran: shutdown() alone would wait for it
        self._executor.shutdown(wait=wait, cancel_futures=True)


class ComputePool:
    """`await pool.answer(request, kind)`: the job's answer, computed in a child process (compute_processes > 0) or
    in a worker thread of this process, as FastAPI runs a plain `def` endpoint (compute_processes = 0)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._children: list[_Child] | None = None  # made on first use, on the event loop (each holds a lock)

    def _started(self) -> list[_Child]:
        if self._children is None:
            self._children = [_Child(self.settings) for _ in range(self.settings.compute_processes)]
        return self._children

    async def start(self) -> None:
        """Start the children now rather than at the first request."""
        for child in self._started():
            await anyio.to_thread.run_sync(child.start)

    def pids(self) -> list[int]:
        return [pid for child in self._children or () for pid in child.pids()]

    async def answer(self, request: Request, kind: str) -> Response:
        try:
            raw = await request.body()  # BodyLimitMiddleware bounds it
        except ClientDisconnect:  # the client left, or the body limit has answered 413 already
            return Response(status_code=400)
        content_type = request.headers.get("content-type")
        children = self._started()
        if not children:
            status, content = await anyio.to_thread.run_sync(jobs.run, kind, raw, content_type, self.settings)
            return Response(content, status_code=status, media_type="application/json")
        child = min(children, key=lambda c: c.jobs)
        if child.jobs > QUEUE_PER_PROCESS:
            return _unavailable(BUSY, RETRY_AFTER)
        return await child.run(kind, raw, content_type)

    def close(self) -> None:
        for child in self._children or ():
            child.close()
        self._children = None


async def answer(request: Request, kind: str) -> Response:
    """The answer of the job `kind` to this request, from the app's pool."""
    return await request.app.state.compute.answer(request, kind)


_DOCUMENTED: dict[str, type[BaseModel]] = {}  # request models of the endpoints below, by name


def request_body(model: type[BaseModel]) -> dict:
    """`openapi_extra` for an endpoint that reads its body itself: its body documented as the JSON `model`, as
    FastAPI documents a body parameter (document_request_bodies() adds the model to the schema's components)."""
    _DOCUMENTED[model.__name__] = model
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}},
        "responses": {"422": {"description": "Validation Error", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}}}


def document_request_bodies(app: FastAPI) -> None:
    """Add the models request_body() names, and those they hold, to the app's OpenAPI components, written as
    FastAPI writes its own (through its OpenAPI model, without nulls)."""
    generate = app.openapi

    def openapi() -> dict:
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if all(name in components for name in _DOCUMENTED):
            return schema
        for name, model in _DOCUMENTED.items():
            own = model.model_json_schema(ref_template=REF_TEMPLATE)
            for held, definition in own.pop("$defs", {}).items():
                components.setdefault(held, definition)
            components[name] = own
        app.openapi_schema = jsonable_encoder(OpenAPI(**schema), by_alias=True, exclude_none=True)
        return app.openapi_schema

    app.openapi = openapi
