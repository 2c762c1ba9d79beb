"""`python -m benchmarks` runs and prints its table (in a tiny mode: the numbers mean nothing, so nothing
here checks a time or a ratio)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, code: str | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "benchmarks", *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_benchmark_command_prints_the_table_and_writes_the_same_numbers(tmp_path):
    out = tmp_path / "bench.json"
    result = _run("--smoke", "--json", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout
    for title in ("## Engine", "## Stream", "## Many sessions", "## Predict"):
        assert title in table, table
    assert "| 2-3-2" in table and "float32" in table
    assert "Machine:" in table and "Targets:" in table
    assert "[bench " not in table  # progress lines ("[bench HH:MM:SS] ...") go to stderr
    assert "[bench" in result.stderr
    document = json.loads(out.read_text())
    assert set(document["sections"]) == {"engine", "stream", "sessions", "predict"}
    engine = document["sections"]["engine"]
    assert engine["rows"][0][:3] == ["2-3-2", 2, "float64"]
    assert f"{engine['rows'][0][3]:.1f}" in table  # the same number as the table's first µs/step
    for section in document["sections"].values():
        for target in section["targets"]:
            assert target["passed"] in (True, False, None)
            verdict = {True: "PASS", False: "FAIL", None: "n/a"}[target["passed"]]
            assert any(line.startswith(verdict) and target["name"] in line for line in table.splitlines())


def test_without_pytorch_the_column_says_so():
    hide_torch = ("import sys, runpy; sys.modules['torch'] = None; "
                  "sys.argv = ['benchmarks', '--smoke', '--only', 'engine']; "
                  "runpy.run_module('benchmarks', run_name='__main__')")
    result = _run(code=hide_torch)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not installed" in result.stdout
    assert "n/a" in result.stdout  # the PyTorch targets are not judged without PyTorch
    assert "hand-fused" in result.stdout


def test_an_unknown_section_is_refused():
    result = _run("--only", "engine,warp-drive")
    assert result.returncode == 2
    assert "warp-drive" in result.stderr
