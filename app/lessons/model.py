"""What a lesson is, as data: a preset experiment, a few plain sentences, an equation, and one thing to try.

The dashboard shows these (GET /api/lessons) and tests/test_lessons.py runs every preset through the engine,
so a lesson cannot promise what the engine does not do.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.sessions.config import ExperimentConfig

# Which live numbers the lesson panel shows beside the text (static/js/views/lesson-numbers.js draws each).
Numbers = Literal["per-example-gradients", "averaged-too-early", "jacobian", "deltas", "gradcheck", "diagnosis",
                  "stuck-outputs"]
# What "Try this" does after applying its change, if any: the dashboard's own commands.
Command = Literal["play", "gradcheck", "next-example"]
# Sections of the derivation page, /learn/softmax.
Section = Literal["notation", "softmax", "jacobian", "cross-entropy", "binary-cross-entropy", "quadratic-cost",
                  "four-equations", "saturation", "hidden-layer"]


class LessonPart(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Claim(LessonPart):
    """A sentence saying what will happen; tests/test_lessons.py has test_lesson_<number>_<id> to check it."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str


class TryThis(LessonPart):
    """One action: change the preset (a nested part of the configuration), then run a command."""

    label: str = Field(description="the button's words")
    change: dict[str, Any] = Field(default_factory=dict, description="merged into the preset, as in `configure`")
    command: Command | None = None

    def config(self, preset: ExperimentConfig) -> ExperimentConfig:
        """The experiment after this action's change."""
        return ExperimentConfig.model_validate(_merged(preset.model_dump(), self.change))


class Lesson(LessonPart):
    number: int = Field(ge=1)
    title: str
    text: list[str] = Field(description="short paragraphs in plain words")
    equations: list[str] = Field(description="TeX, in the learner's notation (KaTeX renders it)")
    code: str | None = Field(None, description="Python + NumPy that says the same in code, or null")
    claims: list[Claim] = Field(description="what the learner will see happen; each one is tested")
    preset: ExperimentConfig
    speed: int | Literal["max"] = Field(description="steps per second when playing; one of the dashboard's speeds")
    numbers: Numbers
    try_this: TryThis
    derivation: Section = Field(description="the matching section of /learn/softmax")
    loss_scale: Literal["linear", "log"] = Field("linear", description="the loss chart's scale the claims are seen on")


def _merged(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result
