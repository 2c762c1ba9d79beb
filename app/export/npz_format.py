"""NumPy .npz: the arrays W0, b0, W1, b1, ... as `np.savez("model.npz", W0=..., b0=..., ...)` writes them.

W{l} has shape (n_out, n_in) and b{l} shape (n_out,), exactly as W[l] and b[l] in the model document. An .npz
holds only numbers, so the activations and the loss come with it: from the caller (the import's form fields), or
from optional string arrays named hidden_activation, output_activation and loss in the file.

Read from the bytes in memory, never with np.load: the zip is opened with `zipfile`, each .npy header is parsed by
numpy.lib.format (a Python literal, read with ast.literal_eval), and its dtype and shape are checked against the
limits before any data is read; the data becomes an array with np.frombuffer. Object arrays, the only ones that
hold pickles, are refused by their dtype, so nothing is ever unpickled. Every read asks for a known number of bytes
(a header at most NumPy's bound, then exactly the numbers the header declares, all arrays together within the
limits), never "the rest": a zip's declared sizes can lie, and a deflate stream of zeros grows a thousandfold.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from typing import Any

import numpy as np
from numpy.lib import format as npy

from app.export.errors import FormatError
from app.export.model_file import ModelFile
from app.nn import SizeLimits

ARCHITECTURE = ("hidden_activation", "output_activation", "loss")  # the optional string arrays
ARRAY_NAME = re.compile(r"^([Wb])(0|[1-9][0-9]{0,2})$")
NUMBER_KINDS = "fiu"  # floating point, or whole numbers (which become floats exactly up to 2**53)
MAX_NAME_CHARS = 64
# Without limits (the command line, on the user's own files), still a bound on what one file can make us allocate.
UNLIMITED = SizeLimits(layers=100, units=1_000_000, parameters=50_000_000)
NAMES_HELP = "the arrays are named W0, b0, W1, b1, ... (and optionally hidden_activation, output_activation, loss)"
HEADER_BYTES = 12 + 10_000  # magic, version, length, and NumPy's own bound on a header it parses safely


class _HeaderReader:
    """A zip entry's first bytes: any read past NumPy's header bound is refused before it is decompressed."""

    def __init__(self, fp: Any, name: str):
        self.fp, self.name, self.left = fp, name, HEADER_BYTES

    def read(self, n: int = -1) -> bytes:
        if n < 0 or n > self.left:
            raise FormatError((self.name,), f"{self.name} has a header longer than NumPy writes")
        data = self.fp.read(n)
        self.left -= len(data)
        return data


def _shape(shape: tuple[int, ...]) -> str:
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"


def _header(fp: Any, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    try:
        version = npy.read_magic(fp)
        if version == (1, 0):
            return npy.read_array_header_1_0(fp)
        if version == (2, 0):
            return npy.read_array_header_2_0(fp)
    except (ValueError, SyntaxError, TypeError, EOFError):
        pass
    raise FormatError((name,), f"{name} is not a NumPy .npy array that Backprop Lab can read (versions 1.0 and 2.0)")


def _check_dims(name: str, shape: tuple[int, ...]) -> None:
    # NumPy's header parser accepts negative sizes and booleans, which would make the byte count meaningless.
    if not all(type(d) is int and d >= 0 for d in shape):
        raise FormatError((name,), f"{name} has shape {shape}; every dimension must be a whole number, 0 or more")


def _check_dtype(name: str, dtype: np.dtype, shape: tuple[int, ...]) -> None:
    if dtype.hasobject:
        raise FormatError((name,), f"{name} holds Python objects (a pickle), which are never read; save the weights "
                                   "as a float64 array")
    if name in ARCHITECTURE:
        if dtype.kind != "U" or math.prod(shape) != 1 or dtype.itemsize > 4 * MAX_NAME_CHARS:
            raise FormatError((name,), f"{name} must be one short string, like np.array('sigmoid')")
    elif dtype.kind not in NUMBER_KINDS:
        raise FormatError((name,), f"{name} holds {dtype}; weights and biases must be numbers: float64, float32 or "
                                   "whole numbers")


def _check_shape(name: str, shape: tuple[int, ...], limits: SizeLimits) -> None:
    if name in ARCHITECTURE:
        return
    dims = 2 if name[0] == "W" else 1
    if len(shape) != dims:
        needs = "a 2-D array (n_out, n_in)" if dims == 2 else "a 1-D array (n_out,)"
        raise FormatError((name,), f"{name} has shape {shape}; it must be {needs}")
    if math.prod(shape) > limits.parameters or max(shape, default=0) > limits.units:
        raise FormatError((name,), f"{name} is {_shape(shape)}; a model may have at most {limits.units:,} units per "
                                   f"layer and {limits.parameters:,} weights and biases")


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, limits: SizeLimits,
          budget: list[int]) -> np.ndarray:
    """One array, its header checked before its data is read; `budget` is how many numbers the file may still hold."""
    with archive.open(member) as entry:
        shape, fortran_order, dtype = _header(_HeaderReader(entry, name), name)
        _check_dims(name, shape)
        _check_dtype(name, dtype, shape)
        _check_shape(name, shape, limits)
        if name not in ARCHITECTURE:
            if math.prod(shape) > budget[0]:
                raise FormatError((name,), f"{name} and the arrays before it hold more than {limits.parameters:,} "
                                           "weights and biases")
            budget[0] -= math.prod(shape)
        size = math.prod(shape) * dtype.itemsize
        data = entry.read(size)
    if len(data) != size:
        raise FormatError((name,), f"the file is cut short: {name} holds fewer numbers than its header says")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")


def _arrays(data: bytes, limits: SizeLimits) -> dict[str, np.ndarray]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FormatError((), "this is not an .npz file (a zip of .npy arrays, as np.savez writes)") from None
    with archive:
        members = archive.infolist()
        most = 2 * limits.layers + len(ARCHITECTURE)
        if len(members) > most:
            raise FormatError((), f"the file holds {len(members)} arrays; a model of at most {limits.layers} layers "
                                  f"has at most {most}")
        arrays: dict[str, np.ndarray] = {}
        budget = [limits.parameters]
        for member in members:
            name = member.filename.removesuffix(".npy")
            if not member.filename.endswith(".npy") or not (ARRAY_NAME.match(name) or name in ARCHITECTURE):
                raise FormatError((name[:40],), f"unexpected array {name[:40]!r}: {NAMES_HELP}")
            if name in arrays:
                raise FormatError((name,), f"the file holds {name} twice")
            try:
                arrays[name] = _read(archive, member, name, limits, budget)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
                raise FormatError((name,), f"{name} cannot be read: the zip entry is damaged, encrypted or "
                                           "compressed in a way Python's zipfile does not know") from None
    return arrays


def _layers(arrays: dict[str, np.ndarray], limits: SizeLimits) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """W and b as float64, one pair per layer, each W fitting the one before; FormatError names the array."""
    n_layers = sum(1 for name in arrays if name.startswith("W"))
    if n_layers == 0:
        raise FormatError(("W0",), f"the file has no array W0: {NAMES_HELP}")
    if n_layers > limits.layers:
        raise FormatError((), f"at most {limits.layers} weight layers are allowed; this file has {n_layers}")
    W, b = [], []
    for l in range(n_layers):
        for name in (f"W{l}", f"b{l}"):
            if name not in arrays:
                raise FormatError((name,), f"the file has no array {name}: {NAMES_HELP}, with no gaps")
        w, v = arrays[f"W{l}"], arrays[f"b{l}"]
        if l > 0 and w.shape[1] != W[-1].shape[0]:
            raise FormatError((f"W{l}",), f"W{l} is {_shape(w.shape)}; W{l - 1} has {W[-1].shape[0]} outputs, so "
                                          f"W{l} must be ({w.shape[0]}, {W[-1].shape[0]})")
        if v.shape != (w.shape[0],):
            raise FormatError((f"b{l}",), f"b{l} is {_shape(v.shape)}; W{l} has {w.shape[0]} outputs, so b{l} "
                                          f"must be ({w.shape[0]},)")
        W.append(w.astype(np.float64))
        b.append(v.astype(np.float64))
    extra = sorted(set(arrays) - {f"{k}{l}" for k in "Wb" for l in range(n_layers)} - set(ARCHITECTURE))
    if extra:
        raise FormatError((extra[0],), f"the file has {extra[0]} but no W{extra[0][1:]}: {NAMES_HELP}, with no gaps")
    if sum(w.size + v.size for w, v in zip(W, b)) > limits.parameters:
        raise FormatError((), f"at most {limits.parameters:,} weights and biases are allowed")
    for name, array in [*((f"W{l}", w) for l, w in enumerate(W)), *((f"b{l}", v) for l, v in enumerate(b))]:
        bad = np.argwhere(~np.isfinite(array))
        if bad.size:
            at = tuple(int(i) for i in bad[0])
            raise FormatError((name, *at), f"{name}[{', '.join(map(str, at))}] is {array[at]}; NaN and Infinity are "
                                           "not allowed, every weight and bias must be finite")
    return W, b


def from_npz(data: bytes, limits: SizeLimits | None = None,
             architecture: dict[str, str | None] | None = None) -> ModelFile:
    """The model document in an .npz, unchecked (read_model checks it). `architecture` gives hidden_activation,
    output_activation and loss; where it leaves one out, the file's string array of that name counts."""
    limits = limits or UNLIMITED
    arrays = _arrays(data, limits)
    W, b = _layers(arrays, limits)
    doc: dict[str, Any] = {"layer_sizes": [W[0].shape[1], *(w.shape[0] for w in W)]}
    given = {key: value for key, value in (architecture or {}).items() if value is not None}
    for key in ARCHITECTURE:
        if key in given:
            doc[key] = given[key]
        elif key in arrays:
            doc[key] = str(arrays[key].reshape(-1)[0])
    for key in ("output_activation", "loss"):
        if key not in doc:
            raise FormatError((key,), "an .npz holds only numbers: say which output layer and loss the weights were "
                                      "trained with (output_activation and loss, e.g. softmax and cross_entropy)")
    if len(W) > 1:
        doc.setdefault("hidden_activation", "sigmoid")  # the lab's default, and Nielsen's
    else:
        doc["hidden_activation"] = None
    doc["W"] = [w.tolist() for w in W]
    doc["b"] = [v.tolist() for v in b]
    return ModelFile(doc, "npz")
