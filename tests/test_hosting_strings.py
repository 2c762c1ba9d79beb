"""Text that is not valid Unicode (a lone surrogate, which JSON's "\\ud800" escape can carry) is refused where it
arrives, with the field, instead of failing when the database or a JSON answer encodes it (issue 16, item 6)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.web.app import create_app
from lab_settings import make_settings
from live_server import Transport

LONE = "a\ud800"
MODEL = {"layer_sizes": [2, 2], "hidden_activation": None, "output_activation": "softmax", "loss": "cross_entropy",
         "W": [[[0.1, -0.2], [0.3, 0.4]]], "b": [[0.0, 0.1]]}


@pytest.fixture
def client():
    with TestClient(create_app(make_settings(database_url="sqlite://")), raise_server_exceptions=False) as c:
        yield c


def post_json(client, path: str, body) -> dict:
    """POST `body` as JSON the way a client would write it: json.dumps escapes the surrogate as \\ud800."""
    response = client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    return response.json()


def fields(answer: dict) -> list[str]:
    return [e["field"] for e in answer["detail"]]


@pytest.mark.parametrize("body, field", [
    ({"name": LONE, "model": MODEL}, "name"),
    ({"name": "ok", "model": MODEL, "class_names": ["x", LONE]}, "class_names.1"),
])
def test_saving_a_model_with_a_lone_surrogate_is_a_422_naming_the_field(client, body, field):
    answer = post_json(client, "/api/models", body)
    assert fields(answer) == [field] and answer["detail"][0]["type"] == "lone_surrogate"
    assert client.get("/api/models").json()["total"] == 0


@pytest.mark.parametrize("file, field", [
    ({"name": LONE, "model": MODEL}, "file.name"),
    ({"name": "ok", "model": MODEL, "class_names": [LONE, "y"]}, "file.class_names.0"),
])
def test_importing_a_file_with_a_lone_surrogate_is_a_422_naming_the_field(client, file, field):
    response = client.post("/api/models/import",
                           files={"file": ("m.json", json.dumps(file).encode(), "application/json")})
    assert response.status_code == 422, response.text
    assert fields(response.json()) == [field]
    assert client.get("/api/models").json()["total"] == 0


def test_a_form_name_with_a_lone_surrogate_never_reaches_the_store(client):
    """Multipart form fields are decoded from bytes, so the one way in is an escape inside the file."""
    response = client.post("/api/models/import", data={"name": "ok"},
                           files={"file": ("m.json", json.dumps(MODEL).encode(), "application/json")})
    assert response.status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"dataset": {"name": LONE}}, "dataset.name"),
    ({"dataset": {"name": "xor", "params": {LONE: 1}}}, "dataset.params"),
])
def test_a_script_request_with_a_lone_surrogate_is_a_422(client, body, field):
    assert fields(post_json(client, "/api/script", body))[0].startswith(field)


def test_a_csv_whose_header_holds_an_encoded_surrogate_is_a_422_on_the_file(client):
    header = "x,label\ud800".encode("utf-8", "surrogatepass")  # what a broken encoder writes
    response = client.post("/api/datasets/csv", files={"file": ("d.csv", header + b"\n1,a\n2,b\n", "text/csv")})
    assert response.status_code == 422
    assert fields(response.json()) == ["file"]


@pytest.mark.parametrize("message, field", [
    ({"type": "configure", "dataset": {"name": LONE}}, "dataset.name"),
    ({"type": "configure", "dataset": {"name": "xor", "params": {LONE: 1}}}, "dataset.params"),
    ({"type": "save", "run": "a", "name": LONE}, "name"),
    ({"type": "save", "run": LONE}, "run"),
    ({"type": "set", "run": LONE, "learning_rate": 1}, "run"),
    ({"type": "gradcheck", "run": LONE}, "run"),
    ({"type": "model", "run": LONE}, "run"),
    ({"type": "play", "run": LONE}, "run"),  # refused for another reason: the error must not echo the run
])
def test_a_socket_message_with_a_lone_surrogate_gets_an_error_and_the_session_goes_on(message, field):
    transport = Transport("testclient", create_app(make_settings(database_url="sqlite://")))
    try:
        conn = transport.open()
        conn.recv_type("hello")
        conn.send_json({"type": "configure"})
        conn.recv_type("configured")
        conn.send_text(json.dumps(message))
        error = conn.recv_type("error")
        assert error["field"].startswith(field)
        run = message.get("run")
        assert error["in_reply_to"] == {"type": message["type"], "run": None if run == LONE else run}
        conn.send_json({"type": "pause"})
        assert conn.recv_type("state")["playing"] is False, "the connection stays open and answers"
    finally:
        transport.close()
