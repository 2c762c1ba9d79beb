"""Engine: microseconds per full-batch training step, beside a hand-fused NumPy step and PyTorch on one thread.

The step timed is the one the lab runs: `Trainer(net, X, Y, make_optimizer("sgd", lr)).step()`, which
returns the loss before the update. Sigmoid hidden layers, softmax output with cross-entropy, full batch.
All contenders start from the same weights, are checked to compute the same update, and are timed in
interleaved rounds in this one process (common.interleaved).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from app.nn import Network, OutputLayer, Trainer, make_optimizer
from benchmarks.common import Mode, Section, Target, interleaved, progress

NETWORKS = {  # name: (layer sizes, batch)
    "2-3-2": ([2, 3, 2], 2),
    "2-8-8-2": ([2, 8, 8, 2], 200),
    "64-32-10": ([64, 32, 10], 64),
    "784-128-10": ([784, 128, 10], 128),
}
DTYPES = ("float64", "float32")
LEARNING_RATE = 0.1
TORCH_MISSING = "not installed (pip install -e '.[bench]')"


def make_data(sizes: list[int], batch: int, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """2-3-2 gets the learner's two points ([1,0] → [1,0], [0,1] → [0,1]); the others seeded random data."""
    if sizes == [2, 3, 2] and batch == 2:
        X = np.eye(2)
        return X.astype(dtype), X.astype(dtype)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((batch, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
    return X.astype(dtype), Y.astype(dtype)


def make_net(sizes: list[int], dtype: str) -> Network:
    return Network.create(sizes, "sigmoid", OutputLayer("softmax", "cross_entropy"), "xavier", seed=0,
                          dtype=np.dtype(dtype))


# --- the practical limit: 2-3-2 by hand ---------------------------------------------------------------

def hand_fused_232(net: Network, X: np.ndarray, Y: np.ndarray, lr: float):
    """One training step of the 2-3-2 sigmoid / softmax + cross-entropy network in the fewest NumPy calls
    we could write, as a reference for the engine's overhead. Returns (step, theta).

    It does what Trainer.step does, no less: the loss before the update (as a float), numerically safe on
    any input (log-softmax; σ silenced where e⁻ᶻ overflows to inf), every gradient averaged over the batch,
    then the SGD update. It also uses every trick available to the engine: one flat parameter vector
    (a two-call update), preallocated buffers with out=, sums over examples as dot products, a = e^(log a).
    It knows what the engine cannot: the sizes, the activations, and that the labels are one-hot (δ = a − y).
    """
    dtype, n = X.dtype, len(X)
    theta = np.concatenate([p.ravel() for p in net.parameters]).astype(dtype)
    W1, b1, W2, b2 = theta[0:6].reshape(3, 2), theta[6:9], theta[9:15].reshape(2, 3), theta[15:17]
    grad = np.empty_like(theta)
    gW1, gb1, gW2, gb2 = grad[0:6].reshape(3, 2), grad[6:9], grad[9:15].reshape(2, 3), grad[15:17]
    z1, a1, s1, d1 = (np.empty((n, 3), dtype) for _ in range(4))
    z2, log_a2, a2, d2 = (np.empty((n, 2), dtype) for _ in range(4))
    row_sums = np.empty((n, 1), dtype)
    ones_n, ones_k = np.ones(n, dtype), np.ones((2, 1), dtype)
    scale = lr / n
    dot, add, subtract, multiply, exp = np.dot, np.add, np.subtract, np.multiply, np.exp

    def step() -> float:
        dot(X, W1.T, out=z1)
        add(z1, b1, out=z1)  # z¹ = X W¹ᵀ + b¹
        with np.errstate(over="ignore"):
            np.negative(z1, out=a1)
            exp(a1, out=a1)
        add(a1, 1.0, out=a1)
        np.reciprocal(a1, out=a1)  # a¹ = σ(z¹)
        dot(a1, W2.T, out=z2)
        add(z2, b2, out=z2)  # z² = a¹ W²ᵀ + b²
        subtract(z2, np.maximum.reduce(z2, axis=1, keepdims=True), out=log_a2)
        exp(log_a2, out=a2)
        dot(a2, ones_k, out=row_sums)
        np.log(row_sums, out=row_sums)
        subtract(log_a2, row_sums, out=log_a2)  # log a² = log-softmax(z²)
        exp(log_a2, out=a2)
        loss = -float(np.vdot(Y, log_a2)) / n
        subtract(a2, Y, out=d2)  # δ² = a² − y
        dot(d2.T, a1, out=gW2)
        dot(ones_n, d2, out=gb2)
        subtract(1.0, a1, out=s1)
        multiply(s1, a1, out=s1)  # σ'(z¹) = a¹(1 − a¹)
        dot(d2, W2, out=d1)
        multiply(d1, s1, out=d1)  # δ¹ = (δ² W²) ⊙ σ'(z¹)
        dot(d1.T, X, out=gW1)
        dot(ones_n, d1, out=gb1)
        multiply(grad, scale, out=grad)  # η · mean over the batch
        subtract(theta, grad, out=theta)
        return loss

    return step, theta


# --- PyTorch ------------------------------------------------------------------------------------------

def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_step(net: Network, X: np.ndarray, Y: np.ndarray, lr: float):
    """nn.Linear layers with the same starting weights, sigmoid between them, CrossEntropyLoss on class
    indices, torch.optim.SGD; one thread. Returns (step, parameters as NumPy views)."""
    import torch

    torch.set_num_threads(1)
    dtype = torch.float64 if X.dtype == np.float64 else torch.float32
    layers: list[Any] = []
    for l, (W, b) in enumerate(zip(net.W, net.b)):
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=dtype)  # weight is (out, in), like W
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.array(W)))
            linear.bias.copy_(torch.from_numpy(np.array(b)))
        layers.append(linear)
        if l < len(net.W) - 1:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs, targets = torch.from_numpy(X.copy()), torch.from_numpy(Y.argmax(axis=1))

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss

    def parameters() -> np.ndarray:
        return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])

    return step, parameters


# --- the section --------------------------------------------------------------------------------------

def _agree(name: str, a: np.ndarray, b: np.ndarray, dtype: str) -> None:
    rtol, atol = (1e-9, 1e-12) if dtype == "float64" else (1e-4, 1e-6)
    if not np.allclose(a, b, rtol=rtol, atol=atol):
        raise AssertionError(f"{name}: the contenders do not compute the same update (max difference "
                             f"{np.abs(a - b).max():.3g}); the benchmark would compare different work")


def _contenders(name: str, dtype: str, with_torch: bool) -> dict[str, Callable[[], Any]]:
    sizes, batch = NETWORKS[name]
    X, Y = make_data(sizes, batch, dtype)
    base = make_net(sizes, dtype)
    # Three steps of each from the same start must give the same parameters.
    check = Trainer(base.copy(), X, Y, make_optimizer("sgd", LEARNING_RATE))
    for _ in range(3):
        check.step()
    contenders: dict[str, Callable[[], Any]] = {}
    contenders["engine"] = Trainer(base.copy(), X, Y, make_optimizer("sgd", LEARNING_RATE)).step
    if name == "2-3-2":
        fused, theta = hand_fused_232(base, X, Y, LEARNING_RATE)
        for _ in range(3):
            fused()
        _agree(f"{name} {dtype} hand-fused", theta, check.net.theta, dtype)
        contenders["hand-fused"] = hand_fused_232(base, X, Y, LEARNING_RATE)[0]
    if with_torch:
        step, parameters = torch_step(base, X, Y, LEARNING_RATE)
        for _ in range(3):
            step()
        _agree(f"{name} {dtype} PyTorch", parameters(), check.net.theta, dtype)
        contenders["torch"] = torch_step(base, X, Y, LEARNING_RATE)[0]
    return contenders


def run(mode: Mode) -> Section:
    with_torch = torch_available()
    section = Section(
        "Engine: one full-batch training step (sigmoid hidden, softmax + cross-entropy, SGD)",
        ["network", "batch", "dtype", "engine µs/step", "engine steps/s", "hand-fused µs/step",
         "PyTorch µs/step", "PyTorch steps/s", "engine speed-up over PyTorch"])
    section.notes.append(
        f"Best of {mode.engine_rounds} interleaved rounds of about {mode.engine_round_seconds * 1000:.0f} ms per "
        "contender; one BLAS thread, torch.set_num_threads(1). Hand-fused: the 2-3-2 step written out in the "
        "fewest NumPy calls (benchmarks/engine.py), same loss and update as the engine.")
    if not with_torch:
        section.notes.append(f"PyTorch: {TORCH_MISSING}.")
    names = [n for n in NETWORKS if mode.networks is None or n in mode.networks]
    for name in names:
        for dtype in DTYPES:
            progress(f"engine: {name} {dtype}")
            contenders = _contenders(name, dtype, with_torch)
            timing = interleaved(contenders, mode.engine_rounds, mode.engine_round_seconds)
            engine = timing["engine"]["best"]
            fused = timing.get("hand-fused", {}).get("best")
            torch_time = timing.get("torch", {}).get("best")
            section.rows.append([
                name, NETWORKS[name][1], dtype, engine * 1e6, 1 / engine,
                None if fused is None else fused * 1e6,
                torch_time * 1e6 if torch_time else (None if with_torch else "not installed"),
                1 / torch_time if torch_time else None,
                f"{torch_time / engine:.2f}×" if torch_time else None,
            ])
            section.data[f"{name} {dtype}"] = {
                k: {"best_us": v["best"] * 1e6, "median_us": v["median"] * 1e6,
                    "rounds_us": [s * 1e6 for s in v["rounds"]], "calls_per_round": v["calls_per_round"]}
                for k, v in timing.items()}
            if name == "2-3-2":
                section.targets.append(Target(
                    f"2-3-2 {dtype}: engine steps/s ÷ PyTorch steps/s",
                    torch_time / engine if torch_time else None, 8.0, "×", True,
                    "" if torch_time else TORCH_MISSING))
                section.targets.append(Target(
                    f"2-3-2 {dtype}: engine time ÷ hand-fused NumPy time", engine / fused, 1.5, "×", False))
            if name == "784-128-10" and dtype == "float32":
                section.targets.append(Target(
                    "784-128-10 float32: engine steps/s ÷ PyTorch steps/s",
                    torch_time / engine if torch_time else None, 1.0, "×", True,
                    "" if torch_time else TORCH_MISSING))
    return section
