"""`backprop-lab check PATH.py`: a learner's own Nielsen-style backprop, run in a child process and diagnosed.

The learner modules are written here from the four equations (column vectors, W of shape (n_out, n_in)), and each
classic mistake is a one-line change of them. The CLI runs as a user runs it, in a process of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.check.cases import CASES

ROOT = Path(__file__).resolve().parents[1]

NETWORK = '''\
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


class Network:
    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.weights = [np.random.randn(n_out, n_in) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.random.randn(n_out, 1) for n_out in sizes[1:]]

    def forward(self, x):
        activation, activations, zs = x, [x], []
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = w @ activation + b
            zs.append(z)
            activation = OUTPUT(z) if l == len(self.weights) - 1 else sigmoid(z)
            activations.append(activation)
        return zs, activations

    def feedforward(self, a):
        return self.forward(a)[1][-1]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        zs, activations = self.forward(x)
        delta = DELTA_L
        nabla_b[-1] = delta
        nabla_w[-1] = delta @ activations[-2].T
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
            nabla_b[-l] = delta
            nabla_w[-l] = delta @ activations[-l - 1].T
        return nabla_b, nabla_w
'''

SIGMOID_MSE = NETWORK.replace("OUTPUT", "sigmoid").replace("DELTA_L", "(activations[-1] - y) * sigmoid_prime(zs[-1])")
SIGMOID_BCE = NETWORK.replace("OUTPUT", "sigmoid").replace("DELTA_L", "(activations[-1] - y)")
SOFTMAX_CE = NETWORK.replace("OUTPUT", "softmax").replace("DELTA_L", "(activations[-1] - y)")

FUNCTION = '''\
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backprop(weights, biases, x, y):
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(w @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    a = activations[-1]
    delta = (a - y) * a * (1 - a)
    nabla_b, nabla_w = [delta], [delta @ activations[-2].T]
    for l in range(len(weights) - 2, -1, -1):
        a = activations[l + 1]
        delta = (weights[l + 1].T @ delta) * a * (1 - a)
        nabla_b.insert(0, delta)
        nabla_w.insert(0, delta @ activations[l].T)
    return nabla_b, nabla_w
'''


def mutated(source: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert old in source, old  # the mutation must change the code, or the test proves nothing
        source = source.replace(old, new)
    return source


KEPT_SIGMA_PRIME = ("delta = (activations[-1] - y)", "delta = (activations[-1] - y) * sigmoid_prime(zs[-1])")
ELEMENTWISE = ("delta = (activations[-1] - y)",
               "delta = (activations[-1] - y) * activations[-1] * (1 - activations[-1])")
NOT_RESET = [
    ("nabla_b = [np.zeros(b.shape) for b in self.biases]\n        nabla_w = [np.zeros(w.shape) for w in self.weights]",
     "if not hasattr(self, 'nabla_b'):\n            self.nabla_b = [np.zeros(b.shape) for b in self.biases]\n"
     "            self.nabla_w = [np.zeros(w.shape) for w in self.weights]\n"
     "        nabla_b, nabla_w = self.nabla_b, self.nabla_w"),
    ("nabla_b[-1] = delta", "nabla_b[-1] += delta"), ("nabla_w[-1] = delta", "nabla_w[-1] += delta"),
    ("nabla_b[-l] = delta", "nabla_b[-l] += delta"), ("nabla_w[-l] = delta", "nabla_w[-l] += delta"),
]

# (mistake id, the learner's code with it, what they say they meant)
MUTANTS = [
    ("sigmoid_prime_kept", mutated(SOFTMAX_CE, ELEMENTWISE), None),
    ("sigmoid_prime_kept", mutated(SIGMOID_BCE, KEPT_SIGMA_PRIME), "sigmoid_bce"),
    ("softmax_elementwise_derivative", mutated(SOFTMAX_CE, ELEMENTWISE), "softmax_mse"),
    ("derivative_of_output", mutated(SIGMOID_MSE, ("sigmoid_prime(zs[-1])", "sigmoid_prime(activations[-1])"),
                                     ("sigmoid_prime(zs[-l])", "sigmoid_prime(activations[-l])")), None),
    ("hidden_derivative_missing", mutated(SIGMOID_MSE, ("(self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])",
                                                        "self.weights[-l + 1].T @ delta")), None),
    ("sign_flipped", mutated(SOFTMAX_CE, ("(activations[-1] - y)", "(y - activations[-1])")), None),
    ("sign_flipped", mutated(SIGMOID_MSE, ("(activations[-1] - y)", "(y - activations[-1])")), None),
    ("weights_not_transposed", mutated(SIGMOID_MSE, ("self.weights[-l + 1].T @", "self.weights[-l + 1] @")), None),
    ("bias_gradient_missing", mutated(SOFTMAX_CE, ("        nabla_b[-1] = delta\n", ""),
                                      ("            nabla_b[-l] = delta\n", "")), None),
    ("gradients_not_reset", mutated(SIGMOID_MSE, *NOT_RESET), None),
]


def mutant(mistake: str) -> str:
    """The first learner's code above that makes `mistake`."""
    return next(source for m, source, _ in MUTANTS if m == mistake)


def check(tmp_path: Path, source: str | None, *args: str, name: str = "network.py", timeout: float = 60):
    """`backprop-lab check` on `source` written to tmp_path/name, as a user runs it: (exit status, JSON)."""
    path = tmp_path / name
    if source is not None:
        path.write_text(source)
    done = subprocess.run([sys.executable, "-m", "app.cli", "check", str(path), "--json", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert done.stderr == "", done.stderr  # nothing of ours or theirs leaks around the report
    return done.returncode, json.loads(done.stdout)


def test_the_cases_include_a_square_network_and_the_issues_two_points():
    sizes = {c.name: c.layer_sizes for c in CASES}
    assert sizes["two-points"] == [2, 3, 2] and sizes["square-2-2-2"] == [2, 2, 2]
    assert any(len(s) == 4 for s in sizes.values())
    two_points = next(c for c in CASES if c.name == "two-points")
    assert two_points.inputs.tolist() == [[1, 0], [0, 1]] and two_points.labels.tolist() == [[1, 0], [0, 1]]


@pytest.mark.parametrize("source, pairing", [(SIGMOID_MSE, "sigmoid_mse"), (SIGMOID_BCE, "sigmoid_bce"),
                                             (SOFTMAX_CE, "softmax_ce"), (FUNCTION, "sigmoid_mse")],
                         ids=["sigmoid_mse", "sigmoid_bce", "softmax_ce", "function"])
def test_a_right_backprop_checks_clean_and_its_output_layer_is_found(tmp_path, source, pairing):
    code, result = check(tmp_path, source)
    assert code == 0
    assert result["status"] == "match" and result["problem"] is None
    assert result["output"]["pairing"] == pairing and result["output"]["reason"] == "right_numbers"
    assert [c["name"] for c in result["cases"]] == [c.name for c in CASES]
    assert all(c["status"] == "match" for c in result["cases"])
    assert result["mistakes"] == [] and result["first_mismatch"] is None
    assert result["code"] == ({"kind": "function", "name": "backprop"} if source is FUNCTION
                              else {"kind": "class", "name": "Network"})


def test_sigmoid_mse_code_would_keep_sigma_prime_if_it_meant_binary_cross_entropy(tmp_path):
    code, result = check(tmp_path, SIGMOID_MSE)
    assert code == 0
    assert {"pairing": "sigmoid_bce", "mistakes": ["sigmoid_prime_kept"]} in result["output"]["also"]


@pytest.mark.parametrize("mistake, source, output", MUTANTS,
                         ids=[f"{m}-{o or i}" for i, (m, _, o) in enumerate(MUTANTS)])
def test_each_mistake_in_the_learners_code_is_named(tmp_path, mistake, source, output):
    code, result = check(tmp_path, source, *(["--output", output] if output else []))
    assert code == 1
    assert result["status"] == "mismatch"
    assert mistake in [m["id"] for m in result["mistakes"]]
    assert result["unknown_mistake"] is False
    if output:
        assert result["output"] == {"pairing": output, "given": True, "reason": "given", "also": []}
    first = result["first_mismatch"]
    assert first["equation"] in ("BP1", "BP2", "BP3", "BP4") and first["max_abs_difference"] > 1e-3


def test_softmax_code_with_an_elementwise_derivative_is_explained_two_ways(tmp_path):
    code, result = check(tmp_path, mutated(SOFTMAX_CE, ELEMENTWISE))
    assert code == 1
    assert result["output"]["pairing"] == "softmax_ce"
    assert [m["id"] for m in result["mistakes"]] == ["sigmoid_prime_kept"]
    assert result["output"]["also"] == [{"pairing": "softmax_mse", "mistakes": ["softmax_elementwise_derivative"]}]


def test_weights_not_transposed_runs_only_on_the_square_case_and_is_named_there(tmp_path):
    code, result = check(tmp_path, mutant("weights_not_transposed"))
    cases = {c["name"]: c for c in result["cases"]}
    assert code == 1
    assert cases["square-2-2-2"]["status"] == "mismatch"
    assert cases["square-2-2-2"]["first_mismatch"]["equation"] == "BP2"
    assert cases["two-points"]["status"] == "problem" and cases["two-points"]["problem"]["problem"] == "raised"


def test_sign_flipped_differs_first_at_bp1_by_twice_delta(tmp_path):
    code, result = check(tmp_path, mutant("sign_flipped"))
    first = result["first_mismatch"]
    assert (first["case"], first["quantity"], first["layer"], first["equation"]) == ("two-points", "delta", 1, "BP1")
    assert first["yours"] == pytest.approx(-first["expected"])
    assert first["max_abs_difference"] == pytest.approx(2 * abs(first["expected"]))


def test_the_terminal_report_names_the_mistake_and_marks_each_case(tmp_path):
    path = tmp_path / "network.py"
    path.write_text(mutant("hidden_derivative_missing"))
    done = subprocess.run([sys.executable, "-m", "app.cli", "check", str(path)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 1
    assert "(hidden_derivative_missing)" in done.stdout
    assert done.stdout.count("✗") == len(CASES) and "BP2" in done.stdout


# --- code that cannot be checked ------------------------------------------------------------------

def test_code_that_raises_is_reported_at_its_own_line(tmp_path):
    source = mutated(SIGMOID_MSE, ("        zs, activations = self.forward(x)\n",
                                   "        zs, activations = self.forward(x)\n        raise ValueError('not yet')\n"))
    code, result = check(tmp_path, source)
    line = source.splitlines().index("        raise ValueError('not yet')") + 1
    assert code == 2 and result["status"] == "problem"
    problem = result["problem"]
    assert problem["problem"] == "raised" and problem["error"] == "ValueError: not yet"
    assert problem["where"] == {"file": "network.py", "line": line, "code": "raise ValueError('not yet')"}


def test_code_that_hangs_is_stopped_at_the_time_limit(tmp_path):
    source = mutated(SIGMOID_MSE, ("        zs, activations = self.forward(x)\n",
                                   "        while True:\n            pass\n"))
    started = time.monotonic()
    code, result = check(tmp_path, source, "--timeout", "1")
    assert code == 2 and result["problem"] == {"problem": "timeout", "seconds": 1.0}
    assert time.monotonic() - started < 10


def test_code_that_prints_is_checked_and_its_lines_counted(tmp_path):
    source = "print('loading my network')\n" + mutated(SIGMOID_MSE, ("        return nabla_b, nabla_w",
                                                                     "        print('called')\n"
                                                                     "        return nabla_b, nabla_w"))
    code, result = check(tmp_path, source)
    calls = sum(2 * len(c.inputs) for c in CASES)  # each example twice, each call one line
    assert code == 0 and result["status"] == "match"
    assert result["printed_lines"] == 1 + calls
    assert result["printed"][:2] == ["loading my network", "called"]


@pytest.mark.parametrize("change, what", [
    (("return nabla_b, nabla_w", "return nabla_w, nabla_b"), "nabla_b[0]"),
    (("return nabla_b, nabla_w", "return nabla_b, nabla_w[:-1]"), "nabla_w"),
    (("return nabla_b, nabla_w", "return nabla_b"), "return value"),
], ids=["swapped", "one_array_short", "one_list"])
def test_wrong_shapes_are_named(tmp_path, change, what):
    code, result = check(tmp_path, mutated(SIGMOID_MSE, change))
    assert code == 2 and result["problem"]["problem"] == "wrong_shapes"
    assert what in result["problem"]["what"]
    assert result["problem"]["case"] == CASES[0].name


def test_nan_in_the_gradients_is_a_problem_and_never_reaches_the_json(tmp_path):
    code, result = check(tmp_path, mutated(SIGMOID_MSE, ("return nabla_b, nabla_w",
                                                         "return nabla_b, [w * np.nan for w in nabla_w]")))
    assert code == 2 and result["problem"]["problem"] == "not_finite"
    assert "nabla_w[0]" in result["problem"]["what"]


def test_a_syntax_error_points_at_its_line(tmp_path):
    source = mutated(SIGMOID_MSE, ("def backprop(self, x, y):", "def backprop(self, x, y)"))
    code, result = check(tmp_path, source)
    assert code == 2 and result["problem"]["problem"] == "syntax_error"
    assert result["problem"]["where"]["line"] == source.splitlines().index("    def backprop(self, x, y)") + 1


@pytest.mark.parametrize("source, args, problem", [
    ("import numpy_the_second\n", [], "import_error"),
    ("x = 1\n", [], "not_found"),
    (SIGMOID_MSE, ["--class", "Net"], "not_found"),
    (None, [], "file_missing"),
], ids=["import_error", "nothing_to_check", "no_such_class", "no_file"])
def test_code_that_cannot_be_loaded_gets_its_problem(tmp_path, source, args, problem):
    code, result = check(tmp_path, source, *args)
    assert code == 2 and result["problem"]["problem"] == problem


@pytest.mark.parametrize("changes, form", [
    ((("sigmoid_prime(zs[-1])", "sigmoid_prime(activations[-1])"),), "output_layer_only"),
    ((("sigmoid_prime(zs[-l])", "sigmoid_prime(activations[-l])"),), "hidden_layers_only"),
], ids=["output_only", "hidden_only"])
def test_derivative_of_output_made_in_one_place_is_named_with_its_form(tmp_path, changes, form):
    code, result = check(tmp_path, mutated(SIGMOID_MSE, *changes), "--output", "sigmoid_mse")
    assert code == 1 and result["unknown_mistake"] is False
    assert [(m["id"], m["form"]) for m in result["mistakes"]] == [("derivative_of_output", form)]


def test_softmax_code_that_keeps_nielsens_sigmoid_prime_of_z_is_named(tmp_path):
    code, result = check(tmp_path, mutated(SOFTMAX_CE, KEPT_SIGMA_PRIME), "--output", "softmax_ce")
    assert code == 1
    assert [(m["id"], m["form"]) for m in result["mistakes"]] == [("sigmoid_prime_kept", "sigmoid_prime_of_z")]


def test_a_mistake_made_with_a_second_one_is_named_for_the_first_wrong_equation(tmp_path):
    source = mutated(SIGMOID_MSE, ("sigmoid_prime(zs[-1])", "sigmoid_prime(activations[-1])"),
                     ("(self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])", "self.weights[-l + 1].T @ delta"))
    code, result = check(tmp_path, source, "--output", "sigmoid_mse")
    assert code == 1
    assert result["mistakes"] == [] and result["unknown_mistake"] is True
    assert result["first_mismatch"]["equation"] == "BP1"
    assert [m["id"] for m in result["first_mismatch_mistakes"]] == ["derivative_of_output"]


TRANSPOSED_NABLA_W = [("nabla_w[-1] = delta @ activations[-2].T", "nabla_w[-1] = activations[-2] @ delta.T"),
                      ("nabla_w[-l] = delta @ activations[-l - 1].T", "nabla_w[-l] = activations[-l - 1] @ delta.T")]


def test_nabla_w_transposed_in_every_layer_is_read_so_on_every_case(tmp_path):
    """random-3-4-4-2's middle layer and square-2-2-2 are square: read the way the non-square ones are."""
    code, result = check(tmp_path, mutated(SIGMOID_MSE, *TRANSPOSED_NABLA_W))
    assert code == 0 and [c["status"] for c in result["cases"]] == ["match"] * len(CASES)
    assert result["layout_notes"] == ["grad_W_transposed"]


def test_network2s_update_mini_batch_is_called_without_regularisation(tmp_path):
    source = mutated(WITH_UPDATE, ("def update_mini_batch(self, mini_batch, eta):",
                                   "def update_mini_batch(self, mini_batch, eta, lmbda, n):"))
    code, result = check(tmp_path, source)
    assert code == 0 and result["update"] == {"method": "update_mini_batch", "eta": 0.5, "lmbda": 0.0}
    assert [c["update"]["status"] for c in result["cases"]] == ["match"] * len(CASES)
    assert result["cases"][0]["update"]["called_with"] == {"lmbda": 0.0, "n": len(CASES[0].inputs)}


def test_an_update_mini_batch_with_other_parameters_is_skipped(tmp_path):
    source = mutated(WITH_UPDATE, ("def update_mini_batch(self, mini_batch, eta):",
                                   "def update_mini_batch(self, mini_batch, eta, momentum):"))
    code, result = check(tmp_path, source)
    assert code == 0 and result["status"] == "match"
    assert [c["update"] for c in result["cases"]] == [
        {"status": "skipped", "reason": "other_parameters", "parameters": ["momentum"]}] * len(CASES)


def test_a_thread_left_running_by_their_module_does_not_stop_the_check(tmp_path):
    source = SIGMOID_MSE + "\nimport threading, time\nthreading.Thread(target=lambda: time.sleep(60)).start()\n"
    started = time.monotonic()
    code, result = check(tmp_path, source, "--timeout", "20")
    assert code == 0 and result["status"] == "match"
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("where", ["backprop", "import"])
def test_keyboard_interrupt_in_their_code_is_reported_where_it_was_raised(tmp_path, where):
    if where == "backprop":
        source = mutated(SIGMOID_MSE, ("        return nabla_b, nabla_w", "        raise KeyboardInterrupt"))
    else:
        source = SIGMOID_MSE + "raise KeyboardInterrupt\n"
    code, result = check(tmp_path, source)
    assert code == 2 and result["problem"]["problem"] == "raised"
    assert result["problem"]["error"] == "KeyboardInterrupt"
    assert result["problem"]["where"]["line"] == source.splitlines().index(
        "        raise KeyboardInterrupt" if where == "backprop" else "raise KeyboardInterrupt") + 1
    assert result["printed_lines"] == 0  # nothing of the runner's own is counted as theirs


@pytest.mark.parametrize("returned", ["[w + 1j for w in nabla_w]", "[w.astype(str) for w in nabla_w]"],
                         ids=["complex", "text"])
def test_gradients_that_are_not_real_numbers_are_refused(tmp_path, returned):
    code, result = check(tmp_path, mutated(SIGMOID_MSE, ("return nabla_b, nabla_w", f"return nabla_b, {returned}")))
    assert code == 2 and result["problem"]["problem"] == "not_real"
    assert "nabla_w[0]" in result["problem"]["what"]


# --- update_mini_batch: where the examples' gradients are combined and applied ----------------------

NIELSEN_UPDATE = '''
    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]
'''

# The whole mini-batch at once, one example per column (its own backward pass: backprop is not called).
VECTORISED_UPDATE = '''
    def update_mini_batch(self, mini_batch, eta):
        X = np.hstack([x for x, y in mini_batch])
        Y = np.hstack([y for x, y in mini_batch])
        zs, activations = self.forward(X)
        nabla_b, nabla_w = [None] * len(self.weights), [None] * len(self.weights)
        delta = (activations[-1] - Y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta.mean(axis=1, keepdims=True)
        nabla_w[-1] = delta @ activations[-2].T / len(mini_batch)
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
            nabla_b[-l] = delta.mean(axis=1, keepdims=True)
            nabla_w[-l] = delta @ activations[-l - 1].T / len(mini_batch)
        self.weights = [w - eta * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - eta * nb for b, nb in zip(self.biases, nabla_b)]
'''

WITH_UPDATE = SIGMOID_MSE + NIELSEN_UPDATE
VECTORISED = SIGMOID_MSE + VECTORISED_UPDATE
OUTPUT_GRADIENT = "        nabla_w[-1] = delta @ activations[-2].T / len(mini_batch)\n"

UPDATE_MUTANTS = [
    ("examples_mixed", mutated(VECTORISED, (
        "delta @ activations[-2].T / len(mini_batch)",
        "delta.mean(axis=1, keepdims=True) @ activations[-2].mean(axis=1, keepdims=True).T"), (
        "delta @ activations[-l - 1].T / len(mini_batch)",
        "delta.mean(axis=1, keepdims=True) @ activations[-l - 1].mean(axis=1, keepdims=True).T"))),
    ("sum_not_mean", mutated(WITH_UPDATE, ("(eta / len(mini_batch))", "eta"))),
    ("examples_mixed", mutated(WITH_UPDATE, ("        for x, y in mini_batch:\n", (
        "        x_mean = sum(x for x, _ in mini_batch) / len(mini_batch)\n"
        "        y_mean = sum(y for _, y in mini_batch) / len(mini_batch)\n"
        "        for x, y in [(x_mean, y_mean)] * len(mini_batch):\n")))),
    ("stale_output_weights", mutated(VECTORISED, (
        OUTPUT_GRADIENT, OUTPUT_GRADIENT + "        self.weights[-1] = self.weights[-1] - eta * nabla_w[-1]\n"), (
        "self.weights = [w - eta * nw for w, nw in zip(self.weights, nabla_w)]",
        "self.weights[:-1] = [w - eta * nw for w, nw in zip(self.weights[:-1], nabla_w[:-1])]"))),
]


@pytest.mark.parametrize("source", [WITH_UPDATE, VECTORISED], ids=["nielsen", "vectorised"])
def test_a_right_update_mini_batch_checks_clean(tmp_path, source):
    code, result = check(tmp_path, source)
    assert code == 0 and result["status"] == "match"
    assert result["update"] == {"method": "update_mini_batch", "eta": 0.5}
    assert [c["update"]["status"] for c in result["cases"]] == ["match"] * len(CASES)


def test_a_backprop_without_update_mini_batch_has_no_update_check(tmp_path):
    code, result = check(tmp_path, SIGMOID_MSE)
    assert code == 0 and result["update"] is None
    assert all(c["update"] is None for c in result["cases"])


@pytest.mark.parametrize("mistake, source", UPDATE_MUTANTS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(UPDATE_MUTANTS)])
def test_each_mistake_in_the_learners_update_is_named(tmp_path, mistake, source):
    code, result = check(tmp_path, source)
    assert code == 1 and result["status"] == "mismatch"
    assert [m["id"] for m in result["mistakes"]] == [mistake] and result["unknown_mistake"] is False
    assert all(c["status"] == "match" for c in result["cases"])  # their backprop itself is right
    assert all(c["update"]["status"] == "mismatch" and c["update"]["mistakes"] == [mistake]
               for c in result["cases"])
    first = result["first_mismatch"]
    assert (first["check"], first["case"]) == ("update_mini_batch", "two-points")
    assert first["quantity"] in ("grad_W", "grad_b") and first["max_abs_difference"] > 1e-5


def test_sum_not_mean_steps_n_times_too_far(tmp_path):
    code, result = check(tmp_path, dict(UPDATE_MUTANTS)["sum_not_mean"])
    two_points = next(c for c in CASES if c.name == "two-points")
    first = result["first_mismatch"]
    assert first["yours"] == pytest.approx(len(two_points.inputs) * first["expected"])


def test_the_terminal_report_gives_update_mini_batch_a_line_per_case(tmp_path):
    path = tmp_path / "network.py"
    path.write_text(UPDATE_MUTANTS[0][1])  # examples_mixed
    done = subprocess.run([sys.executable, "-m", "app.cli", "check", str(path)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 1
    assert "(examples_mixed)" in done.stdout
    assert done.stdout.count("update_mini_batch: ✗") == len(CASES) and done.stdout.count("  ✓ ") == len(CASES)


def test_an_update_that_raises_is_reported_and_backprop_results_are_kept(tmp_path):
    source = mutated(WITH_UPDATE, ("        for x, y in mini_batch:\n",
                                   "        raise ValueError('not yet')\n        for x, y in mini_batch:\n"))
    code, result = check(tmp_path, source)
    assert code == 2 and result["status"] == "problem"
    problem = result["problem"]
    assert problem["problem"] == "raised" and problem["during"].startswith("update_mini_batch")
    assert problem["where"]["line"] == source.splitlines().index("        raise ValueError('not yet')") + 1
    assert [c["status"] for c in result["cases"]] == ["match"] * len(CASES)
    assert [c["update"]["status"] for c in result["cases"]] == ["problem"] * len(CASES)


def test_an_update_is_not_judged_where_backprop_is_already_wrong(tmp_path):
    source = mutated(WITH_UPDATE, ("(self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])",
                                   "self.weights[-l + 1].T @ delta"))
    code, result = check(tmp_path, source)
    assert code == 1
    assert [m["id"] for m in result["mistakes"]] == ["hidden_derivative_missing"]  # named once, for backprop
    assert result["first_mismatch"]["check"] == "backprop"
    not_judged = {"status": "not_judged", "reason": "backprop_mismatch"}
    assert [c["update"] for c in result["cases"]] == [not_judged] * len(CASES)
