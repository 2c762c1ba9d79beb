"""Run a learner's backprop in a child process and bring back its numbers, checked for shape and finiteness.

Their code never runs in this process: a child (runner.py) imports their file and writes plain numbers to a
JSON file in a temporary folder. A hang is killed at the time limit (with anything it started), and their
prints are counted and kept apart from our output. Nothing their code produced is unpickled.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.check.cases import Case

RUNNER = Path(__file__).with_name("runner.py")
UPDATE_ETA = 0.5  # the learning rate their update_mini_batch is given; its step divided by it is their gradient
KEPT_OUTPUT_BYTES = 64_000  # of their prints, enough for the first lines; the rest is only counted


class LearnerProblem(Exception):
    """Their code could not be run (or gave numbers that cannot be compared): `fields["problem"]` is the id."""

    def __init__(self, fields: dict):
        super().__init__(fields["problem"])
        self.fields = fields


@dataclass
class Printed:
    lines: int = 0
    head: list[str] = field(default_factory=list)


@dataclass
class CaseNumbers:
    """One case's numbers from their code, in the engine's layout (examples are rows)."""

    deltas: list[np.ndarray]  # per layer, (N, n_l): each example's nabla_b is its δˡ
    grad_W: list[np.ndarray]  # per layer, the mean of their nabla_w over the examples
    grad_b: list[np.ndarray]
    grad_W_again: list[np.ndarray]  # the same from a second call on each example (same instance)
    grad_b_again: list[np.ndarray]
    outputs: np.ndarray | None  # (N, n_out), from their feedforward, when they have one

    def yours(self) -> tuple[dict, dict]:
        """`yours` and `yours_again` as check_numbers reads them. The second call is compared by its gradients
        only (what gradients_not_reset changes). An all-zero nabla_b says nothing about δ (it is
        bias_gradient_missing), so then δ is left out rather than compared as zeros."""
        zero_b = not any(d.any() for d in self.deltas)
        first = {"layers": [{"grad_W": w, "grad_b": b} if zero_b else {"delta": d, "grad_W": w, "grad_b": b}
                            for d, w, b in zip(self.deltas, self.grad_W, self.grad_b)]}
        if self.outputs is not None:
            first["outputs"] = self.outputs
        again = {"layers": [{"grad_W": w, "grad_b": b} for w, b in zip(self.grad_W_again, self.grad_b_again)]}
        return first, again


@dataclass
class UpdateNumbers:
    """The gradient their update_mini_batch applied to one case (the whole case as one mini-batch):
    (weights before − after) / eta, per layer, in the engine's layout."""

    grad_W: list[np.ndarray]  # (n_out, n_in)
    grad_b: list[np.ndarray]  # (n_out,)
    called_with: dict = field(default_factory=dict)  # arguments besides (mini_batch, eta): network2's lmbda, n

    def yours(self) -> dict:
        return {"layers": [{"grad_W": w, "grad_b": b} for w, b in zip(self.grad_W, self.grad_b)]}


@dataclass
class LearnerRun:
    kind: str  # "class" or "function"
    name: str
    cases: dict[str, CaseNumbers | dict]  # by case name: numbers, or the problem that case ran into
    printed: Printed
    warnings: list[str]
    updates: dict[str, UpdateNumbers | dict] = field(default_factory=dict)  # the same for update_mini_batch,
    # by case name; empty when their class has none


def _read_output(stream, printed: Printed) -> None:
    """Count their printed lines and keep the first ones, without holding all of a runaway print loop."""
    kept = bytearray()
    last = b""
    for chunk in iter(lambda: stream.read(8192), b""):
        printed.lines += chunk.count(b"\n")
        last = chunk[-1:]
        if len(kept) < KEPT_OUTPUT_BYTES:
            kept += chunk[: KEPT_OUTPUT_BYTES - len(kept)]
    if last and last != b"\n":
        printed.lines += 1  # a last line without its newline
    printed.head = kept.decode("utf-8", "replace").splitlines()[:20]


def _run_child(request: dict, timeout: float) -> tuple[dict | None, Printed, int | None]:
    with tempfile.TemporaryDirectory(prefix="backprop-lab-check-") as folder:
        request_path, result_path = Path(folder, "request.json"), Path(folder, "result.json")
        request_path.write_text(json.dumps(request))
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        child = subprocess.Popen([sys.executable, "-P", str(RUNNER), str(request_path), str(result_path)],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 env=env, start_new_session=True)  # its own group: a timeout kills all of it
        printed = Printed()
        reader = threading.Thread(target=_read_output, args=(child.stdout, printed), daemon=True)
        reader.start()
        try:
            code = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            try:
                os.killpg(child.pid, signal.SIGKILL)  # what their code started, too (it may hold the pipe)
            except ProcessLookupError:
                pass
            child.wait()
            reader.join(timeout=5)
            child.stdout.close()
        # The child writes the file whole (os.replace) as its last act: once there, it is complete, whatever
        # their code left running afterwards.
        result = json.loads(result_path.read_text()) if result_path.exists() else None
    return result, printed, code


def run_learner_code(path: Path, cases: tuple[Case, ...], class_name: str | None = None,
                     function_name: str | None = None, timeout: float = 10.0) -> LearnerRun:
    """Their backprop on every case; LearnerProblem when their code cannot be run at all."""
    if not path.is_file():
        raise LearnerProblem({"problem": "file_missing", "path": str(path)})
    request = {"path": str(path.resolve()), "class": class_name, "function": function_name, "eta": UPDATE_ETA,
               "cases": [{"name": c.name, "layer_sizes": c.layer_sizes, "inputs": c.inputs.tolist(),
                          "labels": c.labels.tolist(), "W": [W.tolist() for W in c.W],
                          "b": [b.tolist() for b in c.b]} for c in cases]}
    result, printed, code = _run_child(request, timeout)
    if result is None and code is None:
        raise LearnerProblem({"problem": "timeout", "seconds": timeout, "printed_lines": printed.lines})
    if result is None:
        raise LearnerProblem({"problem": "exited", "exit_code": code, "printed_lines": printed.lines})
    if "problem" in result:
        raise LearnerProblem({**result, "printed_lines": printed.lines})
    numbers, updates = {}, {}
    for case, raw in zip(cases, result["cases"]):
        try:
            if "problem" in raw:  # raw["name"] is the case's; a wrong_interface names their class
                fields = {k: v for k, v in raw.items() if k not in ("name", "update")}
                raise LearnerProblem({**fields, "name": result["name"]} if raw["problem"] == "wrong_interface"
                                     else fields)
            numbers[case.name] = case_numbers(case, raw)
        except LearnerProblem as p:
            numbers[case.name] = {**p.fields, "case": case.name}
        if "update" in raw:
            try:
                if "problem" in raw["update"] or "skipped" in raw["update"]:
                    raise LearnerProblem(raw["update"] if "problem" in raw["update"]
                                         else {"problem": "skipped", **raw["update"]})
                updates[case.name] = update_numbers(case, raw["update"])
            except LearnerProblem as p:
                updates[case.name] = {**p.fields, "case": case.name}
    return LearnerRun(result["kind"], result["name"], numbers, printed, result.get("warnings", []), updates)


# --- their arrays, checked ----------------------------------------------------------------------

def _array(raw: dict, what: str, shapes: list[tuple[int, ...]]) -> np.ndarray:
    """The array if its shape is one of `shapes` (the first is the one we name), else wrong_shapes."""
    shape = tuple(raw["shape"])
    if shape not in shapes or raw["values"] is None:
        raise LearnerProblem({"problem": "wrong_shapes", "what": what, "shape": list(shape),
                              "expected": list(shapes[0])})
    if not all(math.isfinite(v) for v in raw["values"]):
        raise LearnerProblem({"problem": "not_finite", "what": what})
    return np.array(raw["values"], dtype=float).reshape(shape)


def _layers(raw: dict, key: str, sizes: list[int], what: str) -> int:
    if len(raw[key]) != len(sizes) - 1:
        raise LearnerProblem({"problem": "wrong_shapes", "what": f"{what}: {key}", "count": len(raw[key]),
                              "expected_count": len(sizes) - 1})
    return len(sizes) - 1


def _gradients(raw: dict, sizes: list[int], what: str):
    """One call's nabla_b (as vectors) and nabla_w, as given: (n_out, n_in) or (n_in, n_out), which
    app/check/yours.py reads (one rule for every entry point)."""
    nabla_b, nabla_w = [], []
    for l in range(_layers(raw, "nabla_b", sizes, what)):
        n = sizes[l + 1]
        nabla_b.append(_array(raw["nabla_b"][l], f"{what}: nabla_b[{l}]", [(n, 1), (n,), (1, n)]).ravel())
    for l in range(_layers(raw, "nabla_w", sizes, what)):
        n_in, n_out = sizes[l], sizes[l + 1]
        nabla_w.append(_array(raw["nabla_w"][l], f"{what}: nabla_w[{l}]", [(n_out, n_in), (n_in, n_out)]))
    return nabla_b, nabla_w


def case_numbers(case: Case, raw: dict) -> CaseNumbers:
    sizes = case.layer_sizes
    first, again = [], []
    for n, calls in enumerate(raw["calls"]):
        what = f"backprop on example {n + 1} of {case.name}"
        first.append(_gradients(calls[0], sizes, what))
        again.append(_gradients(calls[1], sizes, what + " (second call)"))
    layers = range(len(sizes) - 1)
    for l in layers:  # averaged over the examples below: every example's nabla_w[l] must be laid out alike
        shapes = {w[l].shape for _, w in first + again}
        if len(shapes) > 1:
            raise LearnerProblem({"problem": "wrong_shapes", "what": f"nabla_w[{l}] on {case.name}",
                                  "shape": list(first[-1][1][l].shape), "expected": list(first[0][1][l].shape)})
    deltas = [np.stack([b[l] for b, _ in first]) for l in layers]
    outputs = None
    if raw.get("outputs"):
        n_out = sizes[-1]
        outputs = np.stack([_array(o, f"feedforward on example {n + 1} of {case.name}",
                                   [(n_out, 1), (n_out,), (1, n_out)]).ravel()
                            for n, o in enumerate(raw["outputs"])])
    return CaseNumbers(
        deltas=deltas,
        grad_W=[np.mean([w[l] for _, w in first], axis=0) for l in layers],
        grad_b=[d.mean(axis=0) for d in deltas],
        grad_W_again=[np.mean([w[l] for _, w in again], axis=0) for l in layers],
        grad_b_again=[np.mean([b[l] for b, _ in again], axis=0) for l in layers],
        outputs=outputs)


def update_numbers(case: Case, raw: dict, eta: float = UPDATE_ETA) -> UpdateNumbers:
    """Their weights and biases after one update_mini_batch, turned into the gradient they stepped along."""
    sizes = case.layer_sizes
    what = f"after update_mini_batch on {case.name}"
    W_after = [_array(raw["weights"][l], f"weights[{l}] {what}", [(sizes[l + 1], sizes[l])])
               for l in range(_layers(raw, "weights", sizes, what))]
    b_after = [_array(raw["biases"][l], f"biases[{l}] {what}", [(n, 1), (n,)]).ravel()
               for l, n in zip(range(_layers(raw, "biases", sizes, what)), sizes[1:])]
    grad_W = [(W - after) / eta for W, after in zip(case.W, W_after)]
    grad_b = [(b - after) / eta for b, after in zip(case.b, b_after)]
    if not any(g.any() for g in grad_W + grad_b):  # a method that returns new weights instead of setting them?
        raise LearnerProblem({"problem": "unchanged"})
    return UpdateNumbers(grad_W, grad_b, raw.get("called_with", {}))
