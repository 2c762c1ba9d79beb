"""Saved models: save, import, list, fetch, delete, predict and export (docs/models.md).

The endpoints are plain `def`s: FastAPI runs them in its threadpool, where the store's blocking database
calls belong. Predict is the exception (see there).
"""

from __future__ import annotations

import contextlib
import re
from pathlib import PurePath
from typing import Annotated, Iterator, Literal

import numpy as np
from fastapi import APIRouter, File, Form, HTTPException, Path, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from app.export import EXPORT_FORMATS, ExportUnavailable, FormatError, export_model, read_model
from app.nn.inference import predict
from app.store import (InvalidModel, ModelNotFound, ModelStore, SavedModel, StoreError, StoreFull,
                       StoreUnavailable)
from app.web.deps import SettingsDep, StoreDep
from app.web.errors import invalid
from app.web.loaded_models import LoadedModel, LoadedModels
from app.web.model_input import network_from, size_limits
from app.web.schemas import (ModelPage, PredictRequest, PredictResponse, SavedModelDetail, SavedModelInfo,
                             SaveModelRequest)

router = APIRouter(prefix="/api/models", tags=["models"])

MAX_OFFSET = 2**31 - 1
INLINE_PREDICT_WORK = 1_000_000  # rows × parameters a predict may compute on the event loop (well under 1 ms)
ModelId = Annotated[int, Path(ge=1, description="the id the model got when it was saved")]
ExportFormat = Literal[tuple(EXPORT_FORMATS)]  # type: ignore[valid-type]




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
    except StoreFull as e:
        raise HTTPException(507, e.message) from None
    except (StoreUnavailable, StoreError) as e:
        raise HTTPException(503, e.message) from None


def _get(store: ModelStore, model_id: int) -> SavedModel:
    with _store_errors():
        return store.get(model_id)


# --- endpoints ----------------------------------------------------------------------------------

@router.post("", status_code=201, response_model=SavedModelInfo,
             responses={507: {"description": "the store holds its maximum number of models"},
                        503: {"description": "the database cannot be reached"}})
def save_model(body: SaveModelRequest, response: Response, settings: SettingsDep, store: StoreDep) -> dict:
    """Save a model under a name. It gets an id and a creation time; `Location` points at it."""
    network_from(body.model, settings)  # the size limits and shape checks of every request
    with _store_errors():
        record = store.save(body.name, body.model, source="api", class_names=body.class_names)
    response.headers["Location"] = f"/api/models/{record.id}"
    return record.summary()


@router.post("/import", status_code=201, response_model=SavedModelInfo,
             responses={507: {"description": "the store holds its maximum number of models"}})
def import_model(
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
        record = store.save(chosen, model_file.document, source="import", class_names=model_file.class_names)
    response.headers["Location"] = f"/api/models/{record.id}"
    return record.summary()


@router.get("", response_model=ModelPage)
def list_models(
    settings: SettingsDep,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, description="models per page (at most the max_models_page setting, "
                                                  "100 by default)")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="models to skip")] = 0,
) -> dict:
    """The saved models, newest first, a page at a time: summaries without weights, and the total."""
    if limit > settings.max_models_page:
        raise invalid(("query", "limit"), f"at most {settings.max_models_page} models per page; "
                                          f"use offset to get the next page")
    with _store_errors():
        page = store.page(limit=limit, offset=offset)
    return {"items": [m.summary() for m in page.items], "total": page.total, "limit": limit, "offset": offset}


@router.get("/{model_id}", response_model=SavedModelDetail,
            responses={404: {"description": "no saved model has this id"}})
def get_model(model_id: ModelId, store: StoreDep) -> dict:
    """One saved model with all its weights."""
    record = _get(store, model_id)
    return {**record.summary(), "model": record.document}


@router.delete("/{model_id}", status_code=204, response_class=Response,
               responses={404: {"description": "no saved model has this id"}})
def delete_model(model_id: ModelId, request: Request, store: StoreDep) -> Response:
    """Delete a saved model. Its id is never given to another model."""
    with _store_errors():
        store.delete(model_id)
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
    names = [record.class_names[c] for c in classes] if record.class_names else None
    return {"outputs": outputs.tolist(), "classes": classes, "class_names": names}


def _load(models: LoadedModels, store: ModelStore, model_id: int) -> LoadedModel:
    with _store_errors():
        return models.load(store, model_id)


@router.get("/{model_id}/export", response_class=Response,
            responses={200: {"description": "the model file, as an attachment",
                             "content": {"application/json": {}, "application/octet-stream": {}}},
                       404: {"description": "no saved model has this id"},
                       501: {"description": "ONNX export needs the optional `export` extra"}})
def export_saved_model(
    model_id: ModelId,
    store: StoreDep,
    format: Annotated[ExportFormat, Query(description="json: the model document (bit-exact); safetensors: "
                                                      "float64 tensors with the architecture in the metadata; "
                                                      "onnx: a float64 graph for onnxruntime")] = "json",
) -> Response:
    """Download the model as model JSON, safetensors or ONNX."""
    record = _get(store, model_id)
    try:
        data = export_model(record.document, format, name=record.name, class_names=record.class_names)
    except ExportUnavailable as e:
        raise HTTPException(501, str(e)) from None
    extension, media_type = EXPORT_FORMATS[format]
    filename = f"{_slug(record.name)}-{record.id}{extension}"
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _slug(name: str) -> str:
    """A file-name-safe, ASCII version of a model name."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60]
    return slug or "model"
