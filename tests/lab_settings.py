"""The one way tests build Settings: the laptop defaults written out, so BACKPROP_LAB_* variables in the
environment cannot change a test, with overrides."""

from __future__ import annotations

from typing import Any

from app.settings import Settings


def make_settings(**overrides: Any) -> Settings:
    values = {name: field.default for name, field in Settings.model_fields.items()}
    values.update(overrides)
    return Settings(**values)
