"""Start from your own weights: NumPy .npz model files (import and CLI), and `configure` with `start` over the socket.

Expected outputs are computed here with plain NumPy (rows are examples, W[l] is (n_out, n_in)), not by the engine.
"""

from __future__ import annotations

import io
import json
import os
import tracemalloc
import zipfile

import numpy as np
import pytest

from cli_support import call
from app.export.npz_format import from_npz
from app.export.errors import FormatError
from app.web.app import create_app
from lab_settings import make_settings
from live_server import Transport

TWO_POINTS = np.array([[1.0, 0.0], [0.0, 1.0]])
RNG = np.random.default_rng(7)
W0, B0 = RNG.normal(size=(8, 2)), RNG.normal(size=8)
W1, B1 = RNG.normal(size=(2, 8)), RNG.normal(size=2)
SOFTMAX_CE = {"output_activation": "softmax", "loss": "cross_entropy"}


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def npy(shape, data: bytes = b"", version: int = 1) -> bytes:
    """A .npy entry written by hand, so its header may say what np.save never would."""
    header = repr({"descr": "<f8", "fortran_order": False, "shape": shape}).encode("latin1")
    header += b" " * (63 - (len(header) + (10 if version == 1 else 12)) % 64) + b"\n"
    size = len(header).to_bytes(2 if version == 1 else 4, "little")
    return b"\x93NUMPY" + bytes([version, 0]) + size + header + data


def zipped(*entries: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(X, output):
    """The 2-8-2 network of W0, B0, W1, B1 with sigmoid hidden units, by hand."""
    return output(sigmoid(X @ W0.T + B0) @ W1.T + B1)


def document(W=(W0, W1), b=(B0, B1), **fields) -> dict:
    sizes = [W[0].shape[1], *(w.shape[0] for w in W)]
    return {"layer_sizes": sizes, "hidden_activation": "sigmoid", **SOFTMAX_CE,
            "W": [w.tolist() for w in W], "b": [v.tolist() for v in b], **fields}


class Reducer:
    """Unpickling this would create `path`: the file that proves a pickle ran."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return os.mkdir, (self.path,)


# --- .npz through POST /api/models/import ---------------------------------------------------------------------

def test_an_npz_imports_with_the_output_layer_the_form_names_and_keeps_every_number(client):
    data = npz(W0=W0, b0=B0, W1=W1.astype(np.float32), b1=np.array([1, -2]))
    response = client.post("/api/models/import", files={"file": ("mine.npz", data)}, data=SOFTMAX_CE)
    assert response.status_code == 201, response.text
    summary = response.json()
    assert summary["layer_sizes"] == [2, 8, 2] and summary["name"] == "mine"
    assert (summary["hidden_activation"], summary["output_activation"], summary["loss"]) == \
        ("sigmoid", "softmax", "cross_entropy")
    model = client.get(f"/api/models/{summary['id']}").json()["model"]
    assert np.array_equal(model["W"][0], W0) and np.array_equal(model["b"][0], B0)
    assert np.array_equal(model["W"][1], W1.astype(np.float32).astype(np.float64))
    assert model["b"][1] == [1.0, -2.0]


def test_an_npz_may_name_its_activations_in_string_arrays_found_by_content(client):
    data = npz(W0=W0, b0=B0, W1=W1, b1=B1, hidden_activation=np.array("tanh"),
               output_activation=np.array("sigmoid"), loss=np.array("binary_cross_entropy"))
    response = client.post("/api/models/import", files={"file": ("weights.bin", data)})
    assert response.status_code == 201, response.text
    summary = response.json()
    assert (summary["hidden_activation"], summary["output_activation"], summary["loss"]) == \
        ("tanh", "sigmoid", "binary_cross_entropy")


BAD_FILES = {
    "object array": (lambda: npz(W0=np.array([[1.0, None]], dtype=object), b0=np.zeros(1)), "file.W0", ()),
    "wrong name": (lambda: npz(weights=W0, b0=B0), "file.weights", ()),
    "gap in the layers": (lambda: npz(W0=W0, b0=B0, W2=W1, b2=B1), "file.W1", ()),
    "missing bias": (lambda: npz(W0=W0, W1=W1, b1=B1), "file.b0", ()),
    "W1 does not fit W0": (lambda: npz(W0=W0, b0=B0, W1=np.ones((2, 5)), b1=B1), "file.W1", ("(2, 5)", "(2, 8)")),
    "bias of the wrong length": (lambda: npz(W0=W0, b0=np.zeros(3), W1=W1, b1=B1), "file.b0", ("(3,)", "(8,)")),
    "W0 not 2-D": (lambda: npz(W0=np.ones(8), b0=B0), "file.W0", ()),
    "NaN": (lambda: npz(W0=np.where(np.eye(8, 2) > 0, np.nan, W0), b0=B0, W1=W1, b1=B1), "file.W0.0.0", ()),
    "Infinity": (lambda: npz(W0=W0, b0=B0, W1=W1, b1=np.array([0.0, np.inf])), "file.b1.1", ()),
    "too many units": (lambda: npz(W0=np.ones((1100, 2)), b0=np.ones(1100)), "file.W0", ("1,024",)),
    "too many arrays": (lambda: npz(**{f"{k}{l}": np.ones((1, 1)) for l in range(12) for k in "Wb"}), "file", ("24",)),
    "complex numbers": (lambda: npz(W0=W0.astype(complex), b0=B0), "file.W0", ("complex128",)),
    "text as weights": (lambda: npz(W0=np.array([["a", "b"]]), b0=np.zeros(1)), "file.W0", ()),
    "a zip that is no npz": (lambda: b"PK\x03\x04" + b"\0" * 40, "file", ()),
    "negative dimensions": (lambda: zipped(("W0.npy", npy((-2, -1), b"\0" * 16)), ("b0.npy", npy((2,), b"\0" * 16))),
                            "file.W0", ("(-2, -1)",)),
    "one negative dimension": (lambda: zipped(("W0.npy", npy((-1, 2), b"\0" * 16)), ("b0.npy", npy((2,), b"\0" * 16))),
                               "file.W0", ("(-1, 2)",)),
    "booleans as dimensions": (lambda: zipped(("W0.npy", npy((True, True), b"\0" * 8)),
                                              ("b0.npy", npy((1,), b"\0" * 8))), "file.W0", ()),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_npz_gets_a_422_at_the_array_to_fix(client, case):
    make, field, numbers = BAD_FILES[case]
    response = client.post("/api/models/import", files={"file": ("bad.npz", make())}, data=SOFTMAX_CE)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["field"] == field
    assert all(number in detail["msg"] for number in numbers), detail["msg"]
    assert client.get("/api/models").json()["total"] == 0


def test_an_npz_without_its_output_layer_is_refused_at_that_field(client):
    response = client.post("/api/models/import", files={"file": ("w.npz", npz(W0=W0, b0=B0, W1=W1, b1=B1))})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file.output_activation"


def test_a_pickle_inside_an_npz_never_runs(client, tmp_path):
    marker = tmp_path / "the-pickle-ran"
    data = npz(W0=np.array([Reducer(str(marker))], dtype=object), b0=np.zeros(1))
    response = client.post("/api/models/import", files={"file": ("evil.npz", data)}, data=SOFTMAX_CE)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "file.W0"
    assert not marker.exists()


def deflated_bomb(header: bytes, megabytes: int) -> bytes:
    """An .npz whose W0 entry is `header` then `megabytes` MB of zeros, deflated to about a thousandth of that."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("W0.npy", "w", force_zip64=True) as entry:
            entry.write(header)
            for _ in range(megabytes):
                entry.write(bytes(1 << 20))
        archive.writestr("b0.npy", npy((2,), b"\0" * 16))
    return buffer.getvalue()


BOMBS = {
    "a negative dimension before the zeros": (lambda: deflated_bomb(npy((-1, 2)), 64), ("W0",)),
    "a 64 MB header": (lambda: deflated_bomb(b"\x93NUMPY\x02\x00" + (64 << 20).to_bytes(4, "little"), 64),
                       ("W0",)),
}


@pytest.mark.parametrize("case", BOMBS)
def test_a_deflated_bomb_is_refused_without_decompressing_it(case):
    make, fields = BOMBS[case]
    data = make()
    assert len(data) < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(FormatError) as refused:
            from_npz(data, None, SOFTMAX_CE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.loc == fields
    assert peak < 4 << 20, peak  # the entry decompresses to 64 MB


# --- .npz on the command line ---------------------------------------------------------------------------------

def test_the_cli_predicts_with_an_npz_that_names_its_output_layer(tmp_path, capsys):
    path = tmp_path / "mine.npz"
    path.write_bytes(npz(W0=W0, b0=B0, W1=W1, b1=B1, output_activation=np.array("softmax"),
                         loss=np.array("cross_entropy")))
    code, out, err = call(capsys, "predict", str(path), "1,0", "0,1", "--json")
    assert code == 0, err
    assert np.allclose(json.loads(out)["outputs"], forward(TWO_POINTS, softmax), rtol=1e-12)


def test_the_cli_refuses_a_bad_npz_with_one_line_naming_the_array(tmp_path, capsys):
    path = tmp_path / "bad.npz"
    path.write_bytes(npz(W0=W0, b0=B0, W1=np.ones((2, 5)), b1=B1, output_activation=np.array("softmax"),
                         loss=np.array("cross_entropy")))
    code, _, err = call(capsys, "predict", str(path), "1,0")
    assert code == 1 and "W1" in err and "(2, 8)" in err and "Traceback" not in err


# --- configure with `start` over the socket -------------------------------------------------------------------

@pytest.fixture
def lab(tmp_path):
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}"))
    transport = Transport("testclient", app)
    conn = transport.open()
    conn.recv_type("hello")
    yield conn, transport.client
    transport.close()


RUNS = [{"id": "a", "kind": "sigmoid_mse"}, {"id": "b", "kind": "softmax_ce"}]


def first_outputs(conn, start: dict, **config) -> dict[str, np.ndarray]:
    conn.send_json({"type": "configure", "runs": RUNS, "start": start, **config})
    assert conn.recv_type("configured")["layer_sizes"] == [2, 8, 2]
    frame = conn.recv_type("frame")
    assert frame["step"] == 0
    return {run["id"]: np.array(run["outputs"]) for run in frame["runs"]}


def test_every_run_starts_from_an_inline_model_with_its_own_output_layer(lab):
    conn, _ = lab
    outputs = first_outputs(conn, {"model": document()})
    assert np.allclose(outputs["a"], forward(TWO_POINTS, sigmoid), rtol=1e-6)
    assert np.allclose(outputs["b"], forward(TWO_POINTS, softmax), rtol=1e-6)


def test_a_saved_npz_is_every_runs_start_and_reset_goes_back_to_it(lab):
    conn, client = lab
    imported = client.post("/api/models/import", files={"file": ("w.npz", npz(W0=W0, b0=B0, W1=W1, b1=B1))},
                           data=SOFTMAX_CE).json()
    outputs = first_outputs(conn, {"model_id": imported["id"]})
    assert np.allclose(outputs["b"], forward(TWO_POINTS, softmax), rtol=1e-6)
    conn.send_json({"type": "step", "count": 20})
    while conn.recv_type("frame")["step"] < 20:
        pass
    conn.send_json({"type": "reset"})
    again = conn.recv_type("frame")
    assert again["step"] == 0
    assert np.allclose(again["runs"][0]["outputs"], forward(TWO_POINTS, sigmoid), rtol=1e-6)


def test_the_seed_and_init_do_not_matter_when_starting_from_weights(lab):
    conn, _ = lab
    one = first_outputs(conn, {"model": document()}, network={"hidden_layers": [8], "seed": 1, "init": "xavier"})
    two = first_outputs(conn, {"model": document()}, network={"hidden_layers": [8], "seed": 5})
    assert np.array_equal(one["a"], two["a"])


WRONG_STARTS = {
    "three inputs on two-points": ({"model": document(W=(np.ones((8, 3)), W1))}, {}, "start.model.W.0",
                                   ("(8, 3)", "2", "(8, 2)")),
    "three outputs": ({"model": document(W=(W0, np.ones((3, 8))), b=(B0, np.zeros(3)))}, {}, "start.model.W.1",
                      ("(3, 8)", "(2, 8)")),
    "other hidden sizes": ({"model": document()}, {"network": {"hidden_layers": [4]}}, "start.model.W.0",
                           ("(8, 2)", "(4, 2)")),
    "other hidden layer count": ({"model": document()}, {"network": {"hidden_layers": [8, 8]}}, "start.model", ("1",)),
    "a document that is no model": ({"model": {**document(), "W": [[[1.0]]]}}, {}, "start.model.W", ()),
    "no such saved model": ({"model_id": "n0SuchM0del"}, {}, "start.model_id", ("n0SuchM0del",)),
    "both sources": ({"model_id": "1", "model": document()}, {}, "start", ()),
    "neither source": ({}, {}, "start", ()),
}


@pytest.mark.parametrize("case", WRONG_STARTS)
def test_a_start_that_does_not_fit_gets_an_error_at_start_and_the_session_goes_on(lab, case):
    conn, _ = lab
    start, config, field, numbers = WRONG_STARTS[case]
    conn.send_json({"type": "configure", "runs": RUNS, "start": start, **config})
    error = conn.recv_type("error")
    assert error["code"] == "invalid_value" and error["field"] == field
    assert error["in_reply_to"]["type"] == "configure"
    assert all(number in error["message"] for number in numbers), error["message"]
    assert first_outputs(conn, {"model": document()})["b"].shape == (2, 2)  # still open, still obeying
