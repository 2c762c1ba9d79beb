"""Request and response bodies of the REST API. Their field descriptions are the reference at /docs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationInfo, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from app.nn import HIDDEN_ACTIVATIONS, LOSSES, MAX_REGULARIZATION_RATE, OUTPUT_ACTIVATIONS, REGULARIZATIONS
from app.spec import Number, OptimizerSpec, Spec, Text

Vector = list[Number]
Matrix = list[Vector]


def _name_of(names: tuple[str, ...]) -> Any:
    """Text listed as an enum in the schema; which names a model may use is check_model's to say (one message)."""
    return Annotated[str, Strict(), WithJsonSchema({"type": "string", "enum": list(names)})]


class ModelDocument(Spec):
    """A whole network: architecture and every weight, W[l] of shape [n_out][n_in]."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "layer_sizes": [2, 2], "hidden_activation": None, "output_activation": "softmax",
            "loss": "cross_entropy", "W": [[[0.1, -0.2], [0.3, 0.4]]], "b": [[0.0, 0.1]],
        }]},
    )
    layer_sizes: list[Annotated[int, Strict(), Field(ge=1)]] = Field(
        min_length=2, description="[n_in, hidden..., n_out]")
    hidden_activation: _name_of(HIDDEN_ACTIVATIONS) | None = Field(
        None, description="activation of every hidden layer; null when there is no hidden layer")
    output_activation: _name_of(OUTPUT_ACTIVATIONS)
    loss: _name_of(LOSSES) = Field(description="mse (½Σ(a−y)², averaged over examples), binary_cross_entropy (sigmoid "
                                   "outputs) or cross_entropy (softmax outputs)")
    W: list[Matrix] = Field(description="W[l] has n_out rows of n_in numbers, like w_jk")
    b: list[Vector] = Field(description="b[l] has n_out numbers")


class Examples(Spec):
    model: ModelDocument
    inputs: list[Vector] = Field(min_length=1, description="one row of n_in numbers per example")
    labels: list[Vector] = Field(min_length=1, description=(
        "one row of n_out numbers per example. cross_entropy: each row non-negative and summing to 1 (one-hot, "
        "or a probability distribution); binary_cross_entropy: every number between 0 and 1; mse: any number"))


class BackpropRequest(Examples):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "model": {"layer_sizes": [2, 2], "hidden_activation": None, "output_activation": "softmax",
                  "loss": "cross_entropy", "W": [[[0.1, -0.2], [0.3, 0.4]]], "b": [[0.0, 0.1]]},
        "inputs": [[1, 0], [0, 1]], "labels": [[1, 0], [0, 1]],
    }]})


class Regularized(Spec):
    """L1 or L2 regularisation (app/nn/regularization.py): a penalty Ω on the weights, never the biases, not divided
    by the number of examples (TensorFlow Playground's convention)."""

    regularization: Literal[tuple(REGULARIZATIONS)] | None = Field(  # type: ignore[valid-type]
        None, description="l2: Ω = (λ/2)Σw², gradient λw; l1: Ω = λΣ|w|, gradient λ sign(w); null: none")
    regularization_rate: Number = Field(
        0.0, ge=0, le=MAX_REGULARIZATION_RATE,
        description=f"λ, from 0 to {MAX_REGULARIZATION_RATE:g}; needs a `regularization` when above 0")

    @field_validator("regularization_rate")
    @classmethod
    def _rate_needs_a_kind(cls, rate: float, info: ValidationInfo) -> float:
        if rate > 0 and info.data.get("regularization", "missing") is None:
            raise PydanticCustomError("regularization_missing", "a rate above 0 needs a regularization: l1 or l2")
        return rate


class GradcheckRequest(BackpropRequest, Regularized):
    """The examples and model of /api/backprop; with a regularization, the cost checked is C + Ω."""


class LayerPass(BaseModel):
    z: Matrix = Field(description="weighted inputs z = W a_prev + b, one row per example")
    a: Matrix = Field(description="activations a = σ(z), one row per example")
    delta: Matrix = Field(description="δ = ∂c/∂z for each example's own cost c")
    grad_W: Matrix = Field(description="∂C/∂W, averaged over the examples: mean of δ a_prevᵀ")
    grad_b: Vector = Field(description="∂C/∂b, averaged over the examples: mean of δ")


class BackpropResponse(BaseModel):
    loss: float = Field(description="C, the mean of the per-example costs")
    costs: Vector = Field(description="each example's own cost c")
    outputs: Matrix = Field(description="aᴸ for each example")
    delta_rule: str = Field(description="how δᴸ is computed for this output layer and loss")
    layers: list[LayerPass] = Field(description="one entry per weight layer, input side first")


class TrainRequest(Examples, Regularized):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "model": {"layer_sizes": [2, 2], "hidden_activation": None, "output_activation": "softmax",
                  "loss": "cross_entropy", "W": [[[0.1, -0.2], [0.3, 0.4]]], "b": [[0.0, 0.1]]},
        "inputs": [[1, 0], [0, 1]], "labels": [[1, 0], [0, 1]],
        "optimizer": {"name": "sgd", "learning_rate": 1.0}, "steps": 100,
    }]})
    optimizer: OptimizerSpec
    steps: Annotated[int, Strict(), Field(ge=0, description="updates to make")]
    batch_size: Annotated[int, Strict(), Field(ge=1)] | None = Field(
        None, description="null: full batch (all examples every step); 1: one example at a time")
    seed: Annotated[int, Strict(), Field(ge=0)] = Field(0, description="seeds the mini-batch shuffle")
    test_inputs: list[Vector] | None = Field(
        None, min_length=1, description="held-out examples, never trained on: the answer gives their loss and accuracy")
    test_labels: list[Vector] | None = Field(None, min_length=1, description="one label row per test input")


class Stopped(BaseModel):
    step: int = Field(description="the number of completed steps when training stopped")
    reason: Literal["diverged", "time_limit"]
    message: str


class TrainResponse(BaseModel):
    model: ModelDocument | None = Field(
        description="the network after training; null only if its weights overflowed to Infinity or NaN")
    loss_history: Vector = Field(description="loss_history[k]: the loss over all examples after k steps")
    outputs: Matrix | None = Field(description="aᴸ for each example after training")
    stopped: Stopped | None = Field(None, description="set when training stopped before the steps asked for")
    penalty: float | None = Field(None, description="Ω of the returned model (0 without regularization); the losses "
                                                    "are the data loss C alone, the cost minimised is C + Ω")
    accuracy: float | None = Field(None, description="the share of the training examples whose largest output (one "
                                                     "unit: above 0.5) is their label's class, after training (outputs "
                                                     "that tie name no class); null for a linear output")
    test_loss: float | None = Field(None, description="the loss over test_inputs after training; null without them")
    test_accuracy: float | None = Field(None, description="accuracy over test_inputs; null without them or for a "
                                                          "linear output")


class GradcheckLayer(BaseModel):
    layer: int
    relative_error: float = Field(description="‖numeric − backprop‖ / (‖numeric‖ + ‖backprop‖) over W and b")
    max_abs_difference: float


class GradcheckResponse(BaseModel):
    layers: list[GradcheckLayer]


class SaveModelRequest(Spec):
    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{
        "name": "two points, softmax",
        "model": {"layer_sizes": [2, 2], "hidden_activation": None, "output_activation": "softmax",
                  "loss": "cross_entropy", "W": [[[0.1, -0.2], [0.3, 0.4]]], "b": [[0.0, 0.1]]},
        "class_names": ["A", "B"],
    }]}}
    name: Text = Field(description="a name to find the model by (need not be unique)")
    model: ModelDocument
    class_names: list[Text] | None = Field(
        None, description="one name per output unit; predictions then carry the class's name")


class SavedModelInfo(BaseModel):
    id: str = Field(description="random, unguessable text: whoever has it may read, predict and export the model")
    name: str
    created_at: dt.datetime = Field(description="when it was saved, UTC")
    source: str = Field(description="how it was saved: api, import, socket, ...")
    kind: str | None = Field(description="the run kind (softmax_ce, sigmoid_mse, ...), null for other output layers")
    layer_sizes: list[int]
    hidden_activation: str | None
    output_activation: str
    loss: str
    parameter_count: int
    class_names: list[str] | None


class SavedModelCreated(SavedModelInfo):
    owner_key: str = Field(description="the secret that deleting the model needs (header X-Owner-Key) and that lists "
                                       "it on a hosted server (X-Owner-Keys); given only here, keep it")


class SavedModelDetail(SavedModelInfo):
    model: ModelDocument


class ModelPage(BaseModel):
    items: list[SavedModelInfo] = Field(description="newest first; without weights")
    total: int = Field(description="models in the store (hosted: the caller's models)")
    limit: int
    offset: int


class PredictRequest(Spec):
    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{"inputs": [[1, 0], [0, 1]]}]}}
    inputs: list[Vector] = Field(min_length=1, description="one row of n_in numbers per example")


class PredictResponse(BaseModel):
    outputs: Matrix = Field(description="aᴸ for each row")
    classes: list[int | None] | None = Field(
        description="each row's class: the index of its largest output (with one output unit: 1 when it is above "
                    "0.5); null for a row whose two largest outputs tie (within 1e-6: a collapsed network's [0.5, "
                    "0.5] names no class); null for a linear output, whose outputs are the prediction")
    class_names: list[str | None] | None = Field(
        None, description="the name of each row's class (null where it ties), when the model was saved with class "
                          "names")


class DatasetParam(BaseModel):
    name: str
    kind: Literal["int", "float", "bool"]
    default: Any
    min: float | None = Field(None, description="smallest allowed value")
    max: float | None = Field(None, description="largest allowed value")
    description: str


class DatasetInfo(BaseModel):
    name: str
    title: str
    description: str
    two_d: bool = Field(description="inputs are points in the plane: a decision boundary can be drawn")
    task: Literal["classification", "regression"] = Field(
        description="classification: one-hot labels; regression: one continuous target per example (labels (N, 1))")
    linearly_separable: bool | None
    available: bool = Field(description="false when an optional extra is missing; `requires` names it")
    requires: str | None
    params: list[DatasetParam]


class DatasetData(BaseModel):
    name: str
    description: str
    params: dict[str, Any]
    inputs: Matrix
    labels: Matrix
    class_names: list[str]
    task: Literal["classification", "regression"] = Field(
        "classification", description="regression: `labels` holds one continuous target per example, no class names")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
