"""Your experiment as a Python script: the dashboard's "Download as Python" (docs/script.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import Field, Strict

from app.export.script import experiment_script
from app.sessions.config import ConfigError, ExperimentConfig, check_limits
from app.web.deps import SettingsDep
from app.web.errors import invalid

router = APIRouter(prefix="/api", tags=["script"])

MAX_SCRIPT_STEPS = 1_000_000  # the script runs on the learner's machine; this only keeps the request sane


class ScriptRequest(ExperimentConfig):
    """The experiment as the socket's `configure` describes it, and how long the script trains it."""
    steps: Annotated[int, Strict(), Field(ge=0, le=MAX_SCRIPT_STEPS)] = Field(
        1000, description="updates per run")
    every: Annotated[int, Strict(), Field(ge=1, le=MAX_SCRIPT_STEPS)] = Field(
        100, description="the script prints each run's loss every `every` steps")


@router.post("/script", response_class=Response,
             responses={200: {"description": "a standalone Python + NumPy script, as an attachment",
                              "content": {"text/x-python": {"schema": {"type": "string"}}}}})
def script(body: ScriptRequest, settings: SettingsDep) -> Response:
    """The experiment as one standalone, readable Python script (NumPy only, no import of Backprop Lab) that
    builds the same network from the same starting weights and data, trains each run the same way and prints its
    loss every `every` steps: the lab's numbers, to about 1e-9. At most 200 KB (MAX_SCRIPT_BYTES): a 422 says
    what to reduce."""
    try:
        data = check_limits(body, settings)
        filename = f"backprop-lab-{body.dataset.name}.py"  # a name check_limits found among the datasets
        text = experiment_script(body, data, body.steps, body.every, filename)
    except ConfigError as e:
        raise invalid(("body", *e.field.split(".")), e.message) from None
    return Response(text, media_type="text/x-python; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
