"""What an experiment reports about a run: an id for the page to act on, a headline and a detail for people."""

from __future__ import annotations

import math
from collections import deque
from typing import Literal

from pydantic import BaseModel

from app.nn.diagnostics import OSCILLATION_WINDOW, Cause, oscillation

EventKind = Literal["diverged", "collapsed", "plateau", "converged", "gradcheck", "oscillating"]
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
    ("diverged", "converged", "oscillating", or the gradient check's verdict). It never names the run: `run` does.
    `last_finite_step`, `last_finite_loss`: for diverged, the last step whose loss was a number, and that loss."""
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
    last_finite_step: int | None = None
    last_finite_loss: float | None = None


class SwingWatch:
    """A run's recent full-batch losses, and whether it was already reported oscillating (once per run)."""

    def __init__(self) -> None:
        # Bounded: a run that converged is no longer checked but still adds its losses.
        self.losses: deque[float] = deque(maxlen=OSCILLATION_WINDOW)
        self.reported = False

    def add(self, loss: float) -> None:
        self.losses.append(loss)

    def check(self, run: str, step: int, learning_rate: float) -> list[Event]:
        """An `oscillating` event when the last losses swing without falling; the older losses are dropped."""
        cause = None if self.reported else oscillation(self.losses, learning_rate)
        if cause is None:
            return []
        self.reported = True
        return [Event(event="oscillating", run=run, step=step, cause=cause.code, headline=cause.headline,
                      detail=cause.message, suggestion=cause.suggestion, causes=[EventCause.of(cause)])]


def with_last_finite(events: list[Event], step: int, loss: float | None) -> list[Event]:
    """`diverged` events with the last step whose loss was a number (this one, when `loss` is finite), so that the
    page draws the run up to there whatever frames it was sent."""
    if loss is not None and math.isfinite(loss):
        for event in events:
            if event.event == "diverged" and event.last_finite_step is None:
                event.last_finite_step, event.last_finite_loss = step, loss
    return events
