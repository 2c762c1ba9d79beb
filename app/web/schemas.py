"""Request and response bodies of the REST API. Their field descriptions are the reference at /docs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from app.nn import HIDDEN_ACTIVATIONS, LOSSES, OUTPUT_ACTIVATIONS
from app.spec import Number, OptimizerSpec

Vector = list[Number]
Matrix = list[Vector]

HiddenActivation = Literal[tuple(HIDDEN_ACTIVATIONS)]  # type: ignore[valid-type]
OutputActivation = Literal[tuple(OUTPUT_ACTIVATIONS)]  # type: ignore[valid-type]
Loss = Literal[tuple(LOSSES)]  # type: ignore[valid-type]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelDocument(Body):
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
    hidden_activation: HiddenActivation | None = Field(
        None, description="activation of every hidden layer; null when there is no hidden layer")
    output_activation: OutputActivation
    loss: Loss = Field(description="mse (½Σ(a−y)², averaged over examples), binary_cross_entropy (sigmoid "
                                   "outputs) or cross_entropy (softmax outputs)")
    W: list[Matrix] = Field(description="W[l] has n_out rows of n_in numbers, like w_jk")
    b: list[Vector] = Field(description="b[l] has n_out numbers")


class Examples(Body):
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


class TrainRequest(Examples):
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


class GradcheckLayer(BaseModel):
    layer: int
    relative_error: float = Field(description="‖numeric − backprop‖ / (‖numeric‖ + ‖backprop‖) over W and b")
    max_abs_difference: float


class GradcheckResponse(BaseModel):
    layers: list[GradcheckLayer]


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


class Health(BaseModel):
    status: Literal["ok"]
    version: str
