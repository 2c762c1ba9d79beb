"""The WebSocket protocol: every message, both ways, as a pydantic model. docs/protocol.md has examples."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, Strict, TypeAdapter

from app.sessions.config import Count, ExperimentConfig
from app.sessions.events import Event, EventCause, GradcheckLayer  # noqa: F401 (part of the protocol)
from app.sessions.frames import Frame, Histogram, LayerFrame, OutputFrame, RunFrame, WeightsFrame  # noqa: F401
from app.sessions.history import CAPACITY as HISTORY_CAPACITY
from app.nn import MAX_REGULARIZATION_RATE
from app.nn.training import PARAMETER_BOUND
from app.spec import Number, Spec, Text

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
    run: Text | None = Field(None, description="the run whose learning rate changes; all runs when left out")
    speed: Speed | None = None
    frame_rate: FrameRate | None = None
    example: Count | None = Field(None, ge=0, description="the example the math panel shows")
    regularization_rate: Number | None = Field(None, ge=0, le=MAX_REGULARIZATION_RATE,
                                               description="λ of every run, without a restart (not with `run`)")


class Gradcheck(Spec):
    """Compare each run's backprop with central differences; answered with `gradcheck` events."""
    type: Literal["gradcheck"]
    run: Text | None = Field(None, description="one run's id; all runs when left out")


class History(Spec):
    """Ask for the loss history (every step up to a cap, then decimated); answered with a `history` message."""
    type: Literal["history"]


class Save(Spec):
    """Save one run's current model in the model store; answered with `saved`."""
    type: Literal["save"]
    run: Text
    name: Text | None = Field(None, min_length=1, max_length=200,
                             description="defaults to the run kind, the dataset and the step")


class SetWeight(Spec):
    """Set one weight w_jk of one run, live (training goes on from it); answered with `state` (and a frame when
    paused)."""
    type: Literal["set_weight"]
    run: Text
    layer: Count = Field(ge=0, description="the weight layer, 0 = from the inputs")
    j: Count = Field(ge=0, description="the unit of layer `layer` + 1 the weight leads to (a row of W)")
    k: Count = Field(ge=0, description="the unit of layer `layer` it comes from (a column of W)")
    value: Number = Field(ge=-PARAMETER_BOUND, le=PARAMETER_BOUND,
                          description="the new weight; a weight past this bound counts as diverged")


class GetModel(Spec):
    """Ask for one run's current model as a model document; answered with `model`."""
    type: Literal["model"]
    run: Text
    features: bool = Field(False, description="true: a run trained on input features is answered too, its model "
                                              "reading `configured.network_inputs` (the check panel); false: "
                                              "refused, as `save` refuses it")


ClientMessage = Annotated[Union[Configure, Play, Pause, Step, Reset, Set, Gradcheck, History, Save, GetModel,
                                SetWeight], Field(discriminator="type")]
client_message = TypeAdapter(ClientMessage)
CLIENT_TYPES = ("configure", "play", "pause", "step", "reset", "set", "gradcheck", "history", "save", "model",
                "set_weight")


# --- server to client ---------------------------------------------------------------------------

class RunKindInfo(BaseModel):
    label: str = Field(description="how people name it, e.g. \"softmax + CE\"")
    output_activation: str
    loss: str
    delta_formula: str = Field(description="δᴸ as plain text")
    delta_tex: str = Field(description="δᴸ in TeX")
    mistake: str | None = Field(description="the id of the learner's mistake this kind trains under "
                                            "(app/nn/mistakes.py's catalogue), or null for the right backprop")
    right_kind: str = Field(description="the kind of the same output layer and loss without the mistake")
    short_id: str = Field(description="a readable run id for this kind, at most 16 characters (\"sigmoid-mse\", "
                                      "\"sig-mse-mixed\"); the page names its runs by it")


class MistakeInfo(BaseModel):
    title: str = Field(description="a few words")
    sentence: str = Field(description="what the learner did, in plain words")
    fix: str = Field(description="what to write instead")
    equation: str = Field(description="the equation it breaks: forward, cost, BP1, BP2, BP3, BP4 or update")


class Limits(BaseModel):
    max_runs: int
    max_hidden_layers: int
    max_units: int
    max_parameters: int
    max_speed: int
    max_frame_rate: int
    max_steps_per_message: int
    max_message_bytes: int
    idle_timeout: float


class Defaults(BaseModel):
    speed: int
    frame_rate: int
    boundary_rate: float
    config: dict[str, Any] = Field(description="the default configure")


class Bounds(BaseModel):
    """A numeric setting's allowed values; null: no bound."""
    minimum: float | None = None
    exclusive_minimum: float | None = None
    maximum: float | None = None
    integer: bool = False


class Thresholds(BaseModel):
    reached_labels: float = Field(description="`converged`: every output within this of its label")
    mean_label: float = Field(description="outputs within this of the mean label count as stuck there")
    collapse_reported_from: int = Field(description="the earliest step a `collapsed` event can come at")
    plateau_note_after: int = Field(description="steps at the mean label before a `plateau` note")


class GradcheckRule(BaseModel):
    """A layer is "wrong" only past both: the relative error and the absolute difference."""
    relative_error: float
    max_abs_difference: float


class CodeLine(BaseModel):
    code: str = Field(description="one line of Python, indented as in the exported script")
    mistake: bool = Field(description="a mistake's line, shown beside the right one")


class CodeView(BaseModel):
    """The NumPy lines that compute each equation, those of the exported script (app/export/script/parts.py),
    for the math panel's code view. Lines by name: `layers` by hidden activation ({"forward", "prime"}),
    `outputs` by output activation, `costs` by loss, `backprop` by run kind ({"BP1", "BP2", "BP3", "BP4"}),
    `updates` by optimizer, `regularization` by regularization."""
    layers: dict[str, dict[str, list[CodeLine]]]
    outputs: dict[str, list[CodeLine]]
    costs: dict[str, list[CodeLine]]
    backprop: dict[str, dict[str, list[CodeLine]]]
    updates: dict[str, list[CodeLine]]
    regularization: dict[str, list[CodeLine]] = Field(description="by regularization: the line BP4 adds, ∂Ω/∂w")


class FeatureInfo(BaseModel):
    """An input feature of points in the plane (`dataset.features`)."""
    id: str
    label: str = Field(description="as TensorFlow Playground writes it, e.g. \"X₁²\"")
    description: str


class RegularizationInfo(BaseModel):
    label: str = Field(description="e.g. \"L2\"")
    description: str = Field(description="Ω and what it does to the weights, in plain words")
    gradient_text: str = Field(description="the term BP4 adds to ∂C/∂W, as plain text: \"+ λW\"")
    gradient_tex: str = Field(description="the same term in TeX")


class WeightsInfo(BaseModel):
    """When frames carry `weights`, and what `set_weight` accepts."""
    max_parameters: int = Field(description="frames carry the weights of networks of at most this many parameters")
    every_frames: int = Field(description="while playing, every this many frames; frames sent on request always")
    max_abs: float = Field(description="the largest |value| of `set_weight`")


class NeuronMapsInfo(BaseModel):
    """The binary per-neuron frames (`BLN1`) of 2-D sets."""
    max_hidden_units: int = Field(description="sent for networks of at most this many hidden units in all")
    size: int = Field(description="grid points per side")
    per_second: float = Field(description="at most this many per second")


class Hello(BaseModel):
    type: Literal["hello"] = "hello"
    protocol: int = PROTOCOL_VERSION
    limits: Limits
    defaults: Defaults
    datasets: list[dict[str, Any]]
    run_kinds: dict[str, RunKindInfo]
    mistakes: dict[str, MistakeInfo] = Field(description="the catalogue of mistakes (app/nn/mistakes.py), by id")
    hidden_activations: list[str]
    inits: dict[str, str]
    optimizers: dict[str, str]
    settings: dict[str, Bounds] = Field(description="bounds of the numeric settings, by field path")
    thresholds: Thresholds
    frame_examples: int = Field(description="a frame carries `outputs` and `delta` of this many examples, the first")
    gradcheck_rule: GradcheckRule
    code: CodeView
    features: list[FeatureInfo] = Field(description="the input features of points in the plane, in menu order")
    regularizations: dict[str, RegularizationInfo] = Field(description="by `regularization` id (l1, l2)")
    weights: WeightsInfo
    neuron_maps: NeuronMapsInfo


class Configured(BaseModel):
    """The experiment as it will run: the checked configuration and the data."""
    type: Literal["configured"] = "configured"
    config: dict[str, Any]
    layer_sizes: list[int]
    inputs: list[list[float]]
    labels: list[list[float]]
    test_inputs: list[list[float]] = Field(description="the test part (dataset.test_fraction), never trained on; "
                                                       "`inputs` and `labels` are the training part")
    test_labels: list[list[float]]
    network_inputs: list[list[float]] | None = Field(description="with `dataset.features`: what the network reads, "
                                                                 "the training part's features (rows of `inputs` "
                                                                 "expanded); null without features")
    class_names: list[str]
    task: Literal["classification", "regression"] = Field(
        "classification", description="regression: `labels` are one continuous target per example, no classes")
    boundary: dict[str, Any] | None = Field(description="grid size and extent for 2-D datasets, else null")


class State(BaseModel):
    """Where the session is: sent after every command that changes it."""
    type: Literal["state"] = "state"
    playing: bool
    step: int
    speed: int | Literal["max"]
    frame_rate: int


class HistoryReply(BaseModel):
    type: Literal["history"] = "history"
    runs: list[str]
    steps: list[int] = Field(description="every `stride`-th step from 0, then the current step")
    stride: int = Field(description=f"1 while the history holds at most {HISTORY_CAPACITY:,} steps (every step); past "
                                    "that 2, 4, ... so that it never holds more")
    loss: list[list[float | None]] = Field(description="loss[i][r]: run r's loss at steps[i]")
    measured_on: list[Literal["batch", "training_set"]] = Field(
        description="measured_on[i]: what loss[i] is the loss of: that step's mini-batch (or single example), "
                    "before its update, or the whole training set")
    test_loss: list[list[float | None]] | None = Field(None, description="test_loss[i][r]: run r's loss on the test "
                                                       "part at steps[i], measured every 8 steps (else null); null "
                                                       "without a test part")


class Saved(BaseModel):
    type: Literal["saved"] = "saved"
    run: str
    step: int
    model: dict[str, Any] = Field(description="the saved model's summary: id, name, created_at, kind, layer_sizes...")
    owner_key: str = Field(description="the secret that deletes the model (REST header X-Owner-Key) and lists it on a "
                                       "hosted server; sent only here")


class ModelReply(BaseModel):
    type: Literal["model"] = "model"
    run: str
    step: int
    kind: str
    model: dict[str, Any] = Field(description="a model document, as POST /api/backprop takes it")


ErrorCode = Literal["invalid_message", "invalid_value", "unknown_run", "run_diverged", "too_many_parameters",
                    "queue_full", "store_failed", "quota_exceeded", "not_configured"]


class InReplyTo(BaseModel):
    type: str = Field(description="the type of the command this answers")
    run: str | None = Field(None, description="the run the command named, if any")


class Error(BaseModel):
    """A command that cannot be obeyed; the session goes on as before."""
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str = Field(description="in plain words, without the field's path")
    field: str | None = Field(None, description="dotted path inside the command, e.g. \"dataset.params.eps\"")
    in_reply_to: InReplyTo | None = Field(None, description="null when the message was no command at all")


SERVER_MESSAGES = (Hello, Configured, State, Frame, Event, HistoryReply, Saved, ModelReply, Error)
