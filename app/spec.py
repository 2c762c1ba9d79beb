"""Plain-data specifications shared by the REST API and the live sessions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, AllowInfNan, BaseModel, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

from app.nn import OPTIMIZERS

# Strict: `true` is not a number. AllowInfNan(False): NaN and Infinity are refused with a clear error.
Number = Annotated[float, Strict(), AllowInfNan(False)]
OptimizerName = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]


def unicode_text(value: str) -> str:
    """`value`, if UTF-8 can hold it. JSON's escapes let a body carry a lone surrogate ("\\ud800"), which parses
    into a Python string but fails when the database or a JSON answer encodes it: refuse it where it arrives."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise PydanticCustomError("lone_surrogate", "not valid Unicode text: character {position} is a lone surrogate "
                                  "(\\u{code}), half of a pair",
                                  {"position": e.start + 1, "code": f"{ord(value[e.start]):04x}"}) from None
    return value


# Text from a client that may be stored or sent back: strict (a number is not text) and valid Unicode.
Text = Annotated[str, Strict(), AfterValidator(unicode_text)]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OptimizerSpec(Spec):
    name: OptimizerName = "sgd"
    learning_rate: Number = Field(gt=0, le=1e6, description="η")
    momentum: Number = Field(0.9, ge=0, lt=1, description="μ, for momentum")
    beta1: Number = Field(0.9, ge=0, lt=1, description="for adam")
    beta2: Number = Field(0.999, ge=0, lt=1, description="for adam")

    def options(self) -> dict[str, float]:
        """The keyword arguments make_optimizer takes for this optimizer."""
        return {"momentum": {"momentum": self.momentum},
                "adam": {"beta1": self.beta1, "beta2": self.beta2}}.get(self.name, {})
