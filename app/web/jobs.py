"""A REST computation as a job: the raw request body in, (status, JSON bytes) out, runnable in any thread or process.

The job parses and validates the body itself (pydantic's JSON parser), runs the computation and encodes the answer,
so whoever runs it only moves bytes (app/web/compute.py). A refused body gets the 422 (or 400) FastAPI would give.
"""

from __future__ import annotations

import email.message
import json
from dataclasses import dataclass
from typing import Any, Callable

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from app.settings import Settings
from app.web.errors import StrictJSONResponse, body_invalid, validation_answer

Answer = tuple[int, bytes]


@dataclass(frozen=True)
class Job:
    request: type[BaseModel]
    response: type[BaseModel]
    compute: Callable[[Any, Settings], Any]  # (the validated body, settings) -> a response model, or its dict


JOBS: dict[str, Job] = {}


def job(kind: str, request: type[BaseModel], response: type[BaseModel]) -> Callable:
    """Register `compute` as the job `kind`, taking a `request` body and answering a `response`."""
    def register(compute: Callable[[Any, Settings], Any]) -> Callable[[Any, Settings], Any]:
        JOBS[kind] = Job(request, response, compute)
        return compute
    return register


def run(kind: str, raw: bytes, content_type: str | None, settings: Settings) -> Answer:
    spec = JOBS[kind]
    try:
        answer = spec.compute(_body(spec.request, raw, content_type), settings)
    except RequestValidationError as e:
        return 422, validation_answer(e.errors()).body
    except HTTPException as e:
        return e.status_code, StrictJSONResponse({"detail": e.detail}).body
    if not isinstance(answer, BaseModel):
        answer = spec.response.model_validate(answer)
    return 200, answer.model_dump_json().encode()


def _is_json(content_type: str | None) -> bool:
    """As FastAPI decides: application/json or application/*+json; no content type is not JSON."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


def _body(model: type[BaseModel], raw: bytes, content_type: str | None) -> BaseModel:
    if raw and _is_json(content_type):
        try:
            return model.model_validate_json(raw)
        except ValidationError:
            pass  # said below exactly as FastAPI says it: its parser's positions, its 400s, its Python-mode errors
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required"}])
    body: Any = raw  # FastAPI validates a body that is not JSON as bytes, which no model accepts
    if _is_json(content_type):
        try:
            body = json.loads(raw)
        except json.JSONDecodeError as e:
            raise RequestValidationError([{"type": "json_invalid", "loc": ("body", e.pos), "msg": e.msg}]) from None
        except (ValueError, RecursionError):  # not UTF-8, or nested too deeply
            raise HTTPException(400, "There was an error parsing the body") from None
    try:
        return model.model_validate(body, from_attributes=True)
    except ValidationError as e:
        raise body_invalid(e) from None


# In a child process (app/web/compute.py): the server's settings, given once when the child starts.
_settings: Settings | None = None


def start_child(settings: Settings) -> None:
    global _settings
    _settings = settings
    from app.cli import one_blas_thread
    one_blas_thread()  # as `serve` has for the server: a multi-threaded BLAS collapses when the cores are busy
    from app.web.routers import backprop, check, training  # importing them registers their jobs
    del backprop, check, training


def run_in_child(kind: str, raw: bytes, content_type: str | None) -> Answer:
    assert _settings is not None, "start_child() runs first, as the process pool's initializer"
    return run(kind, raw, content_type, _settings)
