"""What a frame shows of one run, and the decision-boundary grid, computed at the run's current weights."""

from __future__ import annotations

import struct
from typing import Callable, Literal

import numpy as np
from pydantic import BaseModel, Field

from app.nn import BackwardPass, ForwardPass, Network
from app.nn.activations import hidden_activation
from app.nn.diagnostics import LayerDiagnostics, layer_diagnostics

HISTOGRAM_BINS = 16
MAX_OUTPUT_EXAMPLES = 32  # more would make frames too large to send 30 times a second (2-D sets show the boundary)
MAX_PER_EXAMPLE_NUMBERS = 512  # budget for the per-example output-layer gradients in one frame
MAX_PER_EXAMPLE_ROWS = 8
BOUNDARY_MAGIC = b"BLB1"
NEURON_MAPS_MAGIC = b"BLN1"
SIGNIFICANT_DIGITS = 7  # of the arrays in a frame: the dashboard shows 3, /api/backprop gives all 17


def rounded_all(arrays: list[np.ndarray]) -> list[list]:
    """Each array's tolist(), rounded to SIGNIFICANT_DIGITS significant digits, which JSON writes in about half
    the characters (0.1234568 rather than 0.12345678901234568): frames of a 64-input network stay small. All arrays
    are rounded in one pass: on the small arrays of a frame, the cost is the number of NumPy calls."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    a = np.concatenate([x.ravel() for x in arrays])
    size = np.abs(a)
    roundable = (size > 1e-15) & (size < 1e15)  # where 10**k stays an exact power of ten
    k = SIGNIFICANT_DIGITS - 1 - np.floor(np.log10(np.where(roundable, size, 1.0)))
    # Scale by an exact power of ten, 10**|k|, so the result is the double nearest the rounded decimal.
    up, down = 10.0 ** np.maximum(k, 0), 10.0 ** np.maximum(-k, 0)
    flat = np.where(roundable, np.round(a * up / down) * down / up, a)
    parts, start = [], 0
    for x in arrays:  # slices rather than np.split, a Python function of a dozen calls
        parts.append(flat[start : start + x.size].reshape(x.shape).tolist())
        start += x.size
    return parts


def _norm(values: np.ndarray) -> float:
    """np.linalg.norm of a vector or matrix, the same number, in two NumPy calls instead of a dozen."""
    flat = values.ravel()
    return float(np.sqrt(flat.dot(flat)))


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


def _histogram(values: np.ndarray) -> Histogram:
    largest = float(np.abs(values).max()) if values.size else 0.0
    if largest == 0.0:
        counts = np.zeros(HISTOGRAM_BINS, dtype=int)
        counts[HISTOGRAM_BINS // 2] = values.size
    else:
        # np.histogram's bins over [-largest, largest] (the last one closed), in a few calls instead of its dozens.
        bins = np.floor((values.ravel() / largest + 1.0) * (HISTOGRAM_BINS / 2)).astype(np.intp)
        counts = np.bincount(np.minimum(bins, HISTOGRAM_BINS - 1), minlength=HISTOGRAM_BINS)
    return Histogram(max_abs=largest, counts=counts.tolist())


def run_frame(run_id: str, kind: str, net: Network, X: np.ndarray, Y: np.ndarray, example: int,
              passes: tuple[ForwardPass, BackwardPass] | None = None,
              layer_stats: Callable[[Network, ForwardPass], list[LayerDiagnostics]] = layer_diagnostics,
              weights: bool = False) -> RunFrame | None:
    """Loss, outputs, per-layer gradient summaries and the output layer's per-example numbers of a training run;
    None when any of them is not a finite number (the run has diverged). `passes`: the forward and backward
    passes as the run's trainer computes them (a mistake run's δ is the learner's), else the exact ones.
    `layer_stats`: saturation and activation size per layer (a caller may give recent ones instead).
    `weights`: carry every weight, bias and ∂C/∂W too (the passes must then be at the net's current weights)."""
    fwd, bwd = passes or net.gradients(X, Y)
    loss = net.loss(fwd, Y)
    if not (np.isfinite(loss) and np.isfinite(fwd.output).all()
            and all(np.isfinite(d).all() for d in bwd.deltas)):
        return None
    stats_per_layer = layer_stats(net, fwd)
    layers = [
        LayerFrame(grad_W_norm=_norm(gW), grad_b_norm=_norm(gb),
                   delta_mean_norm=_norm(np.add.reduce(d, axis=0) / len(d)), histogram=_histogram(gW),
                   saturated_fraction=stats.saturated_fraction, mean_abs_activation=stats.mean_abs_activation)
        for gW, gb, d, stats in zip(bwd.grad_W, bwd.grad_b, bwd.deltas, stats_per_layer)
    ]
    last = len(net.W) - 1
    k, m = net.W[last].shape
    rows = min(len(X), MAX_PER_EXAMPLE_ROWS, MAX_PER_EXAMPLE_NUMBERS // (k * m))
    n_shown = min(len(X), MAX_OUTPUT_EXAMPLES)
    a = fwd.output
    selected = a[example : example + 1]
    arrays = {
        "outputs": a[:n_shown],
        "delta": bwd.deltas[last][:n_shown],
        "per_example_grad_W": np.einsum("ni,nj->nij", bwd.deltas[last][:rows], fwd.activations[last][:rows]),
        "jacobian": net.output.activation_jacobian(selected)[0],
    }
    if net.output.elementwise_mistake:
        # Beside the mistake, what the right rule (the whole Jacobian) would have given.
        arrays["delta_correct"] = net.output.delta_general(a[:n_shown], Y[:n_shown])
    layers_w = range(len(net.W)) if weights else range(0)
    for l in layers_w:  # rounded in the same pass as the rest
        arrays[f"W{l}"], arrays[f"b{l}"], arrays[f"grad_W{l}"] = net.W[l], net.b[l], bwd.grad_W[l]
    rounded = dict(zip(arrays, rounded_all(list(arrays.values()))))
    output = {name: rounded[name] for name in ("delta", "jacobian", "delta_correct") if name in rounded}
    output = OutputFrame(**output, per_example_grad_W=rounded["per_example_grad_W"] if rows else None,
                         example=example)
    # Built without validation (they are floats already): validating every number was half a weights frame's cost.
    weights_frame = WeightsFrame.model_construct(
        W=[rounded[f"W{l}"] for l in layers_w], b=[rounded[f"b{l}"] for l in layers_w],
        grad_W=[rounded[f"grad_W{l}"] for l in layers_w]) if weights else None
    return RunFrame(id=run_id, kind=kind, status="training", converged_at=None, loss=loss,
                    outputs=rounded["outputs"], max_error=float(np.abs(a - Y).max()), layers=layers, output=output,
                    weights=weights_frame)


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
