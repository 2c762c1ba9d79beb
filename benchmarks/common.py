"""What every section shares: results and targets, interleaved timing, the table, the machine."""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable


def progress(message: str) -> None:
    """A progress line on stderr (stdout carries only the table)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Mode:
    """How long each part runs. `quick` finishes within two minutes; `smoke` only shows the command works."""
    name: str
    engine_rounds: int
    engine_round_seconds: float
    stream_rounds: int
    stream_seconds: float
    delay_samples: int
    sessions: int
    sessions_seconds: float
    predict_rounds: int
    predict_seconds: float
    networks: tuple[str, ...] | None = None  # None: every network
    warmup: float = 2.0  # seconds of playing before the many-sessions window opens

    @classmethod
    def named(cls, name: str) -> "Mode":
        return {
            "full": cls("full", 15, 0.05, 7, 2.5, 60, 50, 10.0, 3, 3.0),
            "quick": cls("quick", 7, 0.03, 3, 1.5, 30, 50, 5.0, 2, 1.5),
            "smoke": cls("smoke", 2, 0.005, 1, 0.5, 5, 5, 1.0, 1, 0.3, networks=("2-3-2", "64-32-10"), warmup=0.5),
        }[name]


@dataclass
class Target:
    name: str
    measured: float | None  # None: could not be measured (say why in `note`)
    limit: float
    unit: str  # "×", "%", "frames/s", "ms"
    higher_is_better: bool
    note: str = ""

    @property
    def passed(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured >= self.limit if self.higher_is_better else self.measured <= self.limit

    def line(self) -> str:
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[self.passed]
        sign = "≥" if self.higher_is_better else "≤"
        measured = "—" if self.measured is None else _number(self.measured)
        note = f"  ({self.note})" if self.note else ""
        return f"{verdict}  {self.name}: {measured}{self.unit} (target {sign} {_number(self.limit)}{self.unit}){note}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # every number measured, for --json

    def table(self) -> str:
        cells = [[str(c) for c in self.columns]] + [[_cell(v) for v in row] for row in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = [f"## {self.title}", ""]
        for k, row in enumerate(cells):
            lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
            if k == 0:
                lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        if self.notes:
            lines.append("")
            lines.extend(self.notes)
        if self.targets:
            lines.append("")
            lines.extend(t.line() for t in self.targets)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows, "notes": self.notes,
                "targets": [t.as_dict() for t in self.targets], "data": self.data}


def _number(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def _cell(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return _number(v)
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100), nearest rank: p99 of 100 samples is the 99th smallest."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


# --- interleaved timing -----------------------------------------------------------------------------

def calibrate(fn: Callable[[], Any], seconds: float) -> int:
    """How many calls of fn take about `seconds`."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds / 4 or n >= 1 << 24:
            return max(1, int(n * seconds / max(elapsed, 1e-9)))
        n *= 2


def interleaved(contenders: dict[str, Callable[[], Any]], rounds: int, round_seconds: float) -> dict[str, dict]:
    """Time each contender in turn, round after round, so a burst of noise hits all of them alike.

    Returns per contender: best and median seconds per call over the rounds, and every round's value.
    The best is what the table shows: on a shared machine the fastest round is the least disturbed one.
    """
    counts = {name: calibrate(fn, round_seconds) for name, fn in contenders.items()}
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(rounds):
            order = names[r % len(names):] + names[: r % len(names)]  # rotate who goes first
            for name in order:
                fn, n = contenders[name], counts[name]
                start = time.perf_counter()
                for _ in range(n):
                    fn()
                samples[name].append((time.perf_counter() - start) / n)
            gc.collect()
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: {"best": min(s), "median": statistics.median(s), "rounds": s, "calls_per_round": counts[name]}
            for name, s in samples.items()}


# --- the machine ----------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    import numpy as np

    info: dict[str, Any] = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas_threads_env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [{"api": p.get("internal_api"), "threads": p.get("num_threads"),
                         "architecture": p.get("architecture"), "version": p.get("version")}
                        for p in threadpool_info()]
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    try:
        import torch
        info["torch"] = torch.__version__
    except ImportError:
        info["torch"] = None
    for name in ("fastapi", "uvicorn", "websockets"):
        try:
            info[name] = __import__(name).__version__
        except (ImportError, AttributeError):
            info[name] = None
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
