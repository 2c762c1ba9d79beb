"""Your experiment as a Python script: the dashboard's "Download as Python" (docs/script.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import Field, Strict

from app.datasets import Data
from app.export.script import experiment_script
from app.nn import Network
from app.sessions.config import ConfigError, ExperimentConfig, checked_data, start_network
from app.sessions.split import training_part
from app.settings import Settings
from app.store import ModelNotFound, ModelStore
from app.web.deps import SettingsDep, StoreDep
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
def script(body: ScriptRequest, settings: SettingsDep, store: StoreDep) -> Response:
    """The experiment as one standalone, readable Python script (NumPy only, no import of Backprop Lab) that
    builds the same network from the same starting weights and data, trains each run the same way and prints its
    loss every `every` steps: the lab's numbers, to about 1e-9. At most 200 KB (MAX_SCRIPT_BYTES): a 422 says
    what to reduce."""
    try:
        # The runs train on the training part only (dataset.test_fraction): the script gets those examples.
        data = training_part(*checked_data(body, settings))
        filename = f"backprop-lab-{body.dataset.name}.py"  # a name checked_data found among the datasets
        text = experiment_script(body, data, body.steps, body.every, filename,
                                 _start(body, data, settings, store))
    except ConfigError as e:
        raise invalid(("body", *e.field.split(".")), e.message) from None
    return Response(text, media_type="text/x-python; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _start(body: ScriptRequest, data: Data, settings: Settings, store: ModelStore) -> Network | None:
    """The weights the experiment starts from (`start`: a saved model or an inline one), as the live session reads
    them (start_network), so the script starts where the dashboard's runs did."""
    if body.start is None:
        return None
    document = body.start.model
    if document is None:
        try:
            document = store.get(body.start.model_id).document
        except ModelNotFound:
            raise ConfigError("start.model_id", f"there is no saved model {body.start.model_id}") from None
    return start_network(document, body, data, settings)
