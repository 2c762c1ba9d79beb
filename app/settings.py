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

    # Live sessions over /ws.
    max_sessions: int = Field(100, description="open WebSocket sessions at once; more are closed with 1013")
    max_runs: int = Field(5, description="runs compared side by side in one session")
    max_hidden_layers: int = Field(4, description="hidden layers of a live network")
    max_live_parameters: int = Field(100_000, description="weights and biases of one live run")
    max_speed: int = Field(100_000, description="training steps per second per session")
    default_speed: int = Field(60, description="training steps per second when a session starts")
    default_frame_rate: int = Field(30, description="frames per second sent to the browser")
    max_frame_rate: int = Field(60, description="the most frames per second a client may ask for")
    boundary_rate: float = Field(5.0, description="decision-boundary grids per second (2-D datasets)")
    max_steps_per_message: int = Field(100_000, description="steps one `step` message may ask for")
    max_message_bytes: int = Field(65_536, description="size of one client message; larger closes with 1009")
    idle_timeout: float = Field(1800.0, description="seconds without a client message before a session closes")
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="origins besides the server's own host that may open /ws, exactly as the browser sends them "
                    "(e.g. https://lab.example.org); JSON list in the environment variable")

    # Saved models (app/store/, docs/models.md).
    database_url: str = Field(
        "sqlite:///backprop-lab.db",
        description="where saved models live, in SQLAlchemy's URL form: sqlite:///relative.db (to the working "
                    "folder), sqlite:////absolute/path.db, or postgresql://user:password@host:port/dbname")
    max_saved_models: int = Field(10_000, description="models the store holds; saving more is refused until some "
                                                      "are deleted")
    max_model_name: int = Field(200, description="characters in a saved model's name")
    max_models_page: int = Field(100, description="models listed per page by GET /api/models")
    max_import_bytes: int = Field(10_000_000, description="bytes per imported model file (JSON or safetensors)")
    max_predict_rows: int = Field(10_000, description="input rows per POST /api/models/{id}/predict call")
