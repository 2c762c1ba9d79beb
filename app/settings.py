"""Every setting in one place, read from BACKPROP_LAB_* environment variables; the defaults suit a laptop.

`BACKPROP_LAB_MODE=hosted` tightens the defaults for a public server (HOSTED below); a setting given
explicitly (in the environment or to the constructor) always wins. docs/deploy.md shows every setting with
both defaults: `python -m app.settings` prints that table.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The defaults of a public server, where they differ from a laptop's. A value set explicitly wins over these.
HOSTED: dict[str, Any] = {
    "max_layers": 6,
    "max_units": 256,
    "max_parameters": 50_000,
    "max_examples": 2_000,
    "max_body_bytes": 8 * 2**20,
    "max_train_steps": 5_000,
    "max_train_work": 2e8,
    "train_time_limit": 2.0,
    "max_gradcheck_parameters": 2_000,
    "max_gradcheck_work": 1e9,
    "max_response_bytes": 8 * 2**20,
    "max_check_work": 2e9,
    "max_upload_bytes": 200_000,
    "max_upload_rows": 2_000,
    "max_hidden_layers": 3,
    # One lockstep step of the largest live experiment (5 runs, 2,000 examples) must fit a 20 ms training chunk:
    # at 6,000 parameters it costs ~8 ms of CPU here, at 20,000 ~30 ms (tests/test_hosting_heavy.py).
    "max_live_parameters": 6_000,
    "max_live_activations": 1_000_000,  # ~42 MB per session (tests/test_hosting_memory.py)
    "max_speed": 5_000,
    "max_frame_rate": 30,
    "max_steps_per_message": 5_000,
    "max_message_bytes": 16_384,
    "idle_timeout": 600.0,
    "max_sessions_per_client": 4,
    "session_lifetime": 3600.0,
    "rate_limit": 120,
    "max_saved_models": 1_000,
    "save_quota": 30,
    "max_import_bytes": 1_000_000,
    "max_predict_rows": 1_000,
    "compute_processes": 1,
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BACKPROP_LAB_")

    mode: Literal["local", "hosted"] = Field(
        "local", description="`hosted` tightens the defaults for a public server (the hosted column); "
                             "settings given explicitly still win")

    # Size of a network a request may carry.
    max_layers: int = Field(10, description="weight layers per network")
    max_units: int = Field(1024, description="units in any one layer, inputs included")
    max_parameters: int = Field(250_000, description="weights and biases per network")
    max_examples: int = Field(5_000, description="examples per request")

    # Bytes of one request body, refused with 413 before anything is parsed (app/web/bodylimit.py). The largest
    # legitimate bodies: a model file at max_import_bytes (10 MB local, 1 MB hosted), and a training request with
    # a model at max_parameters over the whole digits set (1,797 × 74 numbers), all full-precision floats: 7.8 MB
    # local, 3.5 MB hosted (tests/test_hosting_bodylimit.py builds and sends it). 16 MiB and 8 MiB leave 1.6× and
    # 2.4× room, and refuse the 32 MB body that held the event loop for 2.5 s.
    max_body_bytes: int = Field(
        16 * 2**20, ge=1, description="bytes per HTTP request body (JSON or upload); larger is refused with 413 "
                                      "before it is read. Keep it above MAX_IMPORT_BYTES and MAX_UPLOAD_BYTES")

    # Work one POST /api/train call may do.
    max_train_steps: int = Field(100_000, description="steps per /api/train call")
    max_train_work: float = Field(2e9, description="steps × examples × parameters per /api/train call")
    train_time_limit: float = Field(10.0, description="seconds of CPU a /api/train call may use")
    max_gradcheck_parameters: int = Field(5_000, description="parameters a gradient check may perturb")
    # 2 × parameters² × examples: each parameter is nudged both ways, each nudge a forward pass over the examples.
    # 1–2e9 a second on this project's 2-core machine (docs/deploy.md): hosted ≤ 1 s, local a few seconds.
    max_gradcheck_work: float = Field(
        5e9, description="2 × parameters² × examples per gradient check (POST /api/gradcheck, the socket's "
                          "`gradcheck` per run); more is refused up front")
    # Answers are encoded in full before they are sent: a 106 MB /api/backprop answer took 3.6 s of CPU and 665 MB.
    max_response_bytes: int = Field(
        64 * 2**20, ge=1, description="bytes of one REST answer; a request whose answer would be larger is refused "
                                      "with 422 before any work, naming what to reduce")
    max_check_work: float = Field(
        5e9, description="examples × parameters × candidates (the right numbers and each form of each mistake) × "
                          "readings (rows, columns) × calls (2 with yours_again) × pairings (4 with \"any\") per "
                          "/api/check call")

    # Uploaded CSV datasets.
    max_upload_bytes: int = Field(1_000_000, description="bytes per uploaded CSV file")
    max_upload_rows: int = Field(5_000, description="rows per uploaded CSV file")
    max_upload_columns: int = Field(100, description="columns per uploaded CSV file")

    # Live sessions over /ws.
    max_sessions: int = Field(100, description="open WebSocket sessions at once; more are closed with 1013")
    max_runs: int = Field(5, description="runs compared side by side in one session")
    max_hidden_layers: int = Field(4, description="hidden layers of a live network")
    max_live_parameters: int = Field(100_000, description="weights and biases of one live run")
    max_live_activations: int = Field(
        20_000_000, ge=1, description="runs × examples × units (hidden and output) of one live session: what its "
                                      "memory grows with, about 42 bytes each")
    max_speed: int = Field(100_000, ge=1, description="training steps per second per session")
    default_speed: int = Field(60, ge=1, description="training steps per second when a session starts")
    default_frame_rate: int = Field(30, ge=1, description="frames per second sent to the browser")
    max_frame_rate: int = Field(60, ge=1, description="the most frames per second a client may ask for")
    boundary_rate: float = Field(5.0, gt=0, description="decision-boundary grids per second (2-D datasets)")
    max_steps_per_message: int = Field(100_000, ge=1, description="steps one `step` message may ask for")
    max_message_bytes: int = Field(65_536, description="size of one client message; larger closes with 1009")
    idle_timeout: float = Field(1800.0, gt=0, description="seconds without a client message before a session closes")
    max_sessions_per_client: int = Field(
        0, ge=0, description="open sessions one client (IP address, as the rate limit counts it) may hold at once; "
                             "more are closed with 1013; 0: no cap but MAX_SESSIONS. Counted in each worker process")
    session_lifetime: float = Field(
        0.0, ge=0, description="seconds a session may last however active it is; then it closes (1000) and the page "
                               "offers to reconnect; 0: no limit")
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="host names a request's Host header may name (any port), besides localhost, 127.0.0.1, [::1] "
                    "and the address the request reached the server at; others get 400. A public server lists its "
                    "own, e.g. [\"lab.example.org\"]; [\"*\"]: any; JSON list in the environment variable")
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="origins besides the server's own host that may open /ws and send writes (POST, PUT, PATCH, "
                    "DELETE), exactly as the browser sends them (e.g. https://lab.example.org); JSON list in the "
                    "environment variable")
    frame_ancestors: list[str] = Field(
        default_factory=list,
        description="sites whose pages may show the lab in a frame (an iframe in a course page), as origins: "
                    "scheme, host and optional port, e.g. [\"https://school.example\"]; they go into the "
                    "Content-Security-Policy's frame-ancestors and X-Frame-Options is dropped. Empty: no site may "
                    "frame it. JSON list in the environment variable")

    # Serving: the REST API's rate limit, training threads, a reverse proxy's path prefix.
    rate_limit: int = Field(
        0, ge=0, description="REST requests per minute per client (IP address) under /api/; past it a 429 with "
                             "Retry-After; 0: no limit. Counted in each worker process")
    rate_limit_burst: int = Field(
        30, ge=1, description="requests a client may make at once before `rate_limit` paces it")
    training_threads: int = Field(
        1, ge=0, description="threads that train live sessions, shared by every session of a worker process (keeps "
                             "the REST API responsive; training holds the GIL, so 1 serves 50 sessions best, "
                             "docs/benchmarks.md); 0: one per CPU")
    compute_processes: int = Field(
        0, ge=0, description="child processes that run POST /api/backprop, /api/gradcheck, /api/train and /api/check "
                             "(JSON parsing and validation included), so they neither hold the event loop nor share "
                             "the live sessions' GIL; at most 4 jobs wait per process, more get 503. 0: worker "
                             "threads of the server's process")
    root_path: str = Field(
        "", description="the path prefix a reverse proxy serves the app under, e.g. /lab (the proxy strips it "
                        "before passing requests on)")

    # Saved models (app/store/, docs/models.md).
    database_url: str = Field(
        "sqlite:///backprop-lab.db",
        description="where saved models live, in SQLAlchemy's URL form: sqlite:///relative.db (to the working "
                    "folder), sqlite:////absolute/path.db, or postgresql://user:password@host:port/dbname")
    max_saved_models: int = Field(10_000, description="models the store holds; saving more is refused until some "
                                                      "are deleted")
    save_quota: int = Field(
        0, ge=0, description="models one client (IP address) may save in an hour, by REST and socket alike, counting "
                             "those it still keeps; past it a 429 (socket: quota_exceeded). Counted in the database, "
                             "so across workers. 0: no quota")
    max_model_name: int = Field(200, description="characters in a saved model's name")
    max_models_page: int = Field(100, description="models listed per page by GET /api/models")
    max_import_bytes: int = Field(10_000_000, description="bytes per imported model file (JSON or safetensors)")
    max_predict_rows: int = Field(10_000, description="input rows per POST /api/models/{id}/predict call")

    @field_validator("frame_ancestors")
    @classmethod
    def _origins_only(cls, value: list[str]) -> list[str]:
        return [frame_ancestor(origin) for origin in value]

    @field_validator("root_path")
    @classmethod
    def _one_leading_slash(cls, value: str) -> str:
        value = value.strip().strip("/")
        return f"/{value}" if value else ""

    @model_validator(mode="after")
    def _hosted_defaults(self) -> Settings:
        if self.mode == "hosted":
            for name, value in HOSTED.items():
                if name not in self.model_fields_set:
                    setattr(self, name, value)
        return self


def frame_ancestor(text: str) -> str:
    """An origin a page may frame the lab from ("https://school.example:8443"), or ValueError saying what is wrong:
    a wildcard or a path would let more pages frame it than the list shows, and a CSP source holds no spaces."""
    parts = urlsplit(text.strip())
    if "*" in text:
        raise ValueError(f"{text!r}: wildcards are refused, list each site's origin (https://school.example)")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{text!r} is not an origin: write scheme and host, like https://school.example")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(f"{text!r} has a port that is not a number from 0 to 65535") from None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{text!r} is not an origin: no path, query, fragment or user name, only scheme, host and "
                         "port (https://school.example)")
    if any(c.isspace() or c in ";,'\"" for c in parts.netloc):
        raise ValueError(f"{text!r} holds characters a host cannot")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _shown(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return f"`{str(value).lower()}`"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:.0e}".replace("e+0", "e")
    if isinstance(value, str):
        return f"`{value}`" if value else "(empty)"
    if isinstance(value, list):
        return "`[]`" if not value else f"`{value}`"
    return f"`{value}`"


def markdown_table() -> str:
    """Every setting with its environment variable, local and hosted default, and meaning (for docs/deploy.md)."""
    local = Settings.model_construct()  # the declared defaults, whatever the environment says
    rows = ["| variable (`BACKPROP_LAB_` + …) | local | hosted | what it limits or sets |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = getattr(local, name)
        hosted = HOSTED.get(name, default)
        if name == "mode":
            default, hosted = "local", "hosted"
        hosted_text = f"**{_shown(hosted)}**" if hosted != default else _shown(hosted)
        rows.append(f"| `{name.upper()}` | {_shown(default)} | {hosted_text} | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
