"""A linear + MSE run on a regression set leaves the lab as every other kind does: saved from a live session,
predicted through the API and the command line, and trained by `backprop-lab train`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.nn import from_document
from app.web.app import create_app
from cli_support import call
from lab_settings import make_settings
from live_server import Transport


def test_a_linear_mse_run_saved_from_a_session_predicts_what_it_trained_to(tmp_path):
    t = Transport("testclient", create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}")))
    try:
        c = t.open()
        c.recv_type("hello")
        c.send_json({"type": "configure", "dataset": {"name": "plane"}, "network": {"hidden_layers": []},
                     "runs": [{"id": "a", "kind": "linear_mse"}]})
        c.recv_type("frame")
        c.send_json({"type": "step", "count": 200})
        c.recv_type("state")
        c.send_json({"type": "save", "run": "a"})
        saved = c.recv_type("saved")["model"]
        assert saved["kind"] == "linear_mse" and saved["layer_sizes"] == [2, 1] and saved["class_names"] is None
        predicted = t.client.post(f"/api/models/{saved['id']}/predict", json={"inputs": [[1.5, 1.5], [-0.3, 0.6]]})
        assert predicted.status_code == 200, predicted.text
        # The plane is (x₁ + x₂) / 3 and a run with no hidden layer fits it exactly.
        np.testing.assert_allclose(predicted.json()["outputs"], [[1.0], [0.1]], atol=1e-6)
        assert predicted.json()["classes"] is None  # a number, not a class: no "≥ 0.5" reading of it
    finally:
        t.close()


def test_backprop_lab_trains_a_regression_set_and_predicts_a_number_with_no_class(tmp_path, capsys):
    model = tmp_path / "plane.json"
    code, out, err = call(capsys, "train", "--dataset", "plane", "--kind", "linear_mse", "--hidden", "none",
                          "--steps", "300", "--quiet", "--show", "2", "--save", str(model))
    assert code == 0, err
    assert "accuracy" not in out and out.count("(target [") == 2
    error = float(out.split("largest error |a − y|: ")[1].split()[0])
    assert error < 1e-6
    document = json.loads(model.read_text())
    assert (document["output_activation"], document["loss"]) == ("linear", "mse")
    code, out, _ = call(capsys, "predict", str(model), "1.5,1.5", "0.3,0.6")
    assert code == 0 and "class" not in out
    expected = from_document(document).predict(np.array([[1.5, 1.5], [0.3, 0.6]]))
    assert [float(line.split("→ [")[1].rstrip("]")) for line in out.splitlines()] == pytest.approx(expected[:, 0].tolist(), rel=1e-5)
    code, out, _ = call(capsys, "predict", "--json", str(model), "1.5,1.5")
    assert code == 0 and json.loads(out)["classes"] is None


def test_backprop_lab_refuses_a_sigmoid_kind_on_a_regression_set(capsys):
    code, _, err = call(capsys, "train", "--dataset", "gaussian", "--kind", "sigmoid_mse", "--steps", "5", "--quiet")
    assert code == 2 and "linear_mse" in err
