"""One rule for what a model is: every way a model comes in refuses the same bad documents at the same field.

The entry points: POST /api/backprop (the REST body), POST /api/models/import (model JSON and safetensors), the
store (what the live socket's `save` calls) and `backprop-lab predict` (a model file). Each answer is reduced to
the field inside the document; the sentences are not compared.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save as save_safetensors

from app.cli import CLIError, load_model
from app.export import to_json
from app.store import InvalidModel, ModelStore

GOOD = {"layer_sizes": [2, 3, 2], "hidden_activation": "sigmoid", "output_activation": "softmax",
        "loss": "cross_entropy", "W": [[[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], [[0.7, -0.8, 0.9], [-0.1, 0.2, -0.3]]],
        "b": [[0.0, 0.1, -0.1], [0.2, -0.2]]}


def _with(**changes) -> dict:
    doc = copy.deepcopy(GOOD)
    doc.update(changes)
    return doc


def _nan_weight() -> dict:
    doc = copy.deepcopy(GOOD)
    doc["W"][0][0][1] = float("nan")
    return doc


BAD = [  # id, document, the field inside the document that every entry point names
    ("one_unit_softmax", _with(layer_sizes=[2, 1], hidden_activation=None, W=[[[0.1, -0.2]]], b=[[0.0]]),
     "layer_sizes"),
    ("mismatched_loss", _with(loss="binary_cross_entropy"), "loss"),
    ("wrong_W_shape", _with(W=[[[0.1, -0.2], [0.3, 0.4]], GOOD["W"][1]]), "W.0"),
    ("nan_weight", _nan_weight(), "W.0.0.1"),
    ("unknown_activation", _with(hidden_activation="swish"), "hidden_activation"),
    ("hidden_layers_without_hidden_activation", _with(hidden_activation=None), "hidden_activation"),
]
CASES = [pytest.param(doc, field, id=name) for name, doc, field in BAD]


def _examples(doc: dict) -> dict:
    n_in, n_out = doc["layer_sizes"][0], doc["layer_sizes"][-1]
    one_hot = [[1.0] + [0.0] * (n_out - 1)] * 2
    return {"inputs": [[1.0] * n_in] * 2, "labels": one_hot}


def _json_file(doc: dict) -> bytes:
    return json.dumps(doc).encode()  # NaN is written as NaN, as Python writes it


def _safetensors_file(doc: dict) -> bytes:
    tensors = {}
    for l, (W, b) in enumerate(zip(doc["W"], doc["b"])):
        tensors[f"layers.{l}.weight"] = np.array(W, dtype=np.float64)
        tensors[f"layers.{l}.bias"] = np.array(b, dtype=np.float64)
    metadata = {"layer_sizes": json.dumps(doc["layer_sizes"]), "hidden_activation": doc["hidden_activation"] or "none",
                "output_activation": doc["output_activation"], "loss": doc["loss"]}
    return save_safetensors(tensors, metadata=metadata)


def _rest_fields(response, prefix: str) -> list[str | None]:
    """The fields of a 422, relative to the document (which sits at `prefix` in the request)."""
    assert response.status_code == 422, response.text
    fields = [error["field"] for error in response.json()["detail"]]
    assert all(f.startswith(prefix + ".") for f in fields), fields
    return [f.removeprefix(prefix + ".") for f in fields]


def field_from_backprop(client, doc: dict) -> str | None:
    r = client.post("/api/backprop", content=json.dumps({"model": doc, **_examples(doc)}),
                    headers={"content-type": "application/json"})
    return _rest_fields(r, "model")[0]


def field_from_import(client, data: bytes, filename: str) -> str | None:
    r = client.post("/api/models/import", files={"file": (filename, data)})
    return _rest_fields(r, "file")[0]


def field_from_store(store: ModelStore, doc: dict) -> str | None:
    with pytest.raises(InvalidModel) as e:
        store.save("model", doc)
    assert e.value.loc[0] == "model"
    return ".".join(map(str, e.value.loc[1:]))


def field_from_cli(tmp_path: Path, data: bytes, filename: str) -> str | None:
    path = tmp_path / filename
    path.write_bytes(data)
    with pytest.raises(CLIError) as e:
        load_model(path)
    return e.value.field


@pytest.fixture
def store(tmp_path):
    store = ModelStore(f"sqlite:///{tmp_path / 'models.db'}")
    yield store
    store.close()


@pytest.mark.parametrize("doc, field", CASES)
def test_every_entry_point_refuses_the_model_at_the_same_field(client, store, tmp_path, doc, field):
    answers = {
        "REST /api/backprop": field_from_backprop(client, doc),
        "import, model JSON": field_from_import(client, _json_file(doc), "m.json"),
        "import, safetensors": field_from_import(client, _safetensors_file(doc), "m.safetensors"),
        "store": field_from_store(store, doc),
        "predict, model JSON": field_from_cli(tmp_path, _json_file(doc), "m.json"),
        "predict, safetensors": field_from_cli(tmp_path, _safetensors_file(doc), "m.safetensors"),
    }
    assert answers == dict.fromkeys(answers, field)
    assert client.get("/api/models").json()["total"] == 0 and store.count() == 0


def test_every_entry_point_accepts_the_good_model(client, store, tmp_path):
    r = client.post("/api/backprop", json={"model": GOOD, **_examples(GOOD)})
    assert r.status_code == 200, r.text
    for data, filename in ((to_json(GOOD), "m.json"), (_safetensors_file(GOOD), "m.safetensors")):
        assert client.post("/api/models/import", files={"file": (filename, data)}).status_code == 201
        path = tmp_path / filename
        path.write_bytes(data)
        net, _ = load_model(path)
        assert net.layer_sizes == GOOD["layer_sizes"]
    assert store.get(store.save("model", GOOD).id).document == GOOD


def test_the_size_limits_are_the_entry_points_own(client, store, tmp_path, settings):
    """REST and import bound the network's size; the store and the command line take any size."""
    wide = _with(layer_sizes=[2, settings.max_units + 1, 2],
                 W=[[[0.0, 0.0]] * (settings.max_units + 1), [[0.0] * (settings.max_units + 1)] * 2],
                 b=[[0.0] * (settings.max_units + 1), [0.0, 0.0]])
    assert field_from_backprop(client, wide) == "layer_sizes"
    assert field_from_import(client, to_json(wide), "m.json") == "layer_sizes"
    assert store.save("wide", wide).layer_sizes == wide["layer_sizes"]
    path = tmp_path / "wide.json"
    path.write_bytes(to_json(wide))
    assert load_model(path)[0].layer_sizes == wide["layer_sizes"]
