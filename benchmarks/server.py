"""`python -m benchmarks.server --port N`: the app exactly as `backprop-lab serve` runs it, plus two things
that exist only here, for the benchmarks:

- an event-loop lag probe: a task that sleeps 10 ms at a time and records how late it wakes up,
  read (and reset) at GET /bench/lag;
- bare endpoints beside the real ones, on the same app instance: POST /bench/bare (a plain `def` endpoint
  taking a JSON body, run in the thread pool like POST /api/models/{id}/predict) and POST /bench/bare-async.

Same factory (create_app), same store migration, same uvicorn options (ws_per_message_deflate=False,
uvicorn's default loop and protocols), one process. Log level is warning, so access logs cost nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

PROBE_INTERVAL = 0.01


class LagProbe:
    def __init__(self) -> None:
        self.lags: list[float] = []

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(PROBE_INTERVAL)
            self.lags.append(loop.time() - start - PROBE_INTERVAL)

    def read(self, reset: bool) -> dict[str, Any]:
        from benchmarks.common import percentile

        lags, self.lags = self.lags, ([] if reset else self.lags)
        return {"samples": len(lags), "p50_ms": percentile(lags, 50) * 1e3 if lags else None,
                "p99_ms": percentile(lags, 99) * 1e3 if lags else None,
                "max_ms": max(lags) * 1e3 if lags else None}


def build_app():
    from fastapi import Body

    from app.web.app import create_app

    app = create_app()
    app.state.store.migrate()  # as app/cli.py does before serving
    probe = LagProbe()
    started: list[asyncio.Task] = []

    @app.get("/bench/lag", include_in_schema=False)
    async def lag(reset: bool = False) -> dict:
        if not started:
            started.append(asyncio.create_task(probe.run()))
            return {"samples": 0, "started": time.time()}
        return probe.read(reset)

    @app.post("/bench/engine", include_in_schema=False)
    def engine(body: dict = Body(...)) -> dict:
        """The bare engine's steps per second for an experiment, in this process (benchmarks/stream.py)."""
        from benchmarks.stream import _bare

        return {"steps_per_second": _bare(body["config"], body["seconds"])}

    @app.post("/bench/bare", include_in_schema=False)
    def bare(body: dict = Body(...)) -> dict:
        return {"ok": True}

    @app.post("/bench/bare-async", include_in_schema=False)
    async def bare_async(body: dict = Body(...)) -> dict:
        return {"ok": True}

    return app


def main() -> None:
    import uvicorn

    from benchmarks.servers import UVICORN_OPTIONS

    parser = argparse.ArgumentParser(prog="python -m benchmarks.server")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    config = uvicorn.Config(build_app(), host="127.0.0.1", port=args.port, log_level="warning", **UVICORN_OPTIONS)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
