"""Predict: requests per second and p99 of POST /api/models/{id}/predict for a small saved model, against a
bare FastAPI endpoint on the same server (added by benchmarks/server.py, not by the app).

The bare endpoint is the same kind of endpoint as predict: a plain `def` taking a JSON body, so FastAPI runs
it in its thread pool too; the difference between the two is what predicting costs: finding the model,
checking the inputs, the forward pass and the answer. An `async def` bare endpoint is shown for reference.
Both get the same body, from 8 keep-alive connections, in alternating rounds.
"""

from __future__ import annotations

import asyncio
import json
import statistics

from benchmarks.common import Mode, Section, Target, progress
from benchmarks.servers import http_load, http_request, subprocess_server

CONNECTIONS = 8
BODY = json.dumps({"inputs": [[1.0, 0.0], [0.0, 1.0]]}).encode()


def run(mode: Mode) -> Section:
    from app.nn import to_document
    from benchmarks.engine import make_net

    section = Section(
        "Predict: a saved 2-3-2 softmax model, 2 rows per request, against a bare endpoint on the same server",
        ["endpoint", "requests/s", "p50", "p99", "share of the bare endpoint"])
    section.notes.append(
        f"Server: `python -m benchmarks.server` in a child process; {CONNECTIONS} keep-alive connections, each "
        f"sending its next request when the answer arrives; medians of {mode.predict_rounds} alternating rounds "
        f"of {mode.predict_seconds:g} s per endpoint. Bare: `def bare(body: dict = Body(...))` returning "
        "{\"ok\": true}, run in the thread pool; bare async: the same as `async def`, for reference. Predict is "
        "`async def` and keeps loaded networks in memory (app/web/loaded_models.py).")
    progress("predict: starting the server")
    with subprocess_server() as server:
        saved = server.post_json("/api/models", {"name": "benchmark 2-3-2",
                                                 "model": to_document(make_net([2, 3, 2], "float64"))})
        predict_path = f"/api/models/{saved['id']}/predict"
        check = server.post_json(predict_path, json.loads(BODY))
        if len(check.get("outputs", [])) != 2:
            raise RuntimeError(f"predict answered {check}")
        endpoints = {"bare (def)": "/bench/bare", "POST /api/models/{id}/predict": predict_path,
                     "bare (async def)": "/bench/bare-async"}
        results: dict[str, list[dict]] = {name: [] for name in endpoints}
        for r in range(mode.predict_rounds):
            names = list(endpoints) if r % 2 == 0 else list(reversed(endpoints))
            for name in names:
                progress(f"predict: round {r + 1}/{mode.predict_rounds}: {name}")
                request = http_request("POST", endpoints[name], BODY, server.port)
                result = asyncio.run(http_load(server.port, request, mode.predict_seconds, CONNECTIONS))
                if result["errors"]:
                    raise RuntimeError(f"{name} answered {result['errors']}")
                results[name].append(result)
    bare_rps = statistics.median(r["rps"] for r in results["bare (def)"])
    for name, rounds in results.items():
        rps = statistics.median(r["rps"] for r in rounds)
        section.rows.append([name, rps, f"{statistics.median(r['p50_ms'] for r in rounds):.2f} ms",
                             f"{statistics.median(r['p99_ms'] for r in rounds):.2f} ms", f"{100 * rps / bare_rps:.0f}%"])
    section.data = results
    predict_rps = statistics.median(r["rps"] for r in results["POST /api/models/{id}/predict"])
    section.targets.append(Target("predict: requests/s ÷ bare endpoint's (def)", 100 * predict_rps / bare_rps, 60.0,
                                  "%", True))
    return section
