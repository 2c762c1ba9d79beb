"""Every setting in one place, read from BACKPROP_LAB_* environment variables; the defaults suit a laptop."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BACKPROP_LAB_")

    # Size of a network a request may carry.
    max_layers: int = Field(10, description="weight layers per network")
    max_units: int = Field(1024, description="units in any one layer, inputs included")
    max_parameters: int = Field(250_000, description="weights and biases per network")
    max_examples: int = Field(5_000, description="examples per request")

    # Work one POST /api/train call may do.
    max_train_steps: int = Field(100_000, description="steps per /api/train call")
    max_train_work: float = Field(2e9, description="steps × examples × parameters per /api/train call")
    train_time_limit: float = Field(10.0, description="seconds of CPU a /api/train call may use")
    max_gradcheck_parameters: int = Field(5_000, description="parameters a gradient check may perturb")

    # Uploaded CSV datasets.
    max_upload_bytes: int = Field(1_000_000, description="bytes per uploaded CSV file")
    max_upload_rows: int = Field(5_000, description="rows per uploaded CSV file")
    max_upload_columns: int = Field(100, description="columns per uploaded CSV file")
