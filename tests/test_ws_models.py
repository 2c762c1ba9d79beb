"""A run's current model, from the socket: saved in the model store, or sent back as a model document."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.nn import from_document
from app.web.app import create_app
from lab_settings import make_settings
from live_server import Transport


@pytest.fixture(params=["testclient", "uvicorn"])
def session(request, tmp_path):
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}"))
    transport = Transport(request.param, app)
    conn = transport.open()
    conn.recv_type("hello")
    conn.send_json({"type": "configure", "runs": [{"id": "a", "kind": "sigmoid_mse"},
                                                  {"id": "m", "kind": "softmax_mse_elementwise"}]})
    conn.recv_type("frame")
    conn.send_json({"type": "step", "count": 40})
    conn.recv_type("state")
    yield conn, app
    transport.close()


def test_save_stores_the_runs_current_weights_and_answers_saved(session):
    conn, app = session
    conn.send_json({"type": "save", "run": "m", "name": "the mistake at step 40"})
    saved = conn.recv_type("saved")
    assert saved["run"] == "m" and saved["step"] == 40
    assert saved["model"]["name"] == "the mistake at step 40"
    assert saved["model"]["kind"] == "softmax_mse_elementwise"  # the store keeps what the document cannot say
    conn.send_json({"type": "model", "run": "m"})
    live = conn.recv_type("model")["model"]
    with TestClient(app) as client:
        stored = client.get(f"/api/models/{saved['model']['id']}").json()
    assert stored["model"]["W"] == live["W"] and stored["model"]["b"] == live["b"]


def test_save_without_a_name_gets_one_that_says_what_and_when(session):
    conn, _ = session
    conn.send_json({"type": "save", "run": "a"})
    assert conn.recv_type("saved")["model"]["name"] == "sigmoid_mse on two-points, step 40"


def test_model_returns_a_document_the_engine_reads_back(session):
    conn, _ = session
    conn.send_json({"type": "model", "run": "a"})
    reply = conn.recv_type("model")
    net = from_document(reply["model"])
    assert reply["kind"] == "sigmoid_mse" and net.layer_sizes == [2, 8, 2]
    assert np.isfinite(net.predict(np.eye(2))).all()


@pytest.mark.parametrize("message, field, code", [({"type": "save", "run": "zz"}, "run", "unknown_run"),
                                                  ({"type": "model", "run": "zz"}, "run", "unknown_run"),
                                                  ({"type": "save", "run": "a", "name": ""}, "name", "invalid_value")])
def test_unknown_runs_and_empty_names_are_errors_and_the_session_goes_on(session, message, field, code):
    conn, _ = session
    conn.send_json(message)
    error = conn.recv_type("error")
    assert (error["field"], error["code"]) == (field, code)
    assert error["in_reply_to"] == {"type": message["type"], "run": message["run"]}
    conn.send_json({"type": "step", "count": 1})
    assert conn.recv_type("state")["step"] == 41
