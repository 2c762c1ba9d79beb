"""The WebSocket protocol: every message, both ways, as a pydantic model. docs/protocol.md has examples."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, Strict, TypeAdapter

from app.sessions.config import Count, ExperimentConfig
from app.spec import Number, Spec

PROTOCOL_VERSION = 1

Speed = Annotated[int, Strict(), Field(ge=1)] | Literal["max"]
FrameRate = Annotated[int, Strict(), Field(ge=1)]


# --- client to server ---------------------------------------------------------------------------

class Configure(ExperimentConfig):
    """Start a new experiment (paused at step 0); replaces the current one."""
    type: Literal["configure"]
    speed: Speed | None = Field(None, description="training steps per second, or \"max\"")
    frame_rate: FrameRate | None = Field(None, description="frames per second")


class Play(Spec):
    type: Literal["play"]


class Pause(Spec):
    type: Literal["pause"]


class Step(Spec):
    """Take `count` steps now (while paused), then send a frame."""
    type: Literal["step"]
    count: Count = Field(1, ge=1)


class Reset(Spec):
    """Back to step 0 with the same starting weights."""
    type: Literal["reset"]


class Set(Spec):
    """Change settings while running; every field is optional."""
    type: Literal["set"]
    learning_rate: Number | None = Field(None, gt=0, le=1e6)
    run: str | None = Field(None, description="the run whose learning rate changes; all runs when left out")
    speed: Speed | None = None
    frame_rate: FrameRate | None = None
    example: Count | None = Field(None, ge=0, description="the example the math panel shows")


class Gradcheck(Spec):
    """Compare each run's backprop with central differences; answered with `gradcheck` events."""
    type: Literal["gradcheck"]
    run: str | None = Field(None, description="one run's id; all runs when left out")


class History(Spec):
    """Ask for the whole (decimated) loss history; answered with a `history` message."""
    type: Literal["history"]


class Save(Spec):
    """Save one run's current model in the model store; answered with `saved`."""
    type: Literal["save"]
    run: str
    name: str | None = Field(None, min_length=1, max_length=200,
                             description="defaults to the run kind, the dataset and the step")


class GetModel(Spec):
    """Ask for one run's current model as a model document; answered with `model`."""
    type: Literal["model"]
    run: str


ClientMessage = Annotated[Union[Configure, Play, Pause, Step, Reset, Set, Gradcheck, History, Save, GetModel],
                          Field(discriminator="type")]
client_message = TypeAdapter(ClientMessage)
CLIENT_TYPES = ("configure", "play", "pause", "step", "reset", "set", "gradcheck", "history", "save", "model")


# --- server to client ---------------------------------------------------------------------------

class Hello(BaseModel):
    type: Literal["hello"] = "hello"
    protocol: int = PROTOCOL_VERSION
    limits: dict[str, int | float]
    defaults: dict[str, Any]
    datasets: list[dict[str, Any]]
    run_kinds: dict[str, dict[str, Any]]
    hidden_activations: list[str]
    inits: dict[str, str]
    optimizers: dict[str, str]
    gradcheck_rule: dict[str, float]  # a layer is "wrong" only past both: relative error and absolute difference


class Configured(BaseModel):
    """The experiment as it will run: the checked configuration and the data."""
    type: Literal["configured"] = "configured"
    config: dict[str, Any]
    layer_sizes: list[int]
    inputs: list[list[float]]
    labels: list[list[float]]
    class_names: list[str]
    boundary: dict[str, Any] | None = Field(description="grid size and extent for 2-D datasets, else null")


class State(BaseModel):
    """Where the session is: sent after every command that changes it."""
    type: Literal["state"] = "state"
    playing: bool
    step: int
    speed: int | Literal["max"]
    frame_rate: int


class RunFrame(BaseModel):
    id: str
    kind: str
    status: Literal["training", "diverged"]
    converged_at: int | None
    loss: float | None
    outputs: list[list[float]]
    max_error: float | None
    layers: list[dict[str, Any]]
    output: dict[str, Any]


class Frame(BaseModel):
    type: Literal["frame"] = "frame"
    step: int
    runs: list[RunFrame]


class Event(BaseModel):
    type: Literal["event"] = "event"
    event: Literal["diverged", "collapsed", "plateau", "converged", "gradcheck"]
    run: str
    step: int
    message: str
    suggestion: str | None = None
    causes: list[dict[str, str]] | None = None
    layers: list[dict[str, int | float | str]] | None = None  # gradcheck: with a "verdict" per layer


class HistoryReply(BaseModel):
    type: Literal["history"] = "history"
    runs: list[str]
    steps: list[int]
    loss: list[list[float | None]] = Field(description="loss[i][r]: run r's loss at steps[i]")


class Saved(BaseModel):
    type: Literal["saved"] = "saved"
    run: str
    step: int
    model: dict[str, Any] = Field(description="the saved model's summary: id, name, created_at, kind, layer_sizes...")


class ModelReply(BaseModel):
    type: Literal["model"] = "model"
    run: str
    step: int
    kind: str
    model: dict[str, Any] = Field(description="a model document, as POST /api/backprop takes it")


class Error(BaseModel):
    type: Literal["error"] = "error"
    message: str
    field: str | None = None
