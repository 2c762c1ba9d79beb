"""The datasets, their parameters, and CSV upload."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile
from pydantic_core import to_json

from app import datasets
from app.datasets.csv_upload import parse_csv_within
from app.web.bounds import json_bytes, within_answer_limit
from app.web.deps import SettingsDep
from app.web.errors import invalid, json_answer
from app.web.schemas import DatasetData, DatasetInfo

router = APIRouter(prefix="/api/datasets", tags=["datasets"])


@router.get("", response_model=list[DatasetInfo])
def list_datasets() -> list[dict]:
    """Every dataset with its description and parameters (with their bounds)."""
    return [datasets.describe(spec) for spec in datasets.DATASETS.values()]


@router.get("/{name}", response_model=DatasetData,
            responses={404: {"description": "no dataset of that name"}})
def get_dataset(name: str, request: Request, seed: int = 0) -> Response:
    """The inputs and one-hot labels of a dataset. Its parameters (see GET /api/datasets) go in the query."""
    try:
        spec = datasets.spec_of(name)
    except datasets.DatasetError as e:
        raise HTTPException(404, e.message) from None
    params = datasets.params_from_text(spec, {k: v for k, v in request.query_params.items() if k != "seed"})
    try:
        data = datasets.load(name, seed=seed, **params)
    except datasets.DatasetError as e:
        raise invalid(("path", "name") if e.field == "name" else ("query", e.field), e.message) from None
    described = datasets.describe(spec)
    used = {p.name: params.get(p.name, p.default) for p in spec.params}
    return json_answer(DatasetData(name=name, description=described["description"], params={"seed": seed, **used},
                                   inputs=data.inputs.tolist(), labels=data.labels.tolist(),
                                   class_names=data.class_names, task=data.task))


# A plain def: parsing and encoding run on a worker thread (FastAPI reads the multipart form on the event loop,
# at most MAX_UPLOAD_BYTES of it).
@router.post("/csv", response_model=DatasetData)
def upload_csv(
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="a CSV file with a header row")],
    label_column: Annotated[str | None, Form(description="the label column's name (default: the last)")] = None,
) -> Response:
    """Read an uploaded CSV: numeric feature columns and one label column; labels become one-hot rows.
    At most MAX_UNITS classes (one output unit each), and an answer within MAX_RESPONSE_BYTES."""
    raw = file.file.read(settings.max_upload_bytes + 1)
    if len(raw) > settings.max_upload_bytes:
        raise invalid(("body", "file"), f"the file is larger than the limit of {settings.max_upload_bytes:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid(("body", "file"), "the file is not UTF-8 text; save it as CSV (UTF-8)") from None
    try:
        data = parse_csv_within(text, label_column, settings)
    except datasets.DatasetError as e:
        raise invalid(("body", e.field), e.message) from None
    rows, features = data.inputs.shape
    within_answer_limit(  # one-hot labels are "0.0," or "1.0,": 4 bytes each
        settings, examples=rows, unit="rows", examples_loc=("body", "file"),
        per_example=json_bytes(features, 1) + json_bytes(len(data.class_names), 1, per_number=4),
        rest=len(to_json(data.class_names)) + len(to_json(file.filename or "")))
    return json_answer(DatasetData(name=file.filename or "upload.csv", description="Uploaded CSV", params={},
                                   inputs=data.inputs.tolist(), labels=data.labels.tolist(),
                                   class_names=data.class_names))
