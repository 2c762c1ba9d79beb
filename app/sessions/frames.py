"""What a frame shows of one run, and the decision-boundary grid, computed at the run's current weights."""

from __future__ import annotations

import functools
import math
import struct
from dataclasses import dataclass
from typing import Callable, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, Field

from app.nn import BackwardPass, ForwardPass, Network, OutputLayer
from app.nn.activations import hidden_activation
from app.nn.diagnostics import SATURATION_THRESHOLD

HISTOGRAM_BINS = 16
MAX_OUTPUT_EXAMPLES = 32  # more would make frames too large to send 30 times a second (2-D sets show the boundary)
MAX_PER_EXAMPLE_NUMBERS = 512  # budget for the per-example output-layer gradients in one frame
MAX_PER_EXAMPLE_ROWS = 8
BOUNDARY_MAGIC = b"BLB1"
NEURON_MAPS_MAGIC = b"BLN1"
SIGNIFICANT_DIGITS = 7  # of the arrays in a frame: the dashboard shows 3, /api/backprop gives all 17


# Rounding to k decimals scales by 10**max(k, 0) and 10**max(-k, 0): looked up (exact powers of ten) for every k
# a number between 1e-15 and 1e15 can need, at index k - _K_RANGE.start (log10 of a number just under 1e15 is
# 15.0 in floating point: one more k at each end).
_K_RANGE = range(SIGNIFICANT_DIGITS - 1 - 15, SIGNIFICANT_DIGITS - 1 + 16 + 1)
_UP = np.array([float(10 ** max(k, 0)) for k in _K_RANGE])
_DOWN = np.array([float(10 ** max(-k, 0)) for k in _K_RANGE])


def rounded_all(arrays: list[np.ndarray]) -> list[list]:
    """Each array's tolist(), rounded to SIGNIFICANT_DIGITS significant digits, which JSON writes in about half
    the characters (0.1234568 rather than 0.12345678901234568): frames of a 64-input network stay small. All arrays
    are rounded in one pass: on the small arrays of a frame, the cost is the number of NumPy calls."""
    flat = np.concatenate([x.ravel() for x in arrays], dtype=np.float64)
    size = np.abs(flat)
    roundable = (size > 1e-15) & (size < 1e15)  # where 10**k stays an exact power of ten
    magnitude = np.log10(size, out=np.zeros_like(size), where=roundable)  # log10(1) elsewhere: nothing is kept there
    # k = SIGNIFICANT_DIGITS - 1 - ⌊log10 |x|⌋ decimals: scale by exact powers of ten, 10**max(k, 0) up and
    # 10**max(-k, 0) down, so that the result is the double nearest the rounded decimal.
    at = (SIGNIFICANT_DIGITS - 1 - _K_RANGE.start - np.floor(magnitude, out=magnitude)).astype(np.intp)
    up, down = _UP.take(at, mode="clip"), _DOWN.take(at, mode="clip")
    scaled = flat * up
    scaled /= down
    np.rint(scaled, out=scaled)  # np.round's rule (half to even), as a plain ufunc
    scaled *= down
    scaled /= up
    np.copyto(flat, scaled, where=roundable)
    parts, start = [], 0
    for x in arrays:  # slices rather than np.split, a Python function of a dozen calls
        parts.append(flat[start : start + x.size].reshape(x.shape).tolist())
        start += x.size
    return parts


class Histogram(BaseModel):
    max_abs: float
    counts: list[int]  # the layer's ∂C/∂W values in HISTOGRAM_BINS equal bins over [-max_abs, max_abs]


class LayerFrame(BaseModel):
    grad_W_norm: float  # of the run's own ∂C/∂W and ∂C/∂b: a mistake run's, as its backprop computes them
    grad_b_norm: float
    delta_mean_norm: float  # ‖δˡ averaged over the examples‖: what ∂C/∂b is when computed right
    histogram: Histogram
    saturated_fraction: float
    mean_abs_activation: float


def _absent(value: object) -> bool:
    return value is None


class OutputFrame(BaseModel):
    """The output layer's numbers. `delta_correct` exists only beside the elementwise mistake; a run that diverged
    before its first frame has none of them."""
    delta: list[list[float]] | None = Field(None, exclude_if=_absent)
    jacobian: list[list[float]] | None = Field(None, exclude_if=_absent)
    delta_correct: list[list[float]] | None = Field(None, exclude_if=_absent)
    per_example_grad_W: list[list[list[float]]] | None = None  # null when the output layer is too large to send
    example: int | None = Field(None, exclude_if=_absent)


class WeightsFrame(BaseModel):
    """Every weight and bias of a run with ∂C/∂W as its backprop computes it, rounded like the rest of a frame."""
    W: list[list[list[float]]]  # W[l][j][k]: from unit k of layer l to unit j of layer l + 1
    b: list[list[float]]
    grad_W: list[list[list[float]]]


class RunFrame(BaseModel):
    id: str
    kind: str
    status: Literal["training", "diverged"]
    converged_at: int | None
    loss: float | None
    outputs: list[list[float]]
    max_error: float | None
    layers: list[LayerFrame]
    output: OutputFrame
    # How well the outputs name the classes (app/sessions/split.py); null when undefined. The test numbers are null
    # without a test part; the confusion matrix ([true][predicted] counts) is of the test part when there is one.
    accuracy: float | None = None
    test_loss: float | None = None
    test_accuracy: float | None = None
    confusion: list[list[int]] | None = None
    weights: WeightsFrame | None = Field(None, exclude_if=_absent)  # on some frames only (Experiment.frame)


class Frame(BaseModel):
    type: Literal["frame"] = "frame"
    step: int
    runs: list[RunFrame]


def empty_run_frame(run_id: str, kind: str) -> RunFrame:
    """A run that diverged before it had one finite frame."""
    return RunFrame(id=run_id, kind=kind, status="diverged", converged_at=None, loss=None, outputs=[],
                    max_error=None, layers=[], output=OutputFrame())


def norms(arrays: list[np.ndarray]) -> list[float]:
    """np.linalg.norm of each vector or matrix, the same numbers: the square root of its BLAS dot product (a sum
    in another order would differ in the last digit), all square roots in one call."""
    squares = [x.dot(x) for x in (a.ravel() for a in arrays)]
    return np.sqrt(np.array(squares, dtype=arrays[0].dtype)).tolist()


@functools.lru_cache(maxsize=64)
def _histogram_plan(sizes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For arrays of these sizes laid end to end: where each starts, each value's array, and each value's first
    bin in one bincount (array i's bins at i·HISTOGRAM_BINS)."""
    array_of = np.repeat(np.arange(len(sizes)), sizes)
    return np.cumsum((0, *sizes[:-1])), array_of, array_of * HISTOGRAM_BINS


@functools.lru_cache(maxsize=4)
def _smallest_positive(dtype: np.dtype) -> float:
    return float(np.finfo(dtype).smallest_subnormal)


def histograms(arrays: list[np.ndarray]) -> list[dict]:
    """Each array's Histogram (its fields): np.histogram's HISTOGRAM_BINS bins over [-max |value|, max |value|],
    the last one closed; an all-zero array's values in the middle bin. Every array in one pass, as one bincount:
    on the small arrays of a frame, the cost is the number of NumPy calls."""
    starts, array_of, first_bin = _histogram_plan(tuple(a.size for a in arrays))
    values = np.concatenate([a.ravel() for a in arrays])
    largest = np.maximum.reduceat(np.abs(values), starts)
    # All zeros over the smallest positive number: 0, the middle bin. Every other largest stays as it is.
    scale = np.maximum(largest, _smallest_positive(values.dtype))[array_of]
    # (v / largest + 1) · HISTOGRAM_BINS / 2 is never negative: truncation is the floor.
    bins = ((values / scale + 1.0) * (HISTOGRAM_BINS / 2)).astype(np.intp)
    np.minimum(bins, HISTOGRAM_BINS - 1, out=bins)  # v = largest closes the last bin
    bins += first_bin
    counts = np.bincount(bins, minlength=len(arrays) * HISTOGRAM_BINS).reshape(len(arrays), HISTOGRAM_BINS)
    return [{"max_abs": m, "counts": c} for m, c in zip(largest.tolist(), counts.tolist())]


def output_jacobian(output: OutputLayer, a: np.ndarray) -> np.ndarray:
    """output.activation_jacobian(a[None])[0], the same numbers, for one example: diag(a) − a aᵀ for softmax, the
    diagonal a(1 − a) for sigmoid, the identity for a linear output; a few calls where the general rule makes
    two einsums with an identity matrix."""
    eye = _identity(len(a), a.dtype)
    if output.activation == "softmax":
        return eye * a - np.multiply.outer(a, a)  # a ≥ 0: eye · a is diag(a) with +0 off the diagonal
    return eye * (a * (1.0 - a)) if output.activation == "sigmoid" else eye.copy()


@functools.lru_cache(maxsize=16)
def _identity(size: int, dtype: np.dtype) -> np.ndarray:
    identity = np.eye(size, dtype=dtype)
    identity.flags.writeable = False  # shared by every frame
    return identity


class LayerStats(NamedTuple):
    saturated_fraction: float
    mean_abs_activation: float


def layer_stats(net: Network, fwd: ForwardPass) -> list[LayerStats]:
    """The two numbers of app.nn.diagnostics.layer_diagnostics a frame shows, the same numbers: the share of
    σ'(z) below SATURATION_THRESHOLD and the mean |a| per layer, without the statistics a frame does not show."""
    stats, last = [], len(net.W) - 1
    for l in range(len(net.W)):
        z, a = fwd.zs[l], fwd.activations[l + 1]
        saturated = 0.0
        if l < last and net.hidden_activation not in ("linear", "leaky_relu"):  # these never stop the gradient
            saturated = np.count_nonzero(hidden_activation(net.hidden_activation).derivative(z, a)
                                         < SATURATION_THRESHOLD) / a.size
        elif l == last and net.output.activation != "linear":
            saturated = np.count_nonzero(a * (1.0 - a) < SATURATION_THRESHOLD) / a.size
        stats.append(LayerStats(saturated, float(np.add.reduce(np.abs(a), axis=None) / a.size)))
    return stats


@dataclass
class RunPasses:
    """What one run's frame numbers are built from."""
    id: str
    kind: str
    net: Network
    passes: tuple[ForwardPass, BackwardPass]  # as the run's trainer computes them (a mistake run's δ is the learner's)
    layer_stats: Callable[[Network, ForwardPass], list[LayerStats]] = layer_stats  # or recent ones
    loss: float | None = None  # of these passes, when the training step measured it already


def _finite_loss(run: RunPasses, Y: np.ndarray) -> float | None:
    """The run's loss, or None when the loss, an output or a δ is not a finite number (the run has diverged)."""
    fwd, bwd = run.passes
    loss = run.net.loss(fwd, Y) if run.loss is None else run.loss
    if np.isfinite(loss) and np.isfinite(fwd.output).all() and all(np.isfinite(d).all() for d in bwd.deltas):
        return loss
    return None


def _outer_products(deltas: np.ndarray, activations: np.ndarray) -> np.ndarray:
    """np.einsum("rni,rnj->rnij", deltas, activations), the same numbers: δ ⊗ a per run and example, ∂c/∂W of the
    output layer. einsum's products start from +0, which turns −0 into +0: so does adding 0."""
    products = deltas[..., None] * activations[..., None, :]
    products += 0.0
    return products


@functools.lru_cache(maxsize=64)
def _stacked_layout(runs: int, shapes: tuple[tuple[int, ...], ...]) -> list[tuple[int, int, tuple[int, ...]]]:
    """Blocks of `runs` arrays of each shape laid end to end: each block's start, stop and stacked shape."""
    layout, start = [], 0
    for shape in shapes:
        stop = start + runs * math.prod(shape)
        layout.append((start, stop, (runs, *shape)))
        start = stop
    return layout


def run_frames(runs: list[RunPasses], X: np.ndarray, Y: np.ndarray, example: int,
               weights: bool = False) -> list[dict | None]:
    """Each run's RunFrame fields (a dict to validate): loss, outputs, per-layer gradient summaries and the output
    layer's per-example numbers; None for a run where any of them is not a finite number (it has diverged).
    `weights`: carry every weight, bias and ∂C/∂W too (the passes must then be at the nets' current weights).
    The runs share their shapes: their numbers are computed stacked, run after run, and rounded in one pass."""
    if not runs:
        return []
    losses = [run.net.loss(run.passes[0], Y) if run.loss is None else run.loss for run in runs]
    net, R, N, L = runs[0].net, len(runs), len(X), len(runs[0].net.W)
    k, m = net.W[-1].shape
    rows = min(N, MAX_PER_EXAMPLE_ROWS, MAX_PER_EXAMPLE_NUMBERS // (k * m))
    fwds, bwds = [run.passes[0] for run in runs], [run.passes[1] for run in runs]
    # Every run's outputs, every run's δ of each layer, every run's last hidden activations of the examples
    # shown: one array, so that one call checks them all and each block is a view (runs, examples, units).
    pieces = [fwd.output for fwd in fwds]
    for l in range(L):
        pieces += [bwd.deltas[l] for bwd in bwds]
    pieces += [fwd.activations[L - 1][:rows] for fwd in fwds]
    numbers = np.concatenate([x.ravel() for x in pieces])
    layout = _stacked_layout(R, tuple(x.shape for x in pieces[::R]))
    if not (all(map(math.isfinite, losses)) and np.isfinite(numbers[: layout[L][1]]).all()):
        finite = [_finite_loss(run, Y) is not None for run in runs]  # rare: find the runs that diverged
        if not any(finite):
            return [None] * R
        bodies = iter(run_frames([run for run, ok in zip(runs, finite) if ok], X, Y, example, weights))
        return [next(bodies) if ok else None for ok in finite]
    outputs, *deltas, activations = [numbers[start:stop].reshape(shape) for start, stop, shape in layout]
    # Per layer, every run's mean δ; then ‖∂C/∂W‖, ‖∂C/∂b‖ and ‖mean δ‖ per run and layer, in that order.
    means = [np.add.reduce(d, axis=1) / N for d in deltas]
    norms_of = iter(norms([x for i, bwd in enumerate(bwds) for l in range(L)
                           for x in (bwd.grad_W[l], bwd.grad_b[l], means[l][i])]))
    grad_histograms = iter(histograms([gW for bwd in bwds for gW in bwd.grad_W]))
    max_errors = np.maximum.reduce(np.abs(outputs - Y), axis=(1, 2)).tolist()
    n_shown = min(N, MAX_OUTPUT_EXAMPLES)
    arrays = [outputs[:, :n_shown], deltas[-1][:, :n_shown],
              _outer_products(deltas[-1][:, :rows], activations),
              *(output_jacobian(run.net.output, outputs[i, example]) for i, run in enumerate(runs))]
    mistaken = [i for i, run in enumerate(runs) if run.net.output.elementwise_mistake]
    # Beside the mistake, what the right rule (the whole Jacobian) would have given.
    arrays += [runs[i].net.output.delta_general(outputs[i, :n_shown], Y[:n_shown]) for i in mistaken]
    for run in runs if weights else ():
        arrays += [*run.net.W, *run.net.b, *run.passes[1].grad_W]
    rounded = rounded_all(arrays)
    shown, delta, per_example_grad_W = rounded[:3]
    jacobians, rest = rounded[3 : 3 + R], iter(rounded[3 + R :])
    delta_correct = {i: next(rest) for i in mistaken}
    bodies = []
    for i, run in enumerate(runs):
        layers = [
            {"grad_W_norm": next(norms_of), "grad_b_norm": next(norms_of), "delta_mean_norm": next(norms_of),
             "histogram": next(grad_histograms), "saturated_fraction": stats.saturated_fraction,
             "mean_abs_activation": stats.mean_abs_activation}
            for stats in run.layer_stats(run.net, fwds[i])
        ]
        output = {"delta": delta[i], "jacobian": jacobians[i], "example": example,
                  "per_example_grad_W": per_example_grad_W[i] if rows else None}
        if i in delta_correct:
            output["delta_correct"] = delta_correct[i]
        body = {"id": run.id, "kind": run.kind, "status": "training", "converged_at": None, "loss": losses[i],
                "outputs": shown[i], "max_error": max_errors[i], "layers": layers, "output": output}
        if weights:
            W, b, grad_W = ([next(rest) for _ in range(L)] for _ in range(3))
            # Not validated (they are floats already): validating every number was half a weights frame's cost.
            body["weights"] = WeightsFrame.model_construct(W=W, b=b, grad_W=grad_W)
        bodies.append(body)
    return bodies


def run_frame(run_id: str, kind: str, net: Network, X: np.ndarray, Y: np.ndarray, example: int,
              passes: tuple[ForwardPass, BackwardPass] | None = None,
              layer_stats: Callable[[Network, ForwardPass], list[LayerStats]] = layer_stats,
              weights: bool = False) -> RunFrame | None:
    """One run's frame (run_frames); `passes`: the trainer's, else the exact ones."""
    body, = run_frames([RunPasses(run_id, kind, net, passes or net.gradients(X, Y), layer_stats)], X, Y, example,
                       weights)
    return None if body is None else RunFrame.model_validate(body)


def boundary_extent(X: np.ndarray) -> tuple[float, float, float, float]:
    """x_min, x_max, y_min, y_max around 2-D inputs, with a margin so the points are not on the edge."""
    low, high = X.min(axis=0), X.max(axis=0)
    margin = np.maximum((high - low) * 0.15, 0.25)
    return float(low[0] - margin[0]), float(high[0] + margin[0]), float(low[1] - margin[1]), float(high[1] + margin[1])


def boundary_points(extent: tuple[float, float, float, float], size: int) -> np.ndarray:
    """Grid points, row 0 at the top (y_max), as a canvas draws them: shape (size * size, 2)."""
    x_min, x_max, y_min, y_max = extent
    xs = np.linspace(x_min, x_max, size)
    ys = np.linspace(y_max, y_min, size)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def grid_activations(net: Network, points: np.ndarray) -> list[np.ndarray]:
    """Every layer's activations over grid points, units as rows and points as columns: net.forward(points), the
    same numbers, transposed. A softmax's max and sum over a row of 2 or 3 classes are then elementwise operations
    on whole columns, not thousands of tiny reductions (a 40 × 40 grid of the default network: ~135 µs with
    Network.forward, ~45 µs so), and each hidden unit's map is one contiguous row."""
    a_t, layers = points.T, []
    last = len(net.W) - 1
    for l, (W, b) in enumerate(zip(net.W, net.b)):
        z_t = W @ a_t
        z_t += b[:, None]
        a_t = net.output.activate(z_t.T).T if l == last else hidden_activation(net.hidden_activation).fn(z_t)
        layers.append(a_t)
    return layers


def grid_outputs(net: Network, points: np.ndarray) -> np.ndarray:
    """net.predict(points), the same numbers: one row per point."""
    return grid_activations(net, points)[-1].T


def boundary_frame(net: Network, points: np.ndarray, size: int, step: int, run_index: int) -> bytes:
    """Binary frame: b"BLB1", u32 step, u16 run index, u16 classes, u16 width, u16 height (little-endian),
    then float32 outputs [height][width][classes]."""
    outputs = grid_outputs(net, points).astype("<f4")
    header = BOUNDARY_MAGIC + struct.pack("<IHHHH", step, run_index, outputs.shape[1], size, size)
    return header + outputs.tobytes()


def neuron_maps_frame(net: Network, points: np.ndarray, size: int, step: int, run_index: int) -> bytes:
    """Binary frame of every hidden unit's activation over the grid, layer by layer: b"BLN1", u32 step, u16 run
    index, u16 units, u16 width, u16 height (little-endian), then float32 activations [units][height][width]."""
    maps = grid_activations(net, points)[:-1]
    activations = np.concatenate(maps).astype("<f4") if maps else np.zeros((0, len(points)), "<f4")
    header = NEURON_MAPS_MAGIC + struct.pack("<IHHHH", step, run_index, len(activations), size, size)
    return header + activations.tobytes()
