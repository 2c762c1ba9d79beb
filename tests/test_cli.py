"""The `backprop-lab` command: train, predict and serve, their --help, and errors without tracebacks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.cli import build_parser
from cli_support import call
from app.export import to_safetensors
from app.nn import from_document
from app.web.app import create_app
from lab_settings import make_settings
from models_support import model_doc, same_bits

ROOT = Path(__file__).resolve().parents[1]
ISSUE_TRAIN = ["train", "--dataset", "two-points", "--kind", "softmax_ce", "--hidden", "8", "--steps", "2000"]


def run(*args: str, stdin: str | None = None, env: dict | None = None, timeout: float = 120):
    """The command in a process of its own, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, input=stdin,
                          timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})


# --- train ----------------------------------------------------------------------------------------

def test_the_issues_train_command_learns_two_points_and_saves_model_json(tmp_path):
    path = tmp_path / "model.json"
    done = run(*ISSUE_TRAIN, "--save", str(path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "final loss:" in out and "accuracy: 2/2" in out
    final_loss = float(out.split("final loss:")[1].split()[0])
    assert 0 < final_loss < 0.01
    assert "[1, 0] →" in out and "[0, 1] →" in out and "class A ✓" in out and "class B ✓" in out
    assert "2000/2000" in done.stderr  # the progress bar
    assert f"saved the model (model JSON) to {path}" in out

    doc = json.loads(path.read_text())
    assert doc["layer_sizes"] == [2, 8, 2] and doc["output_activation"] == "softmax"
    # the saved model gives the outputs that were printed, and /api/backprop takes it as is
    outputs = from_document(doc).predict(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert f"{outputs[0, 0]:.6g}" in out
    with TestClient(create_app(make_settings(database_url="sqlite://"))) as client:
        r = client.post("/api/backprop", json={"model": doc, "inputs": [[1, 0], [0, 1]], "labels": [[1, 0], [0, 1]]})
        assert r.status_code == 200 and np.allclose(r.json()["outputs"], outputs, rtol=0, atol=0)
        assert client.post("/api/models/import", files={"file": ("model.json", path.read_bytes())}).status_code == 201


def test_train_is_reproducible_and_saves_safetensors_with_class_names(tmp_path, capsys):
    a, b = tmp_path / "a.safetensors", tmp_path / "b.json"
    args = ["train", "--dataset", "xor", "--hidden", "4", "--activation", "tanh", "--optimizer", "adam",
            "--lr", "0.05", "--steps", "1500", "--quiet"]
    code, out, err = call(capsys, *args, "--save", str(a))
    assert code == 0 and "accuracy: 4/4" in out and err == ""
    assert call(capsys, *args, "--save", str(b))[0] == 0
    from app.export import from_safetensors

    loaded = from_safetensors(a.read_bytes())
    assert loaded.class_names == ["same", "different"] and loaded.name == "a"
    assert same_bits(loaded.document, json.loads(b.read_text()))


@pytest.mark.parametrize("extra", [
    ["--dataset", "moons", "--param", "n=40", "--param", "noise=0.1", "--hidden", "16,8", "--activation", "relu",
     "--init", "he", "--optimizer", "momentum", "--lr", "0.1", "--batch-size", "8", "--steps", "50"],
    ["--dataset", "two-points", "--hidden", "none", "--kind", "sigmoid_bce", "--steps", "100"],
    ["--dataset", "blobs", "--kind", "softmax_mse_elementwise", "--steps", "20", "--show", "3"],
])
def test_train_takes_every_option(capsys, extra):
    code, out, _ = call(capsys, "train", "--quiet", *extra)
    assert code == 0 and "final loss:" in out and "accuracy:" in out


def test_train_shows_a_limited_number_of_examples(capsys):
    code, out, _ = call(capsys, "train", "--dataset", "circles", "--steps", "5", "--quiet", "--show", "2")
    assert code == 0 and out.count(" → ") == 2 and "more examples (--show to see more)" in out


def test_a_stuck_network_answering_a_tie_is_not_counted_right_and_gets_the_diagnosis(capsys):
    code, out, _ = call(capsys, "train", "--dataset", "xor", "--kind", "softmax_ce", "--hidden", "", "--steps",
                        "500", "--quiet")
    assert code == 0
    rows = [line for line in out.splitlines() if " → " in line]
    assert len(rows) == 4 and all("[0.5, 0.5]  tie (no class)" in row for row in rows), rows
    assert "✓" not in out and "✗" not in out
    assert "accuracy: 0/4 (0.0%); 4 ties, counted as wrong" in out
    # The dashboard's words for the same collapse (app/nn/diagnostics).
    assert "diagnosis: Stuck at the mean label. Every input gets about [0.5, 0.5]" in out
    assert "not on two sides of any line" in out and "what to try: Add a hidden layer." in out


def test_a_network_that_learned_prints_no_diagnosis_and_no_ties(capsys):
    code, out, _ = call(capsys, *ISSUE_TRAIN, "--quiet")
    assert code == 0 and "accuracy: 2/2 (100.0%)" in out
    assert "tie" not in out and "diagnosis" not in out


def test_unscaled_pixels_are_diagnosed_as_inputs_too_large_with_the_command_line_fix(capsys):
    code, out, _ = call(capsys, "train", "--dataset", "raw-pixels", "--activation", "relu", "--kind", "sigmoid_mse",
                        "--steps", "300", "--quiet")
    assert code == 0 and "accuracy: 0/2" in out
    assert "diagnosis: The same output for every input. Every input gets [0, 0]" in out
    assert "The inputs are large (up to 255)" in out
    assert "what to try: Scale the inputs to about 0–1 (for pixels, divide by 255); here: --param scaled=true." in out


@pytest.mark.parametrize("args, advice", [
    (["--lr", "1e6", "--steps", "200"], "Lower the learning rate 10×, from 1e+06 to 1e+05"),
    (["--dataset", "raw-pixels", "--activation", "linear", "--steps", "100"], "Scale the inputs to about 0–1"),
])
def test_a_diverged_run_is_told_what_to_do_first(capsys, args, advice):
    code, _, err = call(capsys, "train", "--quiet", *args)
    assert code == 1 and "training diverged" in err and advice in err
    assert "suit" not in err


@pytest.mark.parametrize("args, code, message", [
    (["--lr", "1e6", "--steps", "200"], 1, "training diverged"),
    (["--dataset", "moons", "--param", "nois=0.1"], 2, "has no parameter 'nois'"),
    (["--dataset", "moons", "--param", "noise=9"], 2, "noise must be between"),
    (["--dataset", "moons", "--param", "noise"], 2, "NAME=VALUE"),
    (["--save", "/no/such/folder/m.json", "--steps", "1"], 1, "cannot write /no/such/folder/m.json"),
])
def test_train_errors_are_one_clear_line(capsys, args, code, message):
    got, out, err = call(capsys, "train", "--quiet", *args)
    assert got == code and message in err and "Traceback" not in err


@pytest.mark.parametrize("args, message", [
    (["--dataset", "nope"], "invalid choice"),
    (["--kind", "tanh_ce"], "invalid choice"),
    (["--hidden", "8,x"], "not a list of layer sizes"),
    (["--hidden", "0,3"], "at least 1 unit"),
    (["--lr", "-1"], "greater than 0"),
    (["--lr", "nan"], "greater than 0"),
    (["--steps", "-5"], "0 or more"),
    (["--batch-size", "0"], "1 or more"),
])
def test_bad_train_arguments_exit_2_with_usage(capsys, args, message):
    code, _, err = call(capsys, "train", *args)
    assert code == 2 and message in err and "usage: backprop-lab train" in err


# --- predict --------------------------------------------------------------------------------------

@pytest.fixture
def model_file(tmp_path) -> Path:
    doc = model_doc((2, 3, 2), seed=5)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc))
    return path


def test_predict_prints_outputs_and_class(model_file, capsys):
    code, out, err = call(capsys, "predict", str(model_file), "1,0")
    expected = from_document(json.loads(model_file.read_text())).predict(np.array([[1.0, 0.0]]))[0]
    assert code == 0 and err == ""
    assert out == f"[1, 0] → [{expected[0]:.6g}, {expected[1]:.6g}]  class {int(expected.argmax())}\n"


def test_predict_says_no_class_where_the_outputs_tie(tmp_path, capsys):
    doc = model_doc((2, 2), seed=5)
    doc["W"], doc["b"] = [[[0.0, 0.0], [0.0, 0.0]]], [[0.0, 0.0]]  # every input: [0.5, 0.5]
    path = tmp_path / "flat.json"
    path.write_text(json.dumps(doc))
    code, out, _ = call(capsys, "predict", str(path), "1,0")
    assert code == 0 and out.endswith("no class (the outputs tie)\n") and "class 0" not in out
    code, out, _ = call(capsys, "predict", str(path), "1,0", "--json")
    assert json.loads(out)["classes"] == [None]


def test_predict_json_is_full_precision_and_agrees_with_the_api(model_file, capsys):
    code, out, _ = call(capsys, "predict", str(model_file), "1,0", "0, 1", "0.5,-2", "--json")
    result = json.loads(out)
    doc = json.loads(model_file.read_text())
    with TestClient(create_app(make_settings(database_url="sqlite://"))) as client:
        model_id = client.post("/api/models", json={"name": "m", "model": doc}).json()["id"]
        api = client.post(f"/api/models/{model_id}/predict", json={"inputs": [[1, 0], [0, 1], [0.5, -2]]}).json()
    assert code == 0 and result["outputs"] == api["outputs"] and result["classes"] == api["classes"]


def test_predict_reads_rows_from_stdin_and_safetensors_class_names(tmp_path):
    doc = model_doc((2, 2))
    doc["W"] = [[[4.0, -4.0], [-4.0, 4.0]]]
    path = tmp_path / "m.safetensors"
    path.write_bytes(to_safetensors(doc, class_names=["left", "right"]))
    done = run("predict", str(path), stdin="1 0\n\n0,1\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and lines[0].endswith("class 0 (left)") and lines[1].endswith("class 1 (right)")


def test_a_single_sigmoid_output_is_class_1_above_one_half_and_none_at_it(tmp_path, capsys):
    doc = model_doc((1, 1), "sigmoid_bce")
    doc["W"], doc["b"] = [[[1.0]]], [[0.0]]
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc))
    code, out, _ = call(capsys, "predict", str(path), "2", "-2", "0", "--json")
    assert code == 0 and json.loads(out)["classes"] == [1, 0, None]


@pytest.mark.parametrize("args, message", [
    (["1,0,3"], "input 1 (1,0,3) has 3 numbers; the model expects 2"),
    (["1,0", "1"], "input 2 (1) has 1 numbers; the model expects 2"),
    (["1,x"], "is not a list of numbers"),
    (["nan,0"], "must be finite"),
    (["1,inf"], "must be finite"),
    ([","], "is empty"),
])
def test_bad_predict_inputs_exit_2_with_a_clear_message(model_file, capsys, args, message):
    code, out, err = call(capsys, "predict", str(model_file), *args)
    assert code == 2 and message in err and out == "" and "Traceback" not in err


def test_predict_without_inputs_or_stdin_says_what_to_give(model_file):
    done = run("predict", str(model_file), stdin="")
    assert done.returncode == 2 and "give inputs such as 1,0" in done.stderr


@pytest.mark.parametrize("content, message", [
    (None, "cannot read"),
    (b"{broken", "not valid JSON"),
    (json.dumps({"layer_sizes": [2, 2]}).encode(), "no 'output_activation'"),
    (json.dumps({**model_doc((2, 2)), "W": [[[1.0], [2.0]]]}).encode(), "model.json: W[0][0] needs 2 numbers"),
    (b"\x00" * 40, "not a safetensors file"),
])
def test_bad_model_files_exit_1_with_a_clear_message(tmp_path, capsys, content, message):
    path = tmp_path / ("model.json" if content and content[:1] == b"{" else "model.bin")
    if content is not None:
        path.write_bytes(content)
    code, _, err = call(capsys, "predict", str(path), "1,0")
    assert code == 1 and message in err and "Traceback" not in err


# --- --help ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["serve", "train", "predict"])
def test_help_is_complete(command):
    done = run(command, "--help")
    assert done.returncode == 0 and done.stdout.startswith(f"usage: backprop-lab {command}")
    sub = next(a for a in build_parser()._actions if a.dest == "command").choices[command]
    for action in sub._actions:
        assert action.help, f"{command} {action.dest} has no help text"
        for option in action.option_strings:
            assert option in done.stdout, f"{option} missing from `{command} --help`"
        if not action.option_strings:
            assert action.metavar in done.stdout
    assert sub.description and sub.description.split()[0] in done.stdout


def test_top_level_help_lists_every_command():
    done = run("--help")
    assert done.returncode == 0 and all(c in done.stdout for c in ("serve", "train", "predict"))
    assert run().returncode == 2


def test_the_installed_entry_point_runs():
    script = Path(sys.executable).parent / "backprop-lab"
    if not script.exists():
        pytest.fail("the backprop-lab script is not installed: run .venv/bin/pip install -e '.[test]'")
    done = subprocess.run([str(script), "predict", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "MODEL" in done.stdout


# --- serve ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, message", [
    ("mysql://u@h/db", "sqlite and postgresql only"),
    ("postgresql://u:secret@127.0.0.1:1/x", "cannot be used"),
])
def test_serve_with_an_unusable_database_stops_with_a_clear_message(url, message):
    done = run("serve", "--port", "1", env={"BACKPROP_LAB_DATABASE_URL": url}, timeout=60)
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr
    assert "secret" not in done.stderr


def test_serve_keeps_saved_models_in_its_database(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "served.db"
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=tmp_path,
                               env={**os.environ, "BACKPROP_LAB_DATABASE_URL": f"sqlite:///{db.name}"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)
        assert db.exists()  # created at start, not at the first save
        r = httpx.post(f"http://127.0.0.1:{port}/api/models", json={"name": "served", "model": model_doc()})
        assert r.status_code == 201
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert f"Saved models: sqlite:///{db.name}" in output
    from app.store import ModelStore

    store = ModelStore(f"sqlite:///{db}")
    assert store.page().items[0].name == "served"
    store.close()


ONE_BLAS_THREAD = """
import json, os, numpy, threadpoolctl
from app.cli import one_blas_thread
one_blas_thread()
print(json.dumps({"threads": [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"],
                  "env": os.environ.get("OPENBLAS_NUM_THREADS")}))
"""


@pytest.mark.parametrize("chosen, threads", [(None, 1), ("2", 2)])
def test_serve_limits_blas_to_one_thread_unless_the_environment_chose(chosen, threads):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    if chosen:
        env["OPENBLAS_NUM_THREADS"] = chosen
    out = subprocess.run([sys.executable, "-c", ONE_BLAS_THREAD], env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["threads"] and set(result["threads"]) == {threads}
    assert result["env"] == str(threads)  # worker processes inherit the choice
