"""Every dataset the lab offers, by name, and one checked way to load any of them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, Callable

import numpy as np

from .base import Data, DatasetError, DatasetSpec, Param, one_hot
from .csv_upload import parse_csv
from .digits import DIGITS, digits_available
from .features import FEATURES, Feature, expand
from .planar import PLANAR_SETS
from .regression import REGRESSION_SETS
from .toy import TOY_SETS

__all__ = [
    "DATASETS",
    "Data",
    "DatasetError",
    "DatasetSpec",
    "FEATURES",
    "Feature",
    "Param",
    "describe",
    "digits_available",
    "expand",
    "inputs_unscaled",
    "is_available",
    "load",
    "one_hot",
    "params_from_text",
    "parse_csv",
    "spec_of",
]

# Menu order: the tiny hand-made cases first, then points in the plane (classes, then targets), then real images.
DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (*TOY_SETS, *PLANAR_SETS, *REGRESSION_SETS, DIGITS)}

# How to tell whether an optional extra named in DatasetSpec.requires is installed.
_EXTRAS: dict[str, Callable[[], bool]] = {"digits": digits_available}


def is_available(spec: DatasetSpec) -> bool:
    """False when the set needs an optional extra that is not installed."""
    return spec.requires is None or _EXTRAS.get(spec.requires, lambda: False)()


def spec_of(name: str) -> DatasetSpec:
    """The named dataset, or a DatasetError at "name" that lists the names."""
    spec = DATASETS.get(name)
    if spec is None:
        raise DatasetError("name", f"There is no dataset named {name!r}; choose one of: {', '.join(DATASETS)}.")
    return spec


def params_from_text(spec: DatasetSpec, text: Mapping[str, str]) -> dict[str, Any]:
    """Parameters written as text (a query string, NAME=VALUE on the command line), each read as its parameter's
    kind where it can be; load() then checks them and says what is allowed."""
    kinds = {p.name: p.kind for p in spec.params}
    return {key: _from_text(raw, kinds.get(key, "float")) for key, raw in text.items()}


def _from_text(raw: str, kind: str) -> Any:
    if kind == "bool":
        return {"true": True, "false": False}.get(raw.lower(), raw)
    try:
        return int(raw) if kind == "int" and raw.lstrip("-").isdigit() else float(raw)
    except ValueError:
        return raw


def inputs_unscaled(spec: DatasetSpec, params: Mapping[str, Any]) -> bool:
    """The dataset has a "scaled" switch and it is off: where a fix for too-large inputs is to be found."""
    has_switch = any(p.name == "scaled" and p.kind == "bool" for p in spec.params)
    return has_switch and params.get("scaled") is not True


def load(name: str, seed: int = 0, **params: Any) -> Data:
    """Build the named dataset; parameters left out take their defaults, all are checked first."""
    spec = spec_of(name)
    known = {p.name: p for p in spec.params}
    for key in params:
        if key not in known:
            allowed = ", ".join(known) if known else "none"
            raise DatasetError(key, f"{spec.name!r} has no parameter {key!r}; its parameters are: {allowed}.")
    checked = {p.name: check_param(p, params.get(p.name, p.default)) for p in spec.params}
    return spec.build(seed=_check_seed(seed), **checked)


def check_param(param: Param, value: Any) -> Any:
    """The value converted to the parameter's kind, or a DatasetError saying what is allowed."""
    is_bool = isinstance(value, (bool, np.bool_))
    if param.kind == "bool":
        # Strict: 0/1 or "false" here are more likely mistakes than intentions.
        if is_bool:
            return bool(value)
        raise DatasetError(param.name, f"{param.name} must be true or false.")
    if is_bool or not isinstance(value, Real):
        raise DatasetError(param.name, f"{param.name} must be a number.")
    if not isinstance(value, Integral) and not math.isfinite(value):
        raise DatasetError(param.name, f"{param.name} must be a finite number.")
    if param.kind == "int":
        if not isinstance(value, Integral) and value != int(value):
            raise DatasetError(param.name, f"{param.name} must be a whole number.")
        value = int(value)
    elif param.kind == "float":
        value = float(value)
    else:
        raise ValueError(f"unknown parameter kind {param.kind!r}")  # a bug in a DatasetSpec, not the learner's
    low, high = param.minimum, param.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise DatasetError(param.name, f"{param.name} {_allowed_range(low, high)}.")
    return value


def _allowed_range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"must be between {low:g} and {high:g}"
    return f"must be at least {low:g}" if low is not None else f"must be at most {high:g}"


def _check_seed(seed: Any) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, Integral) or seed < 0:
        raise DatasetError("seed", "seed must be a whole number, 0 or more.")
    return int(seed)


def describe(spec: DatasetSpec) -> dict[str, Any]:
    """Everything a menu needs to show and check a dataset, as plain JSON-ready values."""
    return {
        "name": spec.name,
        "title": spec.title,
        "description": spec.description,
        "two_d": spec.two_d,
        "task": spec.task,
        "linearly_separable": spec.linearly_separable,
        "available": is_available(spec),
        "requires": spec.requires,
        "params": [
            {
                "name": p.name,
                "kind": p.kind,
                "default": p.default,
                "min": p.minimum,
                "max": p.maximum,
                "description": p.description,
            }
            for p in spec.params
        ],
    }
