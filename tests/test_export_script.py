"""Your experiment as a script: the exported script, run on its own, prints the engine's numbers.

Each script runs in a child process in isolated mode (`python -I`), from an empty folder, with nothing of this
project importable from there; its printed losses are compared with the engine's Trainer on the same
configuration at every printed step.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import numpy as np
import pytest

from app import datasets
from app.export.script import MAX_SCRIPT_BYTES, experiment_script
from app.export.script.build import LITERAL_WIDTH
from app.export.script.parts import kind_parts
from app.nn import RUN_KINDS, Network, OutputLayer, Trainer, make_optimizer
from app.sessions.config import ConfigError, ExperimentConfig, network_inputs

RELATIVE = 1e-9
LOSS_LINE = re.compile(r"^run (\S+) step (\d+) loss (\S+)$", re.M)
OUTPUT_LINE = re.compile(r"^run (\S+) example (\d+) input .* output (\[.*\]) label .*$", re.M)
LITERAL_LINE = re.compile(r"^[\s\[\]\d.,e+-]*(\]\)\[:, None\],)?$|^\s*np\.array\(\[[\d.,e\s+-]*\]\)\[:, None\],$")

CONFIGS = {
    "every_output_layer": ({"runs": [{"id": f"r{i}", "kind": k} for i, k in
                                     enumerate(("sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse",
                                                "softmax_mse_elementwise"))]}, 300, 50),
    "minibatches_momentum_tanh": ({"dataset": {"name": "xor"}, "batch_size": 3,
                                   "network": {"hidden_layers": [4], "hidden_activation": "tanh", "init": "xavier",
                                               "seed": 3},
                                   "optimizer": {"name": "momentum", "learning_rate": 0.1, "momentum": 0.8},
                                   "runs": [{"id": "a", "kind": "sigmoid_bce"}, {"id": "b", "kind": "softmax_ce"}]},
                                  200, 25),
    "adam_two_hidden_layers_relu": ({"dataset": {"name": "moons", "params": {"n": 40, "noise": 0.1}, "seed": 2},
                                     "network": {"hidden_layers": [6, 5], "hidden_activation": "relu", "init": "he",
                                                 "seed": 1},
                                     "optimizer": {"name": "adam", "learning_rate": 0.01, "beta2": 0.99},
                                     "batch_size": 8,
                                     "runs": [{"id": "a", "kind": "softmax_mse"}, {"id": "b", "kind": "sigmoid_mse"}]},
                                    150, 10),
    "no_hidden_layer_own_rates": ({"dataset": {"name": "circles", "params": {"n": 30}},
                                   "network": {"hidden_layers": [], "init": "uniform"},
                                   "runs": [{"id": "a", "kind": "softmax_ce", "learning_rate": 2.0},
                                            {"id": "b", "kind": "sigmoid_bce",
                                             "optimizer": {"name": "adam", "learning_rate": 0.05}}]}, 100, 20),
    "every_mistake_run": ({"dataset": {"name": "blobs", "params": {"n": 12}},
                           "network": {"hidden_layers": [4], "hidden_activation": "sigmoid", "seed": 5},
                           "batch_size": 5, "runs": [{"id": f"r{i}", "kind": kind} for i, kind in
                                                      enumerate(k for k in RUN_KINDS if kind_parts(k)[1])]},
                          120, 20),
    # Summed gradients, 60 times the mean, with momentum: rounding differences between the engine and the script
    # grow here (7.55e-4 relative by step 80 when the engine computed the sum as the mean times N).
    "sum_not_mean_momentum": ({"dataset": {"name": "circles", "params": {"n": 60}},
                               "network": {"hidden_layers": [5, 4], "hidden_activation": "tanh", "seed": 3},
                               "optimizer": {"name": "momentum", "learning_rate": 0.2, "momentum": 0.9},
                               "runs": [{"id": "a", "kind": "sigmoid_mse_sum_not_mean"}]}, 80, 20),
    "l2_input_features": ({"dataset": {"name": "circles", "params": {"n": 40},
                                       "features": ["x1_squared", "x2_squared", "x1_x2", "sin_x1"]},
                           "network": {"hidden_layers": [3]}, "regularization": "l2", "regularization_rate": 0.03,
                           "runs": [{"id": "a", "kind": "softmax_ce"}, {"id": "b", "kind": "sigmoid_mse"}]}, 150, 25),
    "l1_minibatches_adam_and_a_mistake": ({"dataset": {"name": "xor", "features": ["x2", "x1", "x1_x2"]},
                                           "network": {"hidden_layers": [4], "hidden_activation": "tanh"},
                                           "batch_size": 3, "optimizer": {"name": "adam", "learning_rate": 0.05},
                                           "regularization": "l1", "regularization_rate": 0.01,
                                           "runs": [{"id": "a", "kind": "sigmoid_bce"},
                                                    {"id": "b", "kind": "softmax_ce_stale_output_weights"}]},
                                          120, 20),
    "regression_plane_linear_mse": ({"dataset": {"name": "plane", "params": {"n": 30, "noise": 0.1}, "seed": 4},
                                     "network": {"hidden_layers": [4], "hidden_activation": "tanh", "seed": 2},
                                     "optimizer": {"name": "sgd", "learning_rate": 0.1},
                                     "runs": [{"id": "a", "kind": "linear_mse"},
                                              {"id": "b", "kind": "linear_mse_stale_output_weights"},
                                              {"id": "c", "kind": "linear_mse_sign_flipped"}]}, 100, 20),
}


def _config(body: dict) -> tuple[ExperimentConfig, datasets.Data]:
    config = ExperimentConfig.model_validate(body)
    return config, datasets.load(config.dataset.name, seed=config.dataset.seed, **config.dataset.params)


def engine_numbers(config: ExperimentConfig, data: datasets.Data, steps: int, every: int):
    """Per run: {step: loss over all examples} at the steps the script prints, and the final outputs; as the lab's
    Experiment trains each run (same starting weights, a Trainer seeded with the network's seed)."""
    X, Y = network_inputs(config.dataset, data.inputs), data.labels
    sizes = [X.shape[1], *config.network.hidden_layers, Y.shape[1]]
    base = Network.create(sizes, config.network.hidden_activation, None, config.network.init, config.network.seed)
    numbers = {}
    for run in config.runs:
        opt = run.optimizer or config.optimizer
        optimizer = make_optimizer(opt.name, run.learning_rate or opt.learning_rate, **opt.options())
        trainer = Trainer(base.with_output(OutputLayer.from_kind(run.kind)), X, Y, optimizer, config.batch_size,
                          seed=config.network.seed, mistake=RUN_KINDS[run.kind].trained_mistake,
                          regularization=config.regularization, regularization_rate=config.regularization_rate)
        losses = {}
        for step in range(steps):
            if step % every == 0:
                losses[step] = trainer.full_loss()
            trainer.step()
        losses[steps] = trainer.full_loss()
        numbers[run.id] = (losses, trainer.net.predict(X))
    return numbers


def run_script(text: str, folder) -> str:
    path = folder / "experiment.py"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", path.name], cwd=folder, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def printed(stdout: str):
    losses: dict[str, dict[int, float]] = {}
    for run, step, loss in LOSS_LINE.findall(stdout):
        losses.setdefault(run, {})[int(step)] = float(loss)
    outputs = {(run, int(i)): eval(values, {}) for run, i, values in OUTPUT_LINE.findall(stdout)}  # noqa: S307
    return losses, outputs


@pytest.mark.parametrize("name", CONFIGS)
def test_the_exported_script_prints_the_engines_losses_at_every_printed_step(name, tmp_path):
    body, steps, every = CONFIGS[name]
    config, data = _config(body)
    losses, outputs = printed(run_script(experiment_script(config, data, steps, every), tmp_path))
    expected = engine_numbers(config, data, steps, every)
    assert list(losses) == [run.id for run in config.runs]
    for run_id, (engine_losses, engine_outputs) in expected.items():
        assert list(losses[run_id]) == list(engine_losses)  # 0, K, 2K, ... and the last step
        for step, loss in engine_losses.items():
            assert abs(losses[run_id][step] - loss) <= RELATIVE * abs(loss), (run_id, step, losses[run_id][step], loss)
        shown = min(len(data.inputs), 10)
        script_outputs = np.array([outputs[(run_id, i)] for i in range(shown)])
        np.testing.assert_allclose(script_outputs, engine_outputs[:shown], rtol=RELATIVE, atol=1e-12)


@pytest.mark.parametrize("name", ["l2_input_features", "l1_minibatches_adam_and_a_mistake"])
def test_a_regularised_experiment_on_input_features_is_reproduced_to_1e_12(name, tmp_path):
    body, steps, every = CONFIGS[name]
    config, data = _config(body)
    text = experiment_script(config, data, steps, every)
    losses, _ = printed(run_script(text, tmp_path))
    for run_id, (engine_losses, _) in engine_numbers(config, data, steps, every).items():
        assert max(abs(losses[run_id][step] / loss - 1) for step, loss in engine_losses.items()) < 1e-12
    assert f"LAMBDA = {config.regularization_rate!r}" in text
    assert "X = np.vstack([" in text


def test_a_script_without_regularisation_or_features_has_neither():
    config, data = _config(CONFIGS["every_output_layer"][0])
    text = experiment_script(config, data, 10, 5)
    assert "LAMBDA" not in text and "np.vstack" not in text


def test_every_run_kind_of_the_lab_can_be_exported():
    assert [kind for kind in RUN_KINDS if kind_parts(kind) is None] == []


def test_a_mistake_run_marks_the_mistakes_line():
    config, data = _config({"runs": [{"id": "a", "kind": "sigmoid_mse_examples_mixed"}]})
    lines = experiment_script(config, data, 10, 5).splitlines()
    marked = [line for line in lines if "# ✗ the mistake" in line]
    assert len(marked) == 1 and "np.outer(delta.mean(axis=1)" in marked[0]


def test_the_script_imports_nothing_but_numpy():
    config, data = _config(CONFIGS["every_mistake_run"][0])
    tree = ast.parse(experiment_script(config, data, 10, 5))
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules <= {"numpy", "functools"}


def test_a_one_run_export_is_short_and_shows_the_four_equations():
    config, data = _config({"network": {"hidden_layers": [16, 8]}, "runs": [{"id": "a", "kind": "softmax_ce"}]})
    lines = experiment_script(config, data, 1000, 100).splitlines()
    code = [line for line in lines if not LITERAL_LINE.match(line)]
    assert len(code) < 150, len(code)
    for equation in ("(BP1)", "(BP2)", "(BP3)", "(BP4)"):
        assert sum(equation in line and "=" in line.split("#")[0] for line in lines) >= 1, equation
    assert "    e = np.exp(z - z.max(axis=0, keepdims=True))" in lines
    assert "    return a - y  # Jᵀ" in "\n".join(lines)


@pytest.mark.parametrize("dataset", [{"name": "moons"}, {"name": "circles", "params": {"n": 400}}])
def test_a_one_run_export_of_many_examples_is_mostly_code_with_the_data_packed_several_to_a_line(dataset):
    config, data = _config({"dataset": dataset, "runs": [{"id": "a", "kind": "softmax_ce"}]})
    script = experiment_script(config, data, 1000, 100)
    lines = script.splitlines()
    start, end = lines.index("X = np.array(["), lines.index("]).T", lines.index("Y = np.array(["))
    code = [line for line in lines[:start] + lines[end + 1:] if not LITERAL_LINE.match(line)]
    assert len(code) < 150, len(code)
    assert end - start < 0.7 * len(data.inputs), end - start  # one line per example would be 2 per example
    assert max(len(line) for line in lines[start:end]) <= LITERAL_WIDTH
    assert len(script.encode()) <= MAX_SCRIPT_BYTES
    X = ast.literal_eval(script[script.index("X = np.array(") + 13:script.index(").T\nY")])
    np.testing.assert_array_equal(np.array(X), data.inputs)  # every number exactly, after the packing


def test_too_large_an_export_is_refused_naming_what_to_reduce():
    config, data = _config({"network": {"hidden_layers": [256, 256]}})
    with pytest.raises(ConfigError) as raised:
        experiment_script(config, data, 10, 5)
    assert raised.value.field == "network.hidden_layers"
    config, data = _config({"dataset": {"name": "spiral", "params": {"n": 2000, "classes": 6}},
                            "network": {"hidden_layers": [64, 64]}})
    with pytest.raises(ConfigError) as raised:
        experiment_script(config, data, 10, 5)
    assert raised.value.field == "dataset.params"


def test_a_float32_experiment_is_refused():
    config, data = _config({"network": {"dtype": "float32"}})
    with pytest.raises(ConfigError) as raised:
        experiment_script(config, data, 10, 5)
    assert raised.value.field == "network.dtype"


# --- the command line -------------------------------------------------------------------------------------------

CLI_ARGS = ["--dataset", "xor", "--hidden", "4", "--activation", "tanh", "--kinds", "sigmoid_bce,softmax_ce",
            "--optimizer", "momentum", "--lr", "0.1", "--batch-size", "3", "--steps", "200", "--every", "25",
            "--seed", "3"]


def _cli_config() -> tuple[ExperimentConfig, datasets.Data]:
    return _config({"dataset": {"name": "xor", "seed": 3}, "batch_size": 3,
                    "network": {"hidden_layers": [4], "hidden_activation": "tanh", "seed": 3},
                    "optimizer": {"name": "momentum", "learning_rate": 0.1},
                    "runs": [{"id": "a", "kind": "sigmoid_bce"}, {"id": "b", "kind": "softmax_ce"}]})


def _main(capsys, *args: str) -> tuple[int, str, str]:
    from app.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_writes_the_same_script_to_stdout_or_a_file(capsys, tmp_path):
    config, data = _cli_config()
    code, out, _ = _main(capsys, "export-script", *CLI_ARGS)
    assert code == 0 and out == experiment_script(config, data, 200, 25)
    path = tmp_path / "xor.py"
    code, _, _ = _main(capsys, "export-script", *CLI_ARGS, "-o", str(path))
    assert code == 0 and path.read_text(encoding="utf-8") == experiment_script(config, data, 200, 25, "xor.py")


def test_the_cli_refuses_an_unknown_kind_with_a_usage_error(capsys):
    code, out, err = _main(capsys, "export-script", "--kinds", "softmax_ce,nope")
    assert code == 2 and out == "" and "nope" in err


# --- POST /api/script -------------------------------------------------------------------------------------------

def test_post_script_answers_the_script_as_a_python_file(client):
    body, steps, every = CONFIGS["minibatches_momentum_tanh"]
    response = client.post("/api/script", json={**body, "steps": steps, "every": every})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/x-python")
    assert response.headers["content-disposition"] == 'attachment; filename="backprop-lab-xor.py"'
    config, data = _config(body)
    assert response.text == experiment_script(config, data, steps, every, "backprop-lab-xor.py")
    assert len(response.content) <= MAX_SCRIPT_BYTES


@pytest.mark.parametrize("body, field", [
    ({"runs": [{"id": "a", "kind": "softmax_nope"}]}, "runs.0.kind"),
    ({"every": 0}, "every"),
    ({"steps": -1}, "steps"),
    ({"dataset": {"name": "nope"}}, "dataset.name"),
    ({"dataset": {"name": "moons", "params": {"n": 1}}}, "dataset.params.n"),
    ({"network": {"hidden_layers": [256, 256]}}, "network.hidden_layers"),
    ({"network": {"dtype": "float32"}}, "network.dtype"),
])
def test_post_script_refuses_a_bad_body_by_field(client, body, field):
    response = client.post("/api/script", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field


def test_a_script_of_an_experiment_started_from_a_model_starts_from_its_weights(client, tmp_path):
    """POST /api/script with `start` (as the dashboard sends it after "Start from weights…"): the script's first loss
    is the loss of the given weights, computed here with plain NumPy, not the seeded weights'."""
    rng = np.random.default_rng(5)
    W = [rng.normal(size=(3, 2)), rng.normal(size=(2, 3))]
    b = [rng.normal(size=3), rng.normal(size=2)]
    model = {"layer_sizes": [2, 3, 2], "hidden_activation": "sigmoid", "output_activation": "sigmoid", "loss": "mse",
             "W": [w.tolist() for w in W], "b": [v.tolist() for v in b]}
    body = {"dataset": {"name": "two-points"}, "network": {"hidden_layers": [3]},
            "runs": [{"id": "a", "kind": "sigmoid_mse"}], "start": {"model": model}, "steps": 2, "every": 1}
    response = client.post("/api/script", json=body)
    assert response.status_code == 200, response.text
    losses, _ = printed(run_script(response.text, tmp_path))
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    a = sigmoid(sigmoid(X @ W[0].T + b[0]) @ W[1].T + b[1])
    assert losses["a"][0] == pytest.approx(0.5 * ((a - X) ** 2).sum(axis=1).mean(), rel=1e-9)
    missing = client.post("/api/script", json={**body, "start": {"model_id": "n0SuchM0del"}})
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "start.model_id"
