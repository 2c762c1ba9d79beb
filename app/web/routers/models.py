"""Saved models: save, import, list, fetch, delete, predict and export (docs/models.md).

The endpoints are plain `def`s: FastAPI runs them in its threadpool, where the store's blocking database
calls belong. Predict is the exception (see there).
"""

from __future__ import annotations

import contextlib
import math
import re
from pathlib import PurePath
from typing import Annotated, Iterator, Literal

import numpy as np
from fastapi import APIRouter, FastAPI, File, Form, Header, HTTPException, Path, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from app.export import EXPORT_FORMATS, FormatError, export_model, read_model
from app.nn.inference import predict
from app.settings import Settings
from app.store import (InvalidModel, ModelNotFound, ModelStore, NotOwner, QuotaExceeded, SavedModel, StoreError,
                       StoreFull, StoreUnavailable)
from app.store.keys import ID_PATTERN
from app.web.bounds import json_bytes, within_answer_limit
from app.web.deps import SettingsDep, StoreDep
from app.web.errors import invalid
from app.web.loaded_models import LoadedModel, LoadedModels
from app.web.model_input import network_from, size_limits
from app.web.ratelimit import client_address
from app.web.schemas import (ModelPage, PredictRequest, PredictResponse, SavedModelCreated, SavedModelDetail,
                             SaveModelRequest)

router = APIRouter(prefix="/api/models", tags=["models"])

MAX_OFFSET = 2**31 - 1
INLINE_PREDICT_WORK = 1_000_000  # rows × parameters a predict may compute on the event loop (well under 1 ms)
ModelId = Annotated[str, Path(pattern=f"^{ID_PATTERN.pattern}$",
                              description="the id the model got when it was saved (random text)")]
ExportFormat = Literal[tuple(EXPORT_FORMATS)]  # type: ignore[valid-type]
MAX_OWNER_KEYS = 200  # keys one list request may carry: 200 × 23 characters fit any proxy's header limit
SAVE_REFUSED = {507: {"description": "the store holds its maximum number of models"},
                503: {"description": "the database cannot be reached"}}
QUOTA_REACHED = {
    "description": "this client saved its quota of models for the hour (BACKPROP_LAB_SAVE_QUOTA), or made too many "
                   "requests; try again after Retry-After seconds",
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}},
}

# --- errors -------------------------------------------------------------------------------------

@contextlib.contextmanager
def _store_errors(name_loc: tuple = ("body", "name"), model_loc: tuple = ("body", "model"),
                  other_loc: tuple = ("body",)) -> Iterator[None]:
    """Store exceptions as HTTP answers; InvalidModel locations are placed in the request."""
    try:
        yield
    except InvalidModel as e:
        head, *rest = e.loc or ("model",)
        prefix = {"name": name_loc, "model": model_loc}.get(head)
        loc = (*prefix, *rest) if prefix is not None else (*other_loc, head, *rest)
        raise invalid(loc, e.message) from None
    except ModelNotFound as e:
        raise HTTPException(404, e.message) from None
    except NotOwner as e:
        raise HTTPException(403, e.message) from None
    except QuotaExceeded as e:
        raise HTTPException(429, e.message, headers={"Retry-After": str(math.ceil(e.retry_after))}) from None
    except StoreFull as e:
        raise HTTPException(507, e.message) from None
    except (StoreUnavailable, StoreError) as e:
        raise HTTPException(503, e.message) from None


def _get(store: ModelStore, model_id: str) -> SavedModel:
    with _store_errors():
        return store.get(model_id)


# --- endpoints ----------------------------------------------------------------------------------

def _created(record: SavedModel, response: Response) -> dict:
    response.headers["Location"] = f"/api/models/{record.id}"
    return {**record.summary(), "owner_key": record.owner_key}


def _quota(request: Request, settings: Settings) -> dict:
    return {"client": client_address(request.scope), "quota": settings.save_quota}


@router.post("", status_code=201, response_model=SavedModelCreated, responses=SAVE_REFUSED)
def save_model(body: SaveModelRequest, request: Request, response: Response, settings: SettingsDep,
               store: StoreDep) -> dict:
    """Save a model under a name. It gets an id, a creation time and an owner key; `Location` points at it."""
    network_from(body.model, settings)  # the size limits and shape checks of every request
    with _store_errors():
        record = store.save(body.name, body.model, source="api", class_names=body.class_names,
                            **_quota(request, settings))
    return _created(record, response)


@router.post("/import", status_code=201, response_model=SavedModelCreated, responses=SAVE_REFUSED)
def import_model(
    request: Request,
    response: Response,
    settings: SettingsDep,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="model JSON (.json) or safetensors (.safetensors) as "
                                                 "GET /api/models/{id}/export writes them, or a NumPy .npz "
                                                 "holding W0, b0, W1, b1, ...")],
    name: Annotated[str | None, Form(description="the name to save it under (default: the name in the "
                                                 "file, else the file's name)")] = None,
    hidden_activation: Annotated[str | None, Form(description=".npz only (it holds only numbers): the hidden "
                                                              "layers' activation (default sigmoid)")] = None,
    output_activation: Annotated[str | None, Form(description=".npz only: the output layer's activation")] = None,
    loss: Annotated[str | None, Form(description=".npz only: the loss the weights were trained with")] = None,
) -> dict:
    """Save a model from a file: model JSON, safetensors or .npz. Nothing is ever unpickled."""
    data = file.file.read(settings.max_import_bytes + 1)
    if len(data) > settings.max_import_bytes:
        raise invalid(("body", "file"), f"the file is larger than the limit of {settings.max_import_bytes:,} bytes")
    try:
        model_file = read_model(data, file.filename, size_limits(settings), {
            "hidden_activation": hidden_activation, "output_activation": output_activation, "loss": loss})
    except FormatError as e:
        raise invalid(("body", "file", *e.loc), e.message) from None
    doc_loc = ("body", "file", *model_file.document_loc)
    chosen = name if name is not None else model_file.name or PurePath(file.filename or "").stem or "imported model"
    with _store_errors(name_loc=("body", "name") if name is not None else ("body", "file", "name"),
                       model_loc=doc_loc, other_loc=("body", "file")):
        record = store.save(chosen, model_file.document, source="import", class_names=model_file.class_names,
                            kind=model_file.kind, **_quota(request, settings))
    return _created(record, response)


@router.get("", response_model=ModelPage)
def list_models(
    settings: SettingsDep,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, description="models per page (at most the max_models_page setting, "
                                                  "100 by default)")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="models to skip")] = 0,
    x_owner_keys: Annotated[str | None, Header(description=(
        f"hosted mode: the owner keys the caller holds, separated by commas (at most {MAX_OWNER_KEYS}); only their "
        "models are listed. Ignored in local mode, which lists every model"))] = None,
) -> dict:
    """The saved models, newest first, a page at a time: summaries without weights, and the total. A hosted
    server lists only the caller's models: those whose owner keys come in `X-Owner-Keys`."""
    if limit > settings.max_models_page:
        raise invalid(("query", "limit"), f"at most {settings.max_models_page} models per page; "
                                          f"use offset to get the next page")
    owner_keys = _owner_keys(x_owner_keys) if settings.mode == "hosted" else None
    with _store_errors():
        page = store.page(limit=limit, offset=offset, owner_keys=owner_keys)
    return {"items": [m.summary() for m in page.items], "total": page.total, "limit": limit, "offset": offset}


@router.get("/{model_id}", response_model=SavedModelDetail,
            responses={404: {"description": "no saved model has this id"}})
def get_model(model_id: ModelId, store: StoreDep) -> dict:
    """One saved model with all its weights."""
    record = _get(store, model_id)
    return {**record.summary(), "model": record.document}


def _owner_keys(header: str | None) -> list[str]:
    keys = [k.strip() for k in (header or "").split(",") if k.strip()]
    if len(keys) > MAX_OWNER_KEYS:
        raise invalid(("header", "x-owner-keys"), f"at most {MAX_OWNER_KEYS} owner keys per request; got {len(keys)}")
    return keys


@router.delete("/{model_id}", status_code=204, response_class=Response,
               responses={404: {"description": "no saved model has this id"},
                          403: {"description": "X-Owner-Key is missing or is not this model's owner key"}})
def delete_model(
    model_id: ModelId, request: Request, settings: SettingsDep, store: StoreDep,
    x_owner_key: Annotated[str | None, Header(description="the owner key the model's save answered with")] = None,
) -> Response:
    """Delete a saved model: only with its owner key. Its id is never given to another model."""
    with _store_errors():
        # Models saved before owner keys existed have none: on a laptop anyone may delete them, hosted nobody.
        store.delete(model_id, x_owner_key, unowned_ok=settings.mode == "local")
    request.app.state.loaded_models.forget(model_id)
    return Response(status_code=204)


@router.post("/{model_id}/predict", response_model=PredictResponse,
             responses={404: {"description": "no saved model has this id"}})
async def predict_with_model(model_id: ModelId, body: PredictRequest, request: Request, settings: SettingsDep,
                             store: StoreDep) -> dict:
    """Run the saved model on rows of inputs: the outputs aᴸ (as /api/backprop computes them) and each row's class."""
    if len(body.inputs) > settings.max_predict_rows:
        raise invalid(("body", "inputs"), f"at most {settings.max_predict_rows:,} rows per call are allowed; "
                                          f"got {len(body.inputs):,}")
    # async, with the network kept loaded: a small predict is microseconds of NumPy, so the thread-pool
    # hop, the database read and rebuilding the network would otherwise be most of its cost.
    models: LoadedModels = request.app.state.loaded_models
    loaded = models.cached(model_id)
    if loaded is None:
        loaded = await run_in_threadpool(_load, models, store, model_id)
    record = loaded.record
    # Each row answers n_out outputs, a class and, if the model has them, a class name (JSON escapes ≤ 6 bytes a char).
    name_bytes = 6 * max(map(len, record.class_names)) + 3 if record.class_names else 0
    within_answer_limit(settings, examples=len(body.inputs), per_example=json_bytes(record.layer_sizes[-1] + 1, 1)
                        + name_bytes, rest=0, unit="rows")
    width = record.layer_sizes[0]
    for n, row in enumerate(body.inputs):
        if len(row) != width:
            raise invalid(("body", "inputs", n), f"inputs[{n}] has {len(row)} numbers; the model expects {width} "
                                                 f"inputs per row (its layer_sizes[0])")
    inputs = np.array(body.inputs, dtype=np.float64)
    if len(inputs) * record.parameter_count <= INLINE_PREDICT_WORK:
        outputs, classes = predict(loaded.net, inputs)
    else:  # large enough to hold the event loop up: compute on a worker thread
        outputs, classes = await run_in_threadpool(predict, loaded.net, inputs)
    if not np.isfinite(outputs).all():
        raise invalid(("body", "inputs"), "these inputs are so large that the model's outputs overflow "
                                          "(Infinity or NaN); use smaller inputs")
    names = ([None if c is None else record.class_names[c] for c in classes]
             if record.class_names and classes is not None else None)
    return {"outputs": outputs.tolist(), "classes": classes, "class_names": names}


def _load(models: LoadedModels, store: ModelStore, model_id: str) -> LoadedModel:
    with _store_errors():
        return models.load(store, model_id)


@router.get("/{model_id}/export", response_class=Response,
            responses={200: {"description": "the model file, as an attachment",
                             "content": {"application/json": {}, "application/octet-stream": {}}},
                       404: {"description": "no saved model has this id"}})
def export_saved_model(
    model_id: ModelId,
    store: StoreDep,
    format: Annotated[ExportFormat, Query(description="json: the model document (bit-exact); safetensors: "
                                                      "float64 tensors with the architecture in the metadata; "
                                                      "onnx: a float64 graph for onnxruntime")] = "json",
) -> Response:
    """Download the model as model JSON, safetensors or ONNX."""
    record = _get(store, model_id)
    data = export_model(record.document, format, name=record.name, class_names=record.class_names, kind=record.kind)
    extension, media_type = EXPORT_FORMATS[format]
    filename = f"{_slug(record.name)}-{record.id}{extension}"
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _slug(name: str) -> str:
    """A file-name-safe, ASCII version of a model name."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60]
    return slug or "model"


def document_save_quota(app: FastAPI) -> None:
    """The quota's 429 in the schema of the operations that save, for an app that has a quota: documented where it
    can happen, like the rate limit's (app.py documents the 400 and 413 the same way)."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            paths = generate()["paths"]
            for path in (router.prefix, f"{router.prefix}/import"):
                paths[path]["post"]["responses"]["429"] = QUOTA_REACHED
        return app.openapi_schema

    app.openapi = openapi
