"""Predict keeps saved networks loaded; a deleted model stops answering, in this process and in others."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.web import loaded_models
from app.web.app import create_app
from lab_settings import make_settings
from models_support import model_doc


def _apps(tmp_path):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}")
    return TestClient(create_app(settings)), TestClient(create_app(settings))  # two worker processes, one database


def test_a_model_deleted_here_stops_predicting_at_once(tmp_path):
    client, _ = _apps(tmp_path)
    with client:
        saved = client.post("/api/models", json={"name": "m", "model": model_doc()}).json()
        model_id, owner = saved["id"], {"X-Owner-Key": saved["owner_key"]}
        assert client.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0]]}).status_code == 200
        assert client.delete(f"/api/models/{model_id}", headers=owner).status_code == 204
        assert client.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0]]}).status_code == 404


def test_a_model_deleted_by_another_worker_stops_predicting_once_rechecked(tmp_path, monkeypatch):
    first, second = _apps(tmp_path)
    with first, second:
        saved = first.post("/api/models", json={"name": "m", "model": model_doc()}).json()
        model_id, owner = saved["id"], {"X-Owner-Key": saved["owner_key"]}
        before = second.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0]]})
        assert before.status_code == 200  # now loaded in the second worker
        assert first.delete(f"/api/models/{model_id}", headers=owner).status_code == 204
        monkeypatch.setattr(loaded_models, "RECHECK_SECONDS", 0.0)  # as if the recheck interval had passed
        assert second.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0]]}).status_code == 404


def test_a_loaded_model_answers_like_the_first_time_and_checks_the_input_width(tmp_path):
    client, _ = _apps(tmp_path)
    with client:
        model_id = client.post("/api/models", json={"name": "m", "model": model_doc()}).json()["id"]
        first = client.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0], [0, 1]]}).json()
        again = client.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0], [0, 1]]}).json()
        assert first == again
        wrong = client.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0, 0]]})
        assert wrong.status_code == 422 and "expects 2" in wrong.json()["detail"][0]["msg"]
