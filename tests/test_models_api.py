"""The saved-model REST API against SQLite and a real PostgreSQL server: save, list, get, delete, predict,
export and import; real concurrency and restarts through uvicorn; a 422 for every bad input."""

from __future__ import annotations

import io
import json
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.export import to_safetensors
from app.web.app import create_app
from lab_settings import make_settings
from live_server import live_server
from models_support import model_doc, same_bits


@pytest.fixture
def settings(database_url):
    return make_settings(database_url=database_url)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as c:
        yield c


def save(client, doc=None, name="net", **extra):
    r = client.post("/api/models", json={"name": name, "model": doc or model_doc(), **extra})
    assert r.status_code == 201, r.text
    return r.json()


def assert_422(response, loc, *fragments):
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail[0]["loc"][:len(loc)] == list(loc), detail
    for fragment in fragments:
        assert fragment in detail[0]["msg"], detail


# --- save, list, get, delete ----------------------------------------------------------------------

def test_save_then_get_returns_the_model_bit_for_bit(client):
    doc = model_doc((2, 4, 3), "softmax_ce", "relu", seed=2)
    doc["W"][1][2][3] = -0.0
    r = client.post("/api/models", json={"name": "relu net", "model": doc, "class_names": ["x", "y", "z"]})
    assert r.status_code == 201
    info = r.json()
    assert r.headers["location"] == f"/api/models/{info['id']}"
    assert info["name"] == "relu net" and info["source"] == "api" and info["kind"] == "softmax_ce"
    assert info["layer_sizes"] == [2, 4, 3] and info["parameter_count"] == 12 + 15
    assert info["created_at"].endswith("Z") and "model" not in info
    key = info.pop("owner_key")
    assert len(key) == 22 and len(info["id"]) == 22

    got = client.get(f"/api/models/{info['id']}").json()
    assert same_bits(got["model"], doc)
    assert '"-0.0"' not in client.get(f"/api/models/{info['id']}").text  # a number, not a string
    assert {k: v for k, v in got.items() if k != "model"} == info


def test_the_list_is_paginated_newest_first(client):
    ids = [save(client, name=f"m{i}")["id"] for i in range(5)]
    page = client.get("/api/models", params={"limit": 2}).json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 0
    assert [m["id"] for m in page["items"]] == ids[::-1][:2]
    assert all("model" not in m for m in page["items"])
    assert [m["id"] for m in client.get("/api/models?limit=2&offset=4").json()["items"]] == ids[:1]
    assert client.get("/api/models").json()["limit"] == 20


def test_delete_then_get_is_a_404(client):
    saved = save(client)
    model_id, owner = saved["id"], {"X-Owner-Key": saved["owner_key"]}
    assert client.delete(f"/api/models/{model_id}", headers=owner).status_code == 204
    r = client.get(f"/api/models/{model_id}")
    assert r.status_code == 404 and str(model_id) in r.json()["detail"]
    assert client.delete(f"/api/models/{model_id}", headers=owner).status_code == 404
    for path in (f"/api/models/{model_id}/export", ):
        assert client.get(path).status_code == 404
    assert client.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0]]}).status_code == 404
    assert client.get("/api/models/2147483648").status_code == 404


def test_a_full_store_answers_507(database_url):
    with TestClient(create_app(make_settings(database_url=database_url, max_saved_models=1))) as c:
        save(c)
        r = c.post("/api/models", json={"name": "second", "model": model_doc()})
        assert r.status_code == 507 and "full" in r.json()["detail"]


def test_an_unreachable_database_answers_503_with_a_clear_message():
    with TestClient(create_app(make_settings(database_url="postgresql://u:pw@127.0.0.1:1/x"))) as c:
        r = c.get("/api/models")
        assert r.status_code == 503
        assert "cannot be used" in r.json()["detail"] and "pw@" not in r.json()["detail"]
        # the rest of the app does not depend on the database
        assert c.get("/api/health").status_code == 200


# --- predict ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sizes, kind, hidden", [
    ((2, 2), "softmax_ce", "sigmoid"),
    ((2, 8, 2), "softmax_ce", "sigmoid"),
    ((3, 5, 4, 2), "sigmoid_bce", "tanh"),
    ((2, 6, 3), "softmax_mse", "leaky_relu"),
    ((4, 3, 1), "sigmoid_mse", "relu"),
])
def test_predict_agrees_with_backprop_outputs(client, sizes, kind, hidden):
    doc = model_doc(sizes, kind, hidden, seed=7)
    model_id = save(client, doc)["id"]
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(6, sizes[0])).tolist()
    labels = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 6)].tolist()
    predicted = client.post(f"/api/models/{model_id}/predict", json={"inputs": inputs})
    assert predicted.status_code == 200, predicted.text
    reference = client.post("/api/backprop", json={"model": doc, "inputs": inputs, "labels": labels}).json()
    outputs = predicted.json()["outputs"]
    assert outputs == reference["outputs"]  # the same engine: identical numbers
    expected_classes = ((np.array(outputs)[:, 0] >= 0.5).astype(int).tolist() if sizes[-1] == 1
                        else np.argmax(outputs, axis=1).tolist())
    assert predicted.json()["classes"] == expected_classes
    assert predicted.json()["class_names"] is None


def test_outputs_that_tie_name_no_class(client):
    """A collapsed network answers [0.5, 0.5] for every input: that names no class (null), it is not class 0."""
    doc = model_doc((2, 2), "softmax_ce")
    doc["W"] = [[[5.0, -5.0], [-5.0, 5.0]]]
    doc["b"] = [[0.0, 0.0]]
    model_id = save(client, doc, class_names=["A", "B"])["id"]
    r = client.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0], [0.3, 0.3], [0, 1]]}).json()
    assert r["outputs"][1] == pytest.approx([0.5, 0.5], abs=1e-15)  # softmax of equal z, to the last bit or so
    assert r["classes"] == [0, None, 1] and r["class_names"] == ["A", None, "B"]
    one_unit = model_doc((2, 1), "sigmoid_bce")
    one_unit["W"], one_unit["b"] = [[[1.0, -1.0]]], [[0.0]]
    model_id = save(client, one_unit)["id"]
    r = client.post(f"/api/models/{model_id}/predict", json={"inputs": [[2, 2], [2, 0]]}).json()
    assert r["classes"] == [None, 1]


def test_predict_names_the_classes_when_the_model_has_names(client):
    doc = model_doc((2, 2), "softmax_ce")
    doc["W"] = [[[5.0, -5.0], [-5.0, 5.0]]]
    model_id = save(client, doc, class_names=["A", "B"])["id"]
    r = client.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0], [0, 1], [2, 0]]}).json()
    assert r["classes"] == [0, 1, 0] and r["class_names"] == ["A", "B", "A"]


def test_predict_accepts_the_largest_batch_and_no_more(database_url):
    with TestClient(create_app(make_settings(database_url=database_url, max_predict_rows=50))) as c:
        model_id = save(c)["id"]
        assert len(c.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0]] * 50}).json()["outputs"]) == 50
        r = c.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0]] * 51})
        assert_422(r, ("body", "inputs"), "at most 50 rows")


@pytest.mark.parametrize("body, loc, fragment", [
    ({"inputs": [[1, 0, 0]]}, ("body", "inputs", 0), "expects 2 inputs"),
    ({"inputs": [[1, 0], [1]]}, ("body", "inputs", 1), "expects 2 inputs"),
    ({"inputs": [[]]}, ("body", "inputs", 0), "expects 2 inputs"),
    ({"inputs": []}, ("body", "inputs"), ""),
    ({"inputs": [["1", 0]]}, ("body", "inputs", 0, 0), ""),
    ({"inputs": [[True, 0]]}, ("body", "inputs", 0, 0), ""),
    ({"inputs": [[1, 0]], "extra": 1}, ("body", "extra"), ""),
    ({}, ("body", "inputs"), ""),
    ({"inputs": [[1e308, -1e308]]}, ("body", "inputs"), "overflow"),
])
def test_bad_predict_inputs_are_422(client, body, loc, fragment):
    doc = model_doc((2, 2), "softmax_ce")
    doc["W"] = [[[10.0, -10.0], [-10.0, 10.0]]]
    model_id = save(client, doc)["id"]
    assert_422(client.post(f"/api/models/{model_id}/predict", json=body), loc, fragment)


@pytest.mark.parametrize("raw", [b'{"inputs": [[NaN, 0]]}', b'{"inputs": [[Infinity, 0]]}',
                                 b'{"inputs": [[1e999, 0]]}', b'{"inputs": [[1, 0]'])
def test_non_finite_or_broken_predict_bodies_are_422_never_500(client, raw):
    model_id = save(client)["id"]
    r = client.post(f"/api/models/{model_id}/predict", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and "NaN" not in r.text.replace("NaN and Infinity", "")


# --- export ----------------------------------------------------------------------------------------

def test_json_export_round_trips_bit_for_bit(client):
    doc = model_doc((3, 4, 2), "sigmoid_bce", "tanh", seed=5)
    model_id = save(client, doc, name="Tanh net / v2")["id"]
    r = client.get(f"/api/models/{model_id}/export", params={"format": "json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.headers["content-disposition"] == f'attachment; filename="Tanh-net-v2-{model_id}.json"'
    assert same_bits(json.loads(r.content), doc)
    assert client.get(f"/api/models/{model_id}/export").content == r.content  # json is the default


def test_safetensors_export_round_trips_bit_for_bit_with_the_architecture(client):
    from safetensors.numpy import load

    doc = model_doc((3, 4, 2), "softmax_ce", "relu", seed=6)
    model_id = save(client, doc, name="st", class_names=["no", "yes"])["id"]
    r = client.get(f"/api/models/{model_id}/export", params={"format": "safetensors"})
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.safetensors"')
    tensors = load(r.content)
    assert set(tensors) == {"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"}
    assert tensors["layers.0.weight"].dtype == np.float64 and tensors["layers.0.weight"].shape == (4, 3)
    for l in range(2):
        assert np.array_equal(tensors[f"layers.{l}.weight"].view(np.uint64),
                              np.array(doc["W"][l]).view(np.uint64))
        assert np.array_equal(tensors[f"layers.{l}.bias"].view(np.uint64), np.array(doc["b"][l]).view(np.uint64))
    imported = client.post("/api/models/import", files={"file": ("back.safetensors", r.content)})
    assert imported.status_code == 201, imported.text
    assert imported.json()["name"] == "st" and imported.json()["class_names"] == ["no", "yes"]
    assert same_bits(client.get(f"/api/models/{imported.json()['id']}").json()["model"], doc)


def test_onnx_export_runs_in_onnxruntime_with_the_same_outputs(client, tmp_path):
    import onnx
    import onnxruntime as ort

    doc = model_doc((3, 6, 4), "softmax_ce", "tanh", seed=8)
    model_id = save(client, doc)["id"]
    r = client.get(f"/api/models/{model_id}/export", params={"format": "onnx"})
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.onnx"')
    onnx.checker.check_model(onnx.load_from_string(r.content), full_check=True)
    inputs = np.random.default_rng(2).normal(size=(9, 3))
    session = ort.InferenceSession(r.content, providers=["CPUExecutionProvider"])
    ort_outputs = session.run(None, {"input": inputs})[0]
    api_outputs = client.post(f"/api/models/{model_id}/predict", json={"inputs": inputs.tolist()}).json()["outputs"]
    np.testing.assert_allclose(ort_outputs, api_outputs, rtol=0, atol=1e-6)


def test_an_unknown_export_format_is_422(client):
    model_id = save(client)["id"]
    assert_422(client.get(f"/api/models/{model_id}/export", params={"format": "pickle"}), ("query", "format"))


# --- import ----------------------------------------------------------------------------------------

def test_import_model_json_and_the_exported_detail(client):
    doc = model_doc((2, 3, 2), seed=3)
    r = client.post("/api/models/import", files={"file": ("my model.json", json.dumps(doc).encode())})
    assert r.status_code == 201 and r.json()["name"] == "my model" and r.json()["source"] == "import"
    assert r.headers["location"] == f"/api/models/{r.json()['id']}"
    detail = client.get(f"/api/models/{r.json()['id']}").content
    again = client.post("/api/models/import", files={"file": ("detail.json", detail)}, data={"name": "copy"})
    assert again.status_code == 201 and again.json()["name"] == "copy"
    assert same_bits(client.get(f"/api/models/{again.json()['id']}").json()["model"], doc)


def test_import_sniffs_the_format_without_an_extension(client):
    doc = model_doc()
    for content in (json.dumps(doc).encode(), to_safetensors(doc)):
        r = client.post("/api/models/import", files={"file": ("upload", content)})
        assert r.status_code == 201, r.text
        assert same_bits(client.get(f"/api/models/{r.json()['id']}").json()["model"], doc)


def _safetensors_with(tensors=None, metadata=None, drop=()):
    from safetensors.numpy import save as st_save

    doc = model_doc((2, 3, 2))
    base = {f"layers.{l}.weight": np.array(doc["W"][l]) for l in range(2)}
    base.update({f"layers.{l}.bias": np.array(doc["b"][l]) for l in range(2)})
    base.update(tensors or {})
    for key in drop:
        base.pop(key)
    meta = {"format": "backprop-lab", "format_version": "1", "layer_sizes": "[2, 3, 2]",
            "hidden_activation": "sigmoid", "output_activation": "softmax", "loss": "cross_entropy"}
    meta.update(metadata or {})
    meta = {k: v for k, v in meta.items() if v is not None}
    return st_save(base, metadata=meta)


class Evil:
    """Unpickling this would create a file: the import must never unpickle."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


BAD_FILES = [
    ("empty.json", b"", ("body", "file"), "empty"),
    ("bad.json", b'{"layer_sizes": [2, 2', ("body", "file"), "not valid JSON"),
    ("list.json", b"[1, 2]", ("body", "file"), "an object"),
    ("nan.json", json.dumps({**model_doc((2, 2)), "W": [[[float("nan"), 0.0], [0.0, 0.0]]]}).encode(),
     ("body", "file", "W", 0, 0, 0), ""),
    ("latin1.json", "{\"name\": \"caf\xe9\"}".encode("latin-1"), ("body", "file"), "UTF-8"),
    ("shape.json", json.dumps({**model_doc((2, 2)), "W": [[[1.0, 2.0, 3.0], [0.0, 0.0]]]}).encode(),
     ("body", "file", "W", 0, 0), "needs 2 numbers"),
    ("missing.json", json.dumps({"layer_sizes": [2, 2]}).encode(), ("body", "file", "output_activation"), ""),
    ("loss.json", json.dumps({**model_doc((2, 2)), "loss": "binary_cross_entropy"}).encode(),
     ("body", "file", "loss"), "binary_cross_entropy needs a sigmoid"),
    ("wrapped.json", json.dumps({"name": "w", "model": {**model_doc((2, 2)), "loss": "nope"}}).encode(),
     ("body", "file", "model", "loss"), ""),
    ("garbage.safetensors", b"\x00" * 64, ("body", "file"), "not a safetensors file"),
    ("short.safetensors", b"\x01\x02", ("body", "file"), "too short"),
    ("model.onnx", b"\x08\x08", ("body", "file"), "ONNX files cannot be imported"),
    ("nometa.safetensors", None, ("body", "file", "metadata"), "no metadata"),
    # A safetensors file is read into a model document (layers.{l}.weight is W[l]), checked like any other.
    ("sizes.safetensors", _safetensors_with(metadata={"layer_sizes": "2,3,2"}), ("body", "file", "layer_sizes"), ""),
    ("nosizes.safetensors", _safetensors_with(metadata={"layer_sizes": None}), ("body", "file", "layer_sizes"), ""),
    ("act.safetensors", _safetensors_with(metadata={"hidden_activation": "swish"}),
     ("body", "file", "hidden_activation"), ""),
    ("pair.safetensors", _safetensors_with(metadata={"loss": "binary_cross_entropy"}), ("body", "file", "loss"), ""),
    ("shape.safetensors", _safetensors_with(metadata={"layer_sizes": "[2, 4, 2]"}), ("body", "file", "W", 0), ""),
    ("transposed.safetensors", _safetensors_with({"layers.0.weight": np.zeros((2, 3))}),
     ("body", "file", "W", 0), ""),
    ("missing.safetensors", _safetensors_with(drop=("layers.1.bias",)),
     ("body", "file", "tensors", "layers.1.bias"), ""),
    ("extra.safetensors", _safetensors_with({"layers.2.weight": np.zeros((2, 2)), "layers.2.bias": np.zeros(2)}),
     ("body", "file", "W"), ""),
    ("misnamed.safetensors", _safetensors_with({"fc1.weight": np.zeros((2, 2))}),
     ("body", "file", "tensors", "fc1.weight"), ""),
    ("ints.safetensors", _safetensors_with({"layers.0.bias": np.zeros(3, dtype=np.int32)}),
     ("body", "file", "tensors", "layers.0.bias"), ""),
    ("inf.safetensors", _safetensors_with({"layers.1.bias": np.array([np.inf, 0.0])}), ("body", "file", "b", 1, 0), ""),
]


@pytest.mark.parametrize("filename, content, loc, fragment", BAD_FILES, ids=[f[0] for f in BAD_FILES])
def test_bad_import_files_are_422(client, filename, content, loc, fragment):
    if content is None:  # a safetensors file without metadata
        from safetensors.numpy import save as st_save
        content = st_save({"layers.0.weight": np.zeros((2, 2))})
    r = client.post("/api/models/import", files={"file": (filename, content)})
    assert_422(r, loc, fragment)
    assert client.get("/api/models").json()["total"] == 0


@pytest.mark.parametrize("filename", ["evil.safetensors", "evil.json", "evil.pkl", "evil.npy"])
def test_a_pickle_is_refused_and_never_unpickled(client, tmp_path, filename):
    target = tmp_path / "unpickled"
    payload = pickle.dumps(Evil(str(target)))
    buffer = io.BytesIO()
    np.save(buffer, np.array([Evil(str(target))], dtype=object), allow_pickle=True)
    for content in (payload, buffer.getvalue()):
        r = client.post("/api/models/import", files={"file": (filename, content)})
        assert r.status_code == 422
    assert not target.exists()


def test_an_import_over_the_size_limit_is_422(database_url):
    big = json.dumps(model_doc((20, 20, 2))).encode()
    with TestClient(create_app(make_settings(database_url=database_url, max_import_bytes=len(big) - 1))) as c:
        assert_422(c.post("/api/models/import", files={"file": ("big.json", big)}), ("body", "file"),
                   f"limit of {len(big) - 1:,} bytes")
        small = json.dumps(model_doc((2, 2))).encode()
        assert c.post("/api/models/import", files={"file": ("small.json", small)}).status_code == 201


def test_an_imported_model_over_the_network_limits_is_422(database_url):
    with TestClient(create_app(make_settings(database_url=database_url, max_units=4))) as c:
        r = c.post("/api/models/import", files={"file": ("wide.safetensors", to_safetensors(model_doc((2, 5, 2))))})
        assert_422(r, ("body", "file", "layer_sizes"), "at most 4 units")


def test_import_name_problems_point_at_the_right_place(client):
    content = json.dumps(model_doc()).encode()
    assert_422(client.post("/api/models/import", files={"file": ("a.json", content)}, data={"name": " "}),
               ("body", "name"), "empty")
    wrapped = json.dumps({"name": "x" * 300, "model": model_doc()}).encode()
    assert_422(client.post("/api/models/import", files={"file": ("a.json", wrapped)}),
               ("body", "file", "name"), "at most 200")
    assert_422(client.post("/api/models/import", data={"name": "no file"}), ("body", "file"))


# --- every other bad input is a 422 ----------------------------------------------------------------

def _with(**changes):
    return {**model_doc((2, 3, 2)), **changes}


@pytest.mark.parametrize("body, loc, fragment", [
    ({"model": model_doc()}, ("body", "name"), ""),
    ({"name": 7, "model": model_doc()}, ("body", "name"), ""),
    ({"name": "  ", "model": model_doc()}, ("body", "name"), "empty"),
    ({"name": "x" * 201, "model": model_doc()}, ("body", "name"), "at most 200 characters"),
    ({"name": "a\nb", "model": model_doc()}, ("body", "name"), "control characters"),
    ({"name": "x"}, ("body", "model"), ""),
    ({"name": "x", "model": model_doc(), "colour": "red"}, ("body", "colour"), ""),
    ({"name": "x", "model": _with(W=[[[1.0, 2.0]]])}, ("body", "model", "W"), "needs 2 entries"),
    ({"name": "x", "model": _with(hidden_activation="swish")}, ("body", "model", "hidden_activation"), ""),
    ({"name": "x", "model": _with(loss="binary_cross_entropy")}, ("body", "model", "loss"), "needs a sigmoid"),
    ({"name": "x", "model": _with(layer_sizes=[2, 2000, 2])}, ("body", "model", "layer_sizes"), "at most 1024"),
    ({"name": "x", "model": model_doc(), "class_names": ["one"]}, ("body", "class_names"), "2 outputs and 1"),
    ({"name": "x", "model": model_doc(), "class_names": ["a", 1]}, ("body", "class_names", 1), ""),
])
def test_bad_saves_are_422(client, body, loc, fragment):
    assert_422(client.post("/api/models", json=body), loc, fragment)
    assert client.get("/api/models").json()["total"] == 0


def test_a_save_with_nan_weights_is_422_never_500(client):
    raw = ('{"name": "x", "model": {"layer_sizes": [2, 2], "hidden_activation": null, "output_activation": '
           '"softmax", "loss": "cross_entropy", "W": [[[NaN, 0.5], [0.1, 0.2]]], "b": [[0.0, 0.0]]}}')
    r = client.post("/api/models", content=raw.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 422 and "finite" in r.text


@pytest.mark.parametrize("query, loc, fragment", [
    ("limit=0", ("query", "limit"), ""),
    ("limit=101", ("query", "limit"), "at most 100 models per page"),
    ("limit=ten", ("query", "limit"), ""),
    ("offset=-1", ("query", "offset"), ""),
    ("offset=99999999999999999999", ("query", "offset"), ""),
])
def test_bad_pages_are_422(client, query, loc, fragment):
    assert_422(client.get(f"/api/models?{query}"), loc, fragment)


@pytest.mark.parametrize("path", ["/api/models/1.5", "/api/models/a%20b", "/api/models/" + "x" * 33])
def test_bad_ids_are_422(client, path):
    for response in (client.get(path), client.delete(path), client.get(path + "/export"),
                     client.post(path + "/predict", json={"inputs": [[1, 0]]})):
        assert_422(response, ("path", "model_id"))


@pytest.mark.parametrize("path", ["/api/models/0", "/api/models/-3", "/api/models/abc"])
def test_ids_that_could_exist_but_do_not_are_404(client, path):
    for response in (client.get(path), client.delete(path), client.get(path + "/export"),
                     client.post(path + "/predict", json={"inputs": [[1, 0]]})):
        assert response.status_code == 404, response.text


# --- a real server: threadpool concurrency and restarts ---------------------------------------------

def test_fifty_concurrent_saves_through_a_real_server_lose_nothing(settings):
    barrier = threading.Barrier(50)
    with live_server(create_app(settings), lifespan="on") as server, \
            httpx.Client(base_url=server.url, timeout=60) as http:
        def post(i):
            barrier.wait()
            r = http.post("/api/models", json={"name": f"concurrent {i}", "model": model_doc(seed=i)})
            return r.status_code, r.json()["id"]

        with ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(post, range(50)))
        assert [status for status, _ in results] == [201] * 50
        ids = [model_id for _, model_id in results]
        assert len(set(ids)) == 50
        assert http.get("/api/models", params={"limit": 100}).json()["total"] == 50
        for i, model_id in enumerate(ids):
            got = http.get(f"/api/models/{model_id}").json()
            assert got["name"] == f"concurrent {i}" and same_bits(got["model"], model_doc(seed=i))


def test_models_survive_a_server_restart(settings):
    docs = [model_doc((2, 4, 2), seed=i) for i in range(3)]
    with live_server(create_app(settings), lifespan="on") as server, httpx.Client(base_url=server.url) as http:
        saved = [http.post("/api/models", json={"name": f"kept {i}", "model": d}).json() for i, d in enumerate(docs)]
        ids = [m["id"] for m in saved]
        assert http.delete(f"/api/models/{ids[2]}", headers={"X-Owner-Key": saved[2]["owner_key"]}).status_code == 204
        before = http.post(f"/api/models/{ids[0]}/predict", json={"inputs": [[1, 0], [0, 1]]}).json()

    with live_server(create_app(settings), lifespan="on") as server, httpx.Client(base_url=server.url) as http:
        page = http.get("/api/models").json()
        assert page["total"] == 2 and [m["id"] for m in page["items"]] == ids[1::-1]
        for model_id, doc in zip(ids[:2], docs):
            assert same_bits(http.get(f"/api/models/{model_id}").json()["model"], doc)
        assert http.post(f"/api/models/{ids[0]}/predict", json={"inputs": [[1, 0], [0, 1]]}).json() == before
        assert http.get(f"/api/models/{ids[2]}").status_code == 404
        assert http.post("/api/models", json={"name": "new", "model": docs[0]}).json()["id"] not in ids
