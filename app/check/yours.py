"""The learner's numbers, read in whatever layout their code uses, and turned into the engine's.

The engine keeps examples as rows; many learners (Nielsen's book among them) keep one example as a column
vector (n, 1) and several as (n, N). Row-layout code often computes ∂C/∂W as aᵀ δ, which is (n_in, n_out).
Nielsen's backprop returns `nabla_b` and `nabla_w` lists instead of per-layer entries. None of these is a
mistake: each is read, turned into the engine's layout, and recorded as a layout note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

PER_EXAMPLE = ("z", "a", "delta")  # per layer, one value per example and unit
LAYER_QUANTITIES = ("z", "a", "delta", "grad_W", "grad_b")

# How an interpretation reads the arrays: examples as rows or columns, grad_W as given or transposed.
EXAMPLE_LAYOUTS = ("rows", "columns")
GRAD_W_LAYOUTS = ("as_given", "transposed")
INTERPRETATIONS = [(e, w) for w in GRAD_W_LAYOUTS for e in EXAMPLE_LAYOUTS]

# Layout note ids: ways of writing the right numbers that are not mistakes.
COLUMN_VECTORS = "column_vectors"
GRAD_W_TRANSPOSED = "grad_W_transposed"
NIELSEN_NABLAS = "nielsen_nablas"

Key = tuple[str, int | None]  # (quantity, weight layer); loss and outputs have no layer


class YoursError(ValueError):
    """Numbers that cannot be read for this model; `loc` names the argument and the place in it, e.g.
    ("yours", "layers", 0, "z") or ("yours_again", "nabla_w", 1)."""

    def __init__(self, loc: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


@dataclass
class Given:
    """What the learner gave, still in their layout: arrays keyed by (quantity, layer), and where each came from."""

    arrays: dict[Key, np.ndarray]
    locs: dict[Key, tuple[str | int, ...]]
    nielsen: bool


@dataclass
class Read:
    """The learner's numbers in the engine's layout, under one interpretation, with the notes it implies."""

    arrays: dict[Key, np.ndarray]
    notes: list[str]


def _has_bool(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_has_bool(v) for v in value)
    return isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype == bool)


def _array(value: Any, loc: tuple[str | int, ...]) -> np.ndarray:
    if _has_bool(value):
        raise YoursError(loc, "true and false are not numbers")
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise YoursError(loc, "not an array of numbers (are some rows longer than others?)") from None
    if not np.isfinite(array).all():
        raise YoursError(loc, "NaN and Infinity are not allowed; every number must be finite")
    if array.ndim > 2:
        raise YoursError(loc, f"an array with {array.ndim} dimensions; at most 2 are expected")
    return array


def gather(yours: dict[str, Any], n_layers: int, name: str = "yours") -> Given:
    """Collect every array the learner gave (`name`: which argument, for error locations). Absent and null parts
    are simply not compared."""
    arrays: dict[Key, np.ndarray] = {}
    locs: dict[Key, tuple[str | int, ...]] = {}

    def put(key: Key, value: Any, *where: str | int) -> None:
        if value is None:
            return
        loc = (name, *where)
        if key in arrays:
            raise YoursError(loc, f"{key[0]} of layer {key[1]} is given twice (in layers and in a nabla list)")
        arrays[key], locs[key] = _array(value, loc), loc

    put(("loss", None), yours.get("loss"), "loss")
    put(("outputs", None), yours.get("outputs"), "outputs")
    layers = yours.get("layers") or []
    if len(layers) not in (0, n_layers):
        raise YoursError((name, "layers"), f"the model has {n_layers} weight layers, so layers needs {n_layers} "
                                           f"entries (input side first; an empty entry for a layer you have no "
                                           f"numbers for), not {len(layers)}")
    for l, layer in enumerate(layers):
        for quantity in LAYER_QUANTITIES:
            put((quantity, l), (layer or {}).get(quantity), "layers", l, quantity)
    nielsen = False
    for nabla, quantity in (("nabla_w", "grad_W"), ("nabla_b", "grad_b")):
        entries = yours.get(nabla)
        if entries is None:
            continue
        nielsen = True
        if len(entries) != n_layers:
            raise YoursError((name, nabla), f"the model has {n_layers} weight layers, so {nabla} needs {n_layers} "
                                            f"entries (input side first), not {len(entries)}")
        for l, value in enumerate(entries):
            put((quantity, l), value, nabla, l)
    if not arrays:
        raise YoursError((name,), "no numbers to compare: give at least one of loss, outputs, or a layer's z, a, "
                                  "delta, grad_W or grad_b")
    return Given(arrays, locs, nielsen)


def _shapes(key: Key, units: list[int], n_examples: int, layout: tuple[str, str]) -> list[tuple[int, ...]]:
    """The shapes `key` may have under an interpretation, the engine's own shape first."""
    quantity, layer = key
    examples, grad_W = layout
    if quantity == "loss":
        return [(), (1,), (1, 1)]
    if quantity in PER_EXAMPLE or quantity == "outputs":
        n = units[-1] if quantity == "outputs" else units[layer + 1]
        shape = (n_examples, n) if examples == "rows" else (n, n_examples)
        return [shape, (n,)] if n_examples == 1 else [shape]
    n_out = units[layer + 1]
    if quantity == "grad_b":
        return [(n_out,), (n_out, 1), (1, n_out)]
    n_in = units[layer]
    return [(n_out, n_in)] if grad_W == "as_given" else [(n_in, n_out)]


def allowed_shapes(key: Key, units: list[int], n_examples: int) -> list[tuple[int, ...]]:
    return list(dict.fromkeys(s for layout in INTERPRETATIONS for s in _shapes(key, units, n_examples, layout)))


def interpretations(given: Given, units: list[int], n_examples: int) -> Iterator[Read]:
    """Every way of reading the arrays that fits all their shapes, the engine's own layout first.
    Raises YoursError at the first array that fits no layout, or that contradicts the others."""
    fitting = []
    for layout in INTERPRETATIONS:
        if all(a.shape in _shapes(key, units, n_examples, layout) for key, a in given.arrays.items()):
            fitting.append(layout)
    if not fitting:
        raise _shape_error(given, units, n_examples)
    for layout in fitting:
        yield _read(given, units, n_examples, layout)


def _shape_error(given: Given, units: list[int], n_examples: int) -> YoursError:
    for key, array in given.arrays.items():
        allowed = allowed_shapes(key, units, n_examples)
        if array.shape not in allowed:
            shapes = " or ".join(str(list(s)) for s in allowed)
            return YoursError(given.locs[key], f"has shape {list(array.shape)}; for this model and "
                                               f"{n_examples} example(s) it must be {shapes}")
    # Every array fits some layout, but not the same one: name the first that disagrees with the first array.
    first_key = next(iter(given.arrays))
    layouts = [lay for lay in INTERPRETATIONS if given.arrays[first_key].shape in _shapes(first_key, units,
                                                                                          n_examples, lay)]
    for key, array in given.arrays.items():
        if not any(array.shape in _shapes(key, units, n_examples, lay) for lay in layouts):
            return YoursError(given.locs[key], f"has shape {list(array.shape)}, which puts the examples the other "
                                               f"way round from {_where(given.locs[first_key])}: use one layout "
                                               f"(one row per example, or one column per example) throughout")
    return YoursError(given.locs[first_key][:1], "the arrays' shapes do not fit one layout")


def _where(loc: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(loc))


def _read(given: Given, units: list[int], n_examples: int, layout: tuple[str, str]) -> Read:
    examples, grad_W = layout
    arrays: dict[Key, np.ndarray] = {}
    notes: list[str] = []
    for (quantity, layer), array in given.arrays.items():
        if quantity == "loss":
            arrays[(quantity, layer)] = array.reshape(())
            continue
        if quantity == "grad_b":
            if array.ndim == 2 and array.shape[0] > 1:
                notes.append(COLUMN_VECTORS)
            arrays[(quantity, layer)] = array.reshape(-1)
            continue
        if quantity == "grad_W":
            if grad_W == "transposed":
                notes.append(GRAD_W_TRANSPOSED)
                array = array.T
            arrays[(quantity, layer)] = array
            continue
        n = units[-1] if quantity == "outputs" else units[layer + 1]
        if array.ndim == 1:
            array = array.reshape(1, n)
        elif examples == "columns":
            if array.shape != (1, 1):
                notes.append(COLUMN_VECTORS)
            array = array.T
        arrays[(quantity, layer)] = array
    if given.nielsen:
        notes.append(NIELSEN_NABLAS)
    return Read(arrays, sorted(set(notes), key=[COLUMN_VECTORS, GRAD_W_TRANSPOSED, NIELSEN_NABLAS].index))
