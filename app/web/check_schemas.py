"""The bodies of POST /api/check: the learner's numbers in, the comparison and the mistake named out."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from app.check import PAIRINGS
from app.check.yours import COLUMN_VECTORS, GRAD_W_TRANSPOSED, NIELSEN_NABLAS
from app.nn.model_doc import NOT_FINITE
from app.spec import Number, Spec
from app.web.schemas import Examples

ARRAY_SHAPE = "a number, a list of numbers, or a list of rows of numbers"


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("array_type", f"{ARRAY_SHAPE} expected")
    if not math.isfinite(value):
        raise PydanticCustomError("finite_number", NOT_FINITE)
    return float(value)


def _array(value: Any) -> float | list:
    """Numbers nested at most two deep, every one finite. Their shapes are checked against the model later."""
    if not isinstance(value, list):
        return _number(value)
    return [[_number(x) for x in v] if isinstance(v, list) else _number(v) for v in value]


NUMBERS_SCHEMA = {"anyOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"}},
                            {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}]}
Array = Annotated[Any, PlainValidator(_array), WithJsonSchema(NUMBERS_SCHEMA)]


class LayerNumbers(Spec):
    """One weight layer's numbers, each optional. Per-example arrays: one row per example (the engine's layout) or
    one column per example (column vectors); a single example may be a flat list."""

    z: Array | None = Field(None, description="weighted inputs z = W a_prev + b")
    a: Array | None = Field(None, description="activations a = σ(z)")
    delta: Array | None = Field(None, description="δ = ∂c/∂z, each example's own")
    grad_W: Array | None = Field(None, description="∂C/∂W, [n_out][n_in] (or [n_in][n_out], read as transposed)")
    grad_b: Array | None = Field(None, description="∂C/∂b: n_out numbers, or a column [[..], [..]]")


class YourNumbers(Spec):
    """Your numbers, shaped like /api/backprop's answer; give any part you have. Nielsen's `nabla_b`/`nabla_w`
    lists (one entry per weight layer, input side first) may stand for the gradients."""

    loss: Number | None = Field(None, description="C, the mean of the per-example costs")
    outputs: Array | None = Field(None, description="aᴸ for each example")
    layers: list[LayerNumbers] | None = Field(
        None, description="one entry per weight layer, input side first; {} for a layer you have no numbers for")
    nabla_b: list[Array] | None = Field(None, description="Nielsen's ∂C/∂b per layer, each (n_out, 1)")
    nabla_w: list[Array] | None = Field(None, description="Nielsen's ∂C/∂W per layer, each (n_out, n_in)")


Pairing = Literal[(*PAIRINGS, "any")]  # type: ignore[valid-type]

TWO_POINTS_MODEL = {"layer_sizes": [2, 2], "hidden_activation": None, "output_activation": "sigmoid", "loss": "mse",
                    "W": [[[0.1, -0.2], [0.3, 0.4]]], "b": [[0.0, 0.1]]}


class CheckRequest(Examples):
    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{
        "model": TWO_POINTS_MODEL, "inputs": [[1, 0], [0, 1]], "labels": [[1, 0], [0, 1]],
        # ∂C/∂W as mean δ times mean input: both rows of it are equal, the mistake examples_mixed
        "yours": {"layers": [{"grad_W": [[-0.00175882, -0.00175882], [0.01377942, 0.01377942]],
                              "grad_b": [-0.00351763, 0.02755884]}]},
    }]}}
    learning_rate: Number = Field(1.0, gt=0, le=1e6, description=(
        "the step your code takes; only the mistake stale_output_weights depends on it"))
    pairing: Pairing | None = Field(None, description=(
        "the output layer and loss to check against: null for the model's own; a run kind to use another on the "
        "same weights; \"any\" to try each and keep the one your numbers match (pairing_search says why)"))
    yours: YourNumbers
    yours_again: YourNumbers | None = Field(None, description=(
        "the same numbers from a second call with the same inputs: how gradients that are never reset show"))


class QuantityCheckOut(BaseModel):
    quantity: Literal["z", "a", "outputs", "loss", "delta", "grad_W", "grad_b"]
    layer: int | None = Field(description="weight layer, input side first; null for loss and outputs")
    call: Literal[1, 2] = Field(description="1: yours; 2: yours_again")
    equation: Literal["forward", "cost", "BP1", "BP2", "BP3", "BP4"]
    max_abs_difference: float
    max_relative_difference: float = Field(description="largest |yours − exact| / (|exact| + tolerance.absolute)")
    matches: bool
    transposed: bool = Field(description="grad_W: read as the transpose of what you gave ([n_in][n_out])")
    examples_as: Literal["rows", "columns"] = Field(
        description="how your per-example arrays (z, a, delta, outputs) were read: one row or one column per example")


class MismatchOut(BaseModel):
    quantity: str
    layer: int | None
    call: int
    equation: str = Field(description="forward, cost, BP1, BP2, BP3 or BP4: where the numbers first go wrong")
    max_abs_difference: float
    index: list[int] = Field(description="the entry that differs most, examples as rows and W as [n_out][n_in]")
    yours: float
    expected: float
    position: int = Field(description="how many compared quantities came before it, all matching")


class MistakeOut(BaseModel):
    id: str = Field(description="the mistake's id in the catalogue (app/nn/mistakes.py)")
    title: str
    sentence: str = Field(description="what the code does, in plain words")
    fix: str = Field(description="what to write instead, with a line of NumPy in column-vector conventions")
    equation: str
    form: str | None = Field(description="which way of making it gives your numbers (e.g. hidden_layers_only); "
                                         "null for a mistake made one way only")
    form_text: str | None = Field(description="that way, in a short phrase")


class Tolerance(BaseModel):
    relative: float
    of_largest_entry: float
    absolute: float


class PairingSearchOut(BaseModel):
    chosen: str | None
    reason: Literal["right_numbers", "named_mistake", "latest_first_mismatch"] | None
    matching: list[str] = Field(description="pairings whose exact numbers yours match")
    named: dict[str, list[str]] = Field(description="pairing → the mistakes that give your numbers under it")
    skipped: dict[str, str] = Field(description="pairing → why the labels rule it out")


class CheckResponse(BaseModel):
    pairing: str = Field(description="the output layer and loss checked against, as a run kind id")
    matches: bool = Field(description="every number given equals the exact one")
    quantities: list[QuantityCheckOut] = Field(description="each quantity given, in the order it is computed")
    first_mismatch: MismatchOut | None
    layout_notes: list[Literal[COLUMN_VECTORS, GRAD_W_TRANSPOSED, NIELSEN_NABLAS]] = Field(  # type: ignore[valid-type]
        description="how your numbers were laid out; none of these is a mistake")
    diagnosis: list[MistakeOut] = Field(description="every catalogued mistake whose numbers equal yours")
    unknown_mistake: bool = Field(description="a mismatch that no catalogued mistake explains")
    first_mismatch_mistakes: list[MistakeOut] = Field(
        description="when no mistake explains every number: those that give the first wrong quantity (a mistake "
                    "made in one place only, or the first of two)")
    tolerance: Tolerance
    pairing_search: PairingSearchOut | None = Field(None, description="set when pairing is \"any\"")
