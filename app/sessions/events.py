"""What an experiment reports about a run: an id for the page to act on, a headline and a detail for people."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from app.nn.diagnostics import Cause

EventKind = Literal["diverged", "collapsed", "plateau", "converged", "gradcheck"]
Verdict = Literal["agrees", "wrong", "not_meaningful"]


class EventCause(BaseModel):
    id: str  # app/nn/diagnostics.py's Cause.code
    headline: str
    detail: str
    suggestion: str

    @classmethod
    def of(cls, cause: Cause) -> EventCause:
        return cls(id=cause.code, headline=cause.headline, detail=cause.message, suggestion=cause.suggestion)


class GradcheckLayer(BaseModel):
    layer: int
    relative_error: float
    max_abs_difference: float
    verdict: Verdict


class Event(BaseModel):
    """`cause`: for collapsed and plateau the main diagnostic cause's id, else an id of what happened
    ("diverged", "converged", or the gradient check's verdict). It never names the run: `run` does."""
    type: Literal["event"] = "event"
    event: EventKind
    run: str
    step: int
    cause: str
    headline: str
    detail: str
    suggestion: str | None = None
    causes: list[EventCause] | None = None
    layers: list[GradcheckLayer] | None = None  # gradcheck only
