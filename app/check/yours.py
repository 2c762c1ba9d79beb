"""The learner's numbers, read in whatever layout their code uses, and turned into the engine's.

The engine keeps examples as rows; many learners (Nielsen's book among them) keep one example as a column
vector (n, 1) and several as (n, N). Row-layout code often computes ∂C/∂W as aᵀ δ, which is (n_in, n_out).
Nielsen's backprop returns `nabla_b` and `nabla_w` lists instead of per-layer entries. None of these is a
mistake: each is read, turned into the engine's layout, and recorded as a layout note.

How a grad_W is read is decided here and only here: a non-square one by its shape; a square one, whose shape
cannot tell, the way the learner's non-square grad_W arrays read (as given when there are none, or when they
disagree). A second call's numbers (yours_again) are read the way the first call's are; `backprop-lab check`
reads the square ones of a case the way its code's non-square arrays read on every case (`square_transposed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

PER_EXAMPLE = ("z", "a", "delta")  # per layer, one value per example and unit
LAYER_QUANTITIES = ("z", "a", "delta", "grad_W", "grad_b")

# How an interpretation reads the per-example arrays: examples as rows or columns.
EXAMPLE_LAYOUTS = ("rows", "columns")

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
    examples: str = "rows"  # how the per-example arrays were read: "rows" or "columns"
    transposed: frozenset[Key] = frozenset()  # the grad_W arrays read as their transpose


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


def _shapes(key: Key, units: list[int], n_examples: int, examples: str,
            transposed: bool = False) -> list[tuple[int, ...]]:
    """The shapes `key` may have when examples are `examples` and (grad_W) read `transposed`, engine's first."""
    quantity, layer = key
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
    return [(n_in, n_out)] if transposed else [(n_out, n_in)]


def allowed_shapes(key: Key, units: list[int], n_examples: int) -> list[tuple[int, ...]]:
    return list(dict.fromkeys(s for examples in EXAMPLE_LAYOUTS for transposed in (False, True)
                              for s in _shapes(key, units, n_examples, examples, transposed)))


def transposed_by_shape(shape: tuple[int, ...], n_in: int, n_out: int) -> bool | None:
    """Whether a grad_W of this shape is (n_in, n_out); None when a square shape cannot tell."""
    return None if n_in == n_out else tuple(shape) == (n_in, n_out)


def square_reading(readings: list[bool | None]) -> bool | None:
    """How square grad_W arrays read, from the non-square ones' readings: None when none tell, or they disagree."""
    told = set(r for r in readings if r is not None)
    return told.pop() if len(told) == 1 else None


def grad_w_transposed(givens: list[Given], units: list[int],
                      square_transposed: bool | None = None) -> dict[int, bool]:
    """Per layer with a grad_W: read as its transpose? Non-square by shape; square ones follow the non-square
    (else `square_transposed`, else as given)."""
    read = {layer: transposed_by_shape(array.shape, units[layer], units[layer + 1])
            for given in givens for (quantity, layer), array in given.arrays.items() if quantity == "grad_W"}
    square = square_reading(list(read.values()))
    square = bool(square if square is not None else square_transposed)
    return {layer: square if t is None else t for layer, t in read.items()}


def interpretations(given: Given, units: list[int], n_examples: int, again: Given | None = None,
                    square_transposed: bool | None = None) -> Iterator[tuple[Read, Read | None]]:
    """Every way of reading the arrays (and the second call's, the same way) that fits all their shapes, the
    engine's own layout first. Raises YoursError at the first array that fits no layout, or that contradicts the
    others."""
    givens = [given] + ([again] if again else [])
    transposed = grad_w_transposed(givens, units, square_transposed)

    def fits(g: Given, examples: str) -> bool:
        return all(a.shape in _shapes(key, units, n_examples, examples, transposed.get(key[1], False))
                   for key, a in g.arrays.items())

    fitting = [e for e in EXAMPLE_LAYOUTS if all(fits(g, e) for g in givens)]
    if not fitting:
        raise _shape_error(givens, units, n_examples, transposed)
    for examples in fitting:
        yield (_read(given, units, examples, transposed),
               _read(again, units, examples, transposed) if again else None)


def _shape_error(givens: list[Given], units: list[int], n_examples: int,
                 transposed: dict[int, bool]) -> YoursError:
    entries = [(key, array, g.locs[key]) for g in givens for key, array in g.arrays.items()]

    def layouts(key: Key, array: np.ndarray) -> list[str]:
        return [e for e in EXAMPLE_LAYOUTS
                if array.shape in _shapes(key, units, n_examples, e, transposed.get(key[1], False))]

    for key, array, loc in entries:
        if not layouts(key, array):
            shapes = " or ".join(str(list(s)) for s in allowed_shapes(key, units, n_examples))
            return YoursError(loc, f"has shape {list(array.shape)}; for this model and {n_examples} example(s) it "
                                   f"must be {shapes}")
    # Every array fits some layout, but not the same one: name the first that disagrees with the first array.
    first_key, first_array, first_loc = entries[0]
    first_layouts = layouts(first_key, first_array)
    for key, array, loc in entries:
        if not set(layouts(key, array)) & set(first_layouts):
            return YoursError(loc, f"has shape {list(array.shape)}, which puts the examples the other way round "
                                   f"from {_where(first_loc)}: use one layout (one row per example, or one column "
                                   f"per example) throughout")
    return YoursError(first_loc[:1], "the arrays' shapes do not fit one layout")


def _where(loc: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(loc))


def _read(given: Given, units: list[int], examples: str, grad_w_transposed: dict[int, bool]) -> Read:
    arrays: dict[Key, np.ndarray] = {}
    notes: list[str] = []
    transposed: set[Key] = set()
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
            if grad_w_transposed[layer]:
                notes.append(GRAD_W_TRANSPOSED)
                transposed.add((quantity, layer))
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
    return Read(arrays, sorted(set(notes), key=[COLUMN_VECTORS, GRAD_W_TRANSPOSED, NIELSEN_NABLAS].index),
                examples, frozenset(transposed))
