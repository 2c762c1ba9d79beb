"""The child process of `backprop-lab check`: import the learner's file, call their backprop (and their
update_mini_batch, when their class has one), write numbers.

Run as `python -P runner.py REQUEST.json RESULT.json` (never imported by the CLI, which only starts it):
-P keeps this folder off sys.path, so a learner's `import cases` cannot find ours. Only the standard library
and NumPy are used here, and only plain numbers (JSON) go back: the parent never unpickles anything.
Their prints go to this process's stdout and stderr, which the parent captures; RESULT.json is ours alone.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
import traceback
import warnings

import numpy as np

MAX_VALUES = 100_000  # an array this large is a wrong shape anyway; send its shape, not its numbers


class Problem(Exception):
    """Something about the learner's code that stops the check; `fields` go to the parent as they are."""

    def __init__(self, problem: str, **fields):
        super().__init__(problem)
        self.fields = {"problem": problem, **fields}


def _their_frame(tb, folder: str) -> dict | None:
    """The innermost traceback frame in the learner's own files (their folder, not an installed library)."""
    found = None
    for frame in traceback.extract_tb(tb):
        path = os.path.abspath(frame.filename)
        if path.startswith(folder + os.sep) and "site-packages" not in path:
            found = {"file": os.path.relpath(path, folder), "line": frame.lineno, "code": (frame.line or "").strip()}
    return found


def _raised(e: BaseException, during: str, folder: str) -> Problem:
    error = traceback.format_exception_only(type(e), e)[-1].strip()
    return Problem("raised", during=during, error=error, where=_their_frame(e.__traceback__, folder))


def _import(path: str, folder: str):
    sys.path.insert(0, folder)  # their own imports (a helper module beside the file) work as in their script
    name = "learner_" + "".join(c if c.isalnum() else "_" for c in os.path.splitext(os.path.basename(path))[0])
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise Problem("import_error", error=f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        where = {"file": os.path.basename(e.filename or path), "line": e.lineno, "code": (e.text or "").strip()}
        raise Problem("syntax_error", error=f"{type(e).__name__}: {e.msg}", where=where) from None
    except ImportError as e:
        error = traceback.format_exception_only(type(e), e)[-1].strip()
        raise Problem("import_error", error=error, where=_their_frame(e.__traceback__, folder)) from None
    except BaseException as e:  # noqa: BLE001 - anything their module raises at import (KeyboardInterrupt too)
        raise _raised(e, "import", folder) from None
    return module


def _own(module, thing) -> bool:
    return getattr(thing, "__module__", None) == module.__name__


def _find(module, class_name: str | None, function_name: str | None) -> tuple[str, str, object]:
    """("class" | "function", its name, the object): as told, else a class with backprop, else a function."""
    if class_name or function_name:
        name = class_name or function_name
        thing = getattr(module, name, None)
        wanted = "class" if class_name else "function"
        if thing is None or (wanted == "class") != inspect.isclass(thing) or not callable(thing):
            raise Problem("not_found", wanted=wanted, name=name)
        return wanted, name, thing
    classes = [c for _, c in inspect.getmembers(module, inspect.isclass) if _own(module, c) and hasattr(c, "backprop")]
    network = [c for c in classes if c.__name__ == "Network"]
    if network or len(classes) == 1:
        chosen = (network or classes)[0]
        return "class", chosen.__name__, chosen
    if len(classes) > 1:
        raise Problem("not_found", wanted="class", candidates=sorted(c.__name__ for c in classes))
    function = getattr(module, "backprop", None)
    if inspect.isfunction(function):
        return "function", "backprop", function
    raise Problem("not_found", wanted="either")


def _column(values) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(-1, 1)


def _array(value, what: str) -> dict:
    """One returned array as {"shape", "values"}, or a Problem saying what it was instead."""
    try:
        array = np.asarray(value)
        complex_objects = array.dtype.kind == "O" and any(isinstance(v, complex) for v in array.ravel())
        if array.dtype.kind in "cSUVMm" or complex_objects:  # casting would drop an imaginary part, or text
            raise Problem("not_real", what=what, dtype=str(array.dtype))
        array = array.astype(float)
    except (TypeError, ValueError):
        raise Problem("wrong_shapes", what=what, got=type(value).__name__) from None
    values = array.ravel().tolist() if array.size <= MAX_VALUES else None
    return {"shape": list(array.shape), "values": values}


def _gradients(result, what: str) -> dict:
    """(nabla_b, nabla_w), each a list of arrays, as plain numbers."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        got = f"{type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list)) \
            else type(result).__name__
        raise Problem("wrong_shapes", what=what, got=got)
    if any(isinstance(part, np.ndarray) and part.dtype != object for part in result):
        # two arrays, not two lists of arrays: one list (nabla_b alone?) of a two-layer network
        raise Problem("wrong_shapes", what=what, got=f"{type(result).__name__} of two arrays")
    out = {}
    for key, arrays in zip(("nabla_b", "nabla_w"), result):
        if not isinstance(arrays, (tuple, list, np.ndarray)):
            raise Problem("wrong_shapes", what=f"{what}: {key}", got=type(arrays).__name__)
        out[key] = [_array(a, f"{what}: {key}[{l}]") for l, a in enumerate(arrays)]
    return out


class Learner:
    """Their class or function, called with known weights and one example at a time."""

    def __init__(self, kind: str, name: str, thing, folder: str):
        self.kind, self.name, self.thing, self.folder = kind, name, thing, folder

    def _call(self, during: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - their code raising (anything) is a finding, with their line
            raise _raised(e, during, self.folder) from None

    def network(self, case: dict):
        """A fresh instance of their class, its random weights replaced by the case's."""
        net = self._call(f"{self.name}({case['layer_sizes']})", self.thing, list(case["layer_sizes"]))
        missing = [a for a in ("weights", "biases", "backprop") if not hasattr(net, a)]
        if missing:
            raise Problem("wrong_interface", name=self.name, missing=missing)
        net.weights = [np.array(W, dtype=float) for W in case["W"]]
        net.biases = [_column(b) for b in case["b"]]
        return net

    def backprop_twice(self, case: dict, x, y) -> list[dict]:
        """Their gradients for one example, from two calls on one instance (gradients_not_reset shows there)."""
        x, y = _column(x), _column(y)
        if self.kind == "class":
            net = self.network(case)
            call = lambda: self._call("backprop(x, y)", net.backprop, x.copy(), y.copy())  # noqa: E731
        else:
            weights = [np.array(W, dtype=float) for W in case["W"]]
            biases = [_column(b) for b in case["b"]]
            call = lambda: self._call(f"{self.name}(weights, biases, x, y)", self.thing,  # noqa: E731
                                      weights, biases, x.copy(), y.copy())
        return [_gradients(call(), f"{self.name}'s return value") for _ in range(2)]

    def has_update(self) -> bool:
        return self.kind == "class" and callable(getattr(self.thing, "update_mini_batch", None))

    def update(self, case: dict, eta: float) -> dict:
        """The weights and biases after their update_mini_batch(the whole case as one mini-batch, eta). Nielsen's
        network2.py also takes (lmbda, n): called with lmbda=0 (no regularisation) and n = the batch's size."""
        net = self.network(case)
        batch = [(_column(x), _column(y)) for x, y in zip(case["inputs"], case["labels"])]
        extra = _regularisation_arguments(net.update_mini_batch, len(batch))
        if extra is None:
            return {"skipped": "other_parameters", "parameters": _required(net.update_mini_batch)[2:]}
        during = "update_mini_batch(mini_batch, eta" + "".join(f", {k}={v:g}" for k, v in extra.items()) + ")"
        self._call(during, net.update_mini_batch, batch, eta, **extra)
        after = {"called_with": extra} if extra else {}
        for key in ("weights", "biases"):
            arrays = getattr(net, key, None)
            if not isinstance(arrays, (tuple, list)):
                raise Problem("wrong_shapes", what=f"{key} after update_mini_batch", got=type(arrays).__name__)
            after[key] = [_array(a, f"{key}[{l}] after update_mini_batch") for l, a in enumerate(arrays)]
        return after

    def output(self, case: dict, x) -> dict | None:
        """Their feedforward(x) for one example, when their class has one."""
        if self.kind != "class" or not callable(getattr(self.thing, "feedforward", None)):
            return None
        net = self.network(case)
        return _array(self._call("feedforward(x)", net.feedforward, _column(x)), "feedforward's return value")


def _required(method) -> list[str]:
    """The names of the parameters a call must give (self already bound)."""
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):  # a builtin or a C extension: assume Nielsen's two
        return ["mini_batch", "eta"]
    return [p.name for p in parameters if p.default is p.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _regularisation_arguments(method, batch_size: int) -> dict | None:
    """What to pass besides (mini_batch, eta): {} for network.py, network2.py's lmbda=0 and n, None for others."""
    extra = _required(method)[2:]
    if not extra:
        return {}
    if extra == ["lmbda", "n"]:
        return {"lmbda": 0.0, "n": batch_size}
    return None


def run(request: dict) -> dict:
    path = os.path.abspath(request["path"])
    folder = os.path.dirname(path)
    module = _import(path, folder)
    kind, name, thing = _find(module, request.get("class"), request.get("function"))
    learner = Learner(kind, name, thing, folder)
    cases = []
    for case in request["cases"]:
        examples = list(zip(case["inputs"], case["labels"]))
        try:
            calls = [learner.backprop_twice(case, x, y) for x, y in examples]
            outputs = [learner.output(case, x) for x, _ in examples]
            cases.append({"name": case["name"], "calls": calls,
                          "outputs": None if outputs[0] is None else outputs})
        except Problem as p:  # kept per case: code that fails on one shape may still run on another
            cases.append({"name": case["name"], **p.fields})
        if learner.has_update():
            try:
                cases[-1]["update"] = learner.update(case, request["eta"])
            except Problem as p:  # kept apart: backprop's numbers above still count
                cases[-1]["update"] = p.fields
    return {"kind": kind, "name": name, "cases": cases}


def main() -> None:
    request_path, result_path = sys.argv[1], sys.argv[2]
    with open(request_path) as f:
        request = json.load(f)
    folder = os.path.dirname(os.path.abspath(request["path"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = run(request)
        except Problem as p:
            result = p.fields
        except BaseException as e:  # noqa: BLE001 - what their objects raise inside our code: reported, no traceback
            result = _raised(e, "the check", folder).fields
    result["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})[:5]
    with open(result_path + ".part", "w") as f:
        json.dump(result, f)  # NaN stays NaN here; the parent checks every number before showing any
    os.replace(result_path + ".part", result_path)  # complete or absent: the parent trusts it once it exists
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # a thread their module started must not keep this process (and the check) waiting


if __name__ == "__main__":
    main()
