"""Page: the dashboard in Debian's Chromium (Playwright), served as shipped, training at speed "max" (issue 17).

Per configuration, over a window of a few seconds while it plays: the main thread's busy share (Chrome DevTools
Protocol `Performance.getMetrics`, TaskDuration difference ÷ wall time), long tasks (PerformanceObserver
'longtask'), animation frames/s (a requestAnimationFrame counter), the page's own drawings/s
(window.backpropLab.framesDrawn) and the frames the server sent; then Pause's input-to-paint latency: from the
click's event time to the first animation frame after the store shows the run paused (median of a few).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import Mode, Section, Target, progress
from benchmarks.servers import subprocess_server

CHROMIUM = Path("/usr/bin/chromium")
# As tests/browser.py launches it: headless, and nothing that reaches for the internet.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
RUNS = "sigmoid_mse,sigmoid_bce,softmax_ce,softmax_mse,softmax_mse_elementwise"
SECONDS = {"full": 8.0, "quick": 4.0, "smoke": 1.0}
# Where the page is scrolled while measuring: views out of sight are not drawn, so each part is measured in view.
POSITIONS = (("top", None), ("math in view", "math"), ("boundaries in view", "boundaries"))
PAUSES = {"full": 5, "quick": 3, "smoke": 1}


@dataclass(frozen=True)
class Setup:
    name: str
    hash: str
    busy: float  # targets: the main thread's busy share (%), longest task (ms), animation frames/s, Pause (ms)
    longest_task: float | None
    fps: float
    pause: float


SETUPS = (
    Setup("spiral 200 points, 5 runs, hidden 8",
          f"#dataset=spiral&data.n=200&hidden=8&runs={RUNS}&speed=max", 50, 50, 55, 100),
    Setup("spiral 2,000 points, 6 classes, hidden 64,64, 5 runs",
          f"#dataset=spiral&data.n=2000&data.classes=6&hidden=64,64&runs={RUNS}&speed=max", None, None, 20, 200),
)

# Counts animation frames, collects long tasks, and times Pause from its click to the first frame after it shows.
PROBE = """
window.__bench = { raf: 0, longTasks: [], pauses: [], clickedAt: null };
(function tick() { requestAnimationFrame(() => {
  const b = window.__bench;
  b.raf += 1;
  if (b.clickedAt !== null && window.backpropLab && !window.backpropLab.playing) {
    b.pauses.push(performance.now() - b.clickedAt);
    b.clickedAt = null;
  }
  tick();
}); })();
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__bench.longTasks.push(e.duration); })
  .observe({ type: 'longtask', buffered: true });
document.addEventListener('pointerdown', (event) => {
  if (event.target.id === 'play' && window.backpropLab?.playing) window.__bench.clickedAt = event.timeStamp;
}, true);
"""


def run(mode: Mode) -> Section:
    seconds, pauses = SECONDS[mode.name], PAUSES[mode.name]
    section = Section("Page: the dashboard in Chromium at speed \"max\"",
                      ["configuration", "main thread busy", "long tasks (longest)", "animation frames/s",
                       "drawings/s", "frames received/s", "Pause to paint (median)"])
    section.notes.append(
        f"Server: `python -m benchmarks.server` (the app as `backprop-lab serve` runs it) in a child process; page: "
        f"Debian's {CHROMIUM} under Playwright, {VIEWPORT['width']}×{VIEWPORT['height']}, headless, opened on a "
        f"share link, playing; after 1 s of play, {seconds:g} s measured at each position: the top of the page, then "
        "#math and #boundaries scrolled into view (views out of sight are not drawn). Pause (at the top): median of "
        f"{pauses} clicks, from "
        "the click's event time to the first animation frame after the page shows the run paused.")
    if not CHROMIUM.exists():
        section.notes.append(f"No Chromium at {CHROMIUM} (`apt-get install chromium`): nothing measured.")
        for setup in SETUPS:
            for position, _ in POSITIONS:
                section.targets.extend(_targets(setup, None, position))
        return section
    from playwright.sync_api import sync_playwright

    with subprocess_server() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for setup in SETUPS:
                progress(f"page: {setup.name}, {len(POSITIONS)} × {seconds:g} s")
                results = measure(browser, server.url + "/" + setup.hash, seconds, pauses)
                section.data[setup.name] = results
                for position, result in results.items():
                    section.rows.append([
                        f"{setup.name}; {position}",
                        f"{result['busy_percent']:.0f}% ({result['script_percent']:.0f}% script, "
                        f"{result['style_and_layout_percent']:.0f}% style and layout)",
                        f"{len(result['long_tasks_ms'])} ({max(result['long_tasks_ms'], default=0):.0f} ms)",
                        result["animation_fps"], result["drawings_per_s"], result["frames_received_per_s"],
                        f"{statistics.median(result['pause_ms']):.0f} ms" if result.get("pause_ms") else "—"])
                    section.targets.extend(_targets(setup, result, position))
        finally:
            browser.close()
    return section


def measure(browser, url: str, seconds: float, pauses: int) -> dict[str, dict]:
    """Per position, the window's figures; at the top, also Pause's latencies (`pause_ms`)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        frames = [0]
        # Text messages only (frames, state, events): the binary boundary grids come beside them.
        page.on("websocket", lambda ws: ws.on(
            "framereceived", lambda payload: isinstance(payload, str) and frames.__setitem__(0, frames[0] + 1)))
        page.add_init_script(PROBE)
        page.goto(url)
        page.wait_for_function("() => window.backpropLab?.configured && window.backpropLab.framesDrawn > 0",
                               timeout=30_000)
        play = page.locator("#play")
        play.click()
        page.wait_for_function("() => window.backpropLab.playing", timeout=10_000)
        page.wait_for_timeout(1000)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        results = {}
        for position, element in POSITIONS:
            page.evaluate("(id) => id ? document.getElementById(id).scrollIntoView() : window.scrollTo(0, 0)", element)
            page.wait_for_timeout(300)
            results[position] = _window(page, cdp, frames, seconds)
        page.evaluate("() => window.scrollTo(0, 0)")
        for _ in range(pauses):
            play.click()  # Pause
            page.wait_for_function("() => window.__bench.clickedAt === null && !window.backpropLab.playing",
                                   timeout=15_000)
            play.click()  # Play again, and let it get busy
            page.wait_for_function("() => window.backpropLab.playing", timeout=15_000)
            page.wait_for_timeout(700)
        results[POSITIONS[0][0]]["pause_ms"] = page.evaluate("() => window.__bench.pauses")
        return results
    finally:
        context.close()


def _window(page, cdp, frames: list[int], seconds: float) -> dict:
    before = _snapshot(page, cdp, frames)
    page.wait_for_timeout(seconds * 1000)
    after = _snapshot(page, cdp, frames)
    wall = after["wall"] - before["wall"]
    return {
            "seconds": wall,
            "busy_percent": 100 * (after["task"] - before["task"]) / wall,
            "script_percent": 100 * (after["script"] - before["script"]) / wall,
            "style_and_layout_percent": 100 * (after["style_and_layout"] - before["style_and_layout"]) / wall,
            "long_tasks_ms": after["long_tasks"][len(before["long_tasks"]):],
            "animation_fps": (after["raf"] - before["raf"]) / wall,
            "drawings_per_s": (after["drawn"] - before["drawn"]) / wall,
            "frames_received_per_s": (after["frames"] - before["frames"]) / wall,
            "steps_per_s": (after["step"] - before["step"]) / wall,
    }


def _snapshot(page, cdp, frames: list[int]) -> dict:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    probe = page.evaluate("() => ({ raf: window.__bench.raf, longTasks: window.__bench.longTasks.slice(),"
                          " drawn: window.backpropLab.framesDrawn, step: window.backpropLab.step })")
    return {"wall": time.perf_counter(), "task": metrics["TaskDuration"], "script": metrics["ScriptDuration"],
            "style_and_layout": metrics["RecalcStyleDuration"] + metrics["LayoutDuration"], "raf": probe["raf"],
            "long_tasks": probe["longTasks"], "drawn": probe["drawn"], "step": probe["step"], "frames": frames[0]}


def _targets(setup: Setup, result: dict | None, position: str) -> list[Target]:
    """The setup's targets for one position; Pause is timed at the top only (where its button is)."""
    def value(key, reduce=lambda v: v):
        return None if result is None else reduce(result[key])

    name = f"page, {setup.name}; {position}"
    targets = []
    if setup.busy is not None:
        targets.append(Target(f"{name}: main thread busy", value("busy_percent"), setup.busy, "%", False))
    if setup.longest_task is not None:
        targets.append(Target(f"{name}: longest task", value("long_tasks_ms", lambda v: max(v, default=0.0)),
                              setup.longest_task, " ms", False))
    targets.append(Target(f"{name}: animation frames/s", value("animation_fps"), setup.fps, " frames/s", True))
    if position == POSITIONS[0][0]:
        pause = value("pause_ms", lambda v: statistics.median(v) if v else None)
        targets.append(Target(f"{name}: Pause to paint", pause, setup.pause, " ms", False,
                              "" if result is None or pause is not None else "no pause measured"))
    return targets
