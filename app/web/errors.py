"""Validation errors a learner can act on, and JSON that never holds NaN or Infinity.

FastAPI's default 422 handler echoes the offending input; when that input holds NaN or Infinity
the echo cannot be encoded and the 422 turns into a 500. This handler says where and what, and
leaves the input out.

Each item of a 422's `detail` has FastAPI's `loc`, `msg` and `type`, and `field`: the dotted path inside the
body, query or path ("model.W.0", "inputs.3", "limit"), null for the body as a whole. The socket's
`error.field` follows the same convention.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError

from app.nn.model_doc import NOT_FINITE

REQUEST_PARTS = ("body", "query", "path", "header", "cookie")  # where FastAPI's locations start


class StrictJSONResponse(JSONResponse):
    """Refuses to write NaN or Infinity (which browsers' JSON.parse rejects) instead of sending it."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode()


def json_answer(answer: BaseModel) -> Response:
    """`answer` encoded here, for an endpoint to return: a plain `def` endpoint runs on a worker thread, while a
    model it returns is encoded by FastAPI on the event loop, holding every other request up (a 106 MB answer
    froze /api/health for 3.2 s). pydantic's encoder is ~10× faster than json.dumps and writes a non-finite
    number as null, never NaN; the endpoints refuse non-finite numbers before this."""
    return Response(answer.model_dump_json(), media_type="application/json")


def invalid(loc: Sequence[str | int], message: str, kind: str = "value_error") -> RequestValidationError:
    """A 422 for a request that parsed but makes no sense, pointing at the field to fix; `kind` is its `type`."""
    return RequestValidationError([{"loc": tuple(loc), "msg": message, "type": kind}])


def plain_message(error: dict[str, Any]) -> str:
    """One pydantic error in words a beginner can act on: what is wrong and what is allowed."""
    kind, ctx = error.get("type"), error.get("ctx") or {}
    items = lambda n: f"{n:,} item{'' if n == 1 else 's'}"  # noqa: E731
    if kind == "finite_number":
        return NOT_FINITE
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return "this field is not permitted here (check its spelling; the API reference at /docs lists the fields)"
    if kind == "too_short" and "min_length" in ctx:
        return f"needs at least {items(ctx['min_length'])}; got {items(ctx.get('actual_length', 0))}"
    if kind == "too_long" and "max_length" in ctx:
        return f"at most {items(ctx['max_length'])} allowed; got {items(ctx.get('actual_length', 0))}"
    return error.get("msg", "invalid value")


def field_of(loc: Sequence[str | int], kind: str | None = None) -> str | None:
    """The dotted path a location names inside the request: ("body", "model", "W", 0) -> "model.W.0"."""
    if kind == "json_invalid":  # its loc ends in a character offset: the body as a whole is at fault
        return None
    inside = loc[1:] if loc and loc[0] in REQUEST_PARTS else loc
    return ".".join(map(str, inside)) or None


def _plain(error: dict[str, Any]) -> dict[str, Any]:
    loc, kind = list(error.get("loc", ())), error.get("type", "value_error")
    return {"loc": loc, "msg": plain_message(error), "type": kind, "field": field_of(loc, kind)}


def body_invalid(error: ValidationError) -> RequestValidationError:
    """A request body validated by hand (app/web/jobs.py) refused as FastAPI refuses it: each `loc` from "body"."""
    return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)])


def validation_answer(errors: Sequence[dict[str, Any]]) -> StrictJSONResponse:
    """The 422 this app answers for a RequestValidationError's errors."""
    return StrictJSONResponse({"detail": [_plain(e) for e in errors]}, status_code=422)


async def _validation_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    return validation_answer(exc.errors())


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_handler)
