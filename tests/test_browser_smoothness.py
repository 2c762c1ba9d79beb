"""Issue 17, smoothness: views out of sight are not drawn (they catch up when they scroll in), and a page that
cannot draw every frame asks the server for fewer (`set` with `frame_rate`)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

SPIRAL_MAX = "#dataset=spiral&hidden=8&runs=sigmoid_mse,sigmoid_bce,softmax_ce&speed=max"
# The step the first outputs chart's legend shows (the latest values while nobody hovers); -1: no chart drawn yet.
OUTPUTS_LEGEND_STEP = ("() => { const value = document.querySelector('#outputs-charts .u-legend .u-series .u-value');"
                       " const step = Number(value?.textContent.replace(/,/g, '')); return Number.isFinite(step) ? step : -1; }")


def messages(page, direction: str) -> list[dict]:
    """Every JSON message the page sends ("framesent") or receives ("framereceived"), as they pass."""
    seen: list[dict] = []
    page.on("websocket", lambda ws: ws.on(direction, lambda payload: isinstance(payload, str)
                                          and seen.append(json.loads(payload))))
    return seen


def test_a_chart_out_of_sight_is_not_redrawn_until_it_scrolls_into_view(dashboard):
    page = dashboard.page
    dashboard.open(SPIRAL_MAX)
    page.click("#play")
    page.evaluate("() => document.getElementById('boundaries').scrollIntoView()")  # the outputs, far above
    assert page.evaluate("() => document.getElementById('outputs-charts').getBoundingClientRect().bottom") < 0
    dashboard.wait_for("backpropLab.step >= 200")
    frozen = page.evaluate(OUTPUTS_LEGEND_STEP)
    dashboard.wait_for(f"backpropLab.step >= {max(frozen, 0) + 500}")
    assert page.evaluate(OUTPUTS_LEGEND_STEP) == frozen  # training went on; the chart nobody sees stayed as it was

    page.evaluate("() => document.getElementById('outputs-charts').scrollIntoView()")
    dashboard.wait_for(f"({OUTPUTS_LEGEND_STEP})() >= {max(frozen, 0) + 500}", timeout=5_000)
    page.click("#play")  # Pause
    dashboard.wait_for("!backpropLab.playing")
    page.wait_for_timeout(300)
    assert page.evaluate(OUTPUTS_LEGEND_STEP) == dashboard.lab("step")  # in view, it shows the latest frame


def test_a_page_that_falls_behind_asks_for_fewer_frames_and_the_server_agrees(dashboard):
    page = dashboard.page
    sent = messages(page, "framesent")
    received = messages(page, "framereceived")
    dashboard.open(SPIRAL_MAX)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 40})  # a page far too slow for 30 frames a second
    page.click("#play")
    deadline_ms = 15_000
    waited = 0
    while waited < deadline_ms and not any(m["type"] == "set" and "frame_rate" in m for m in sent):
        page.wait_for_timeout(250)
        waited += 250
    asked = [m["frame_rate"] for m in sent if m["type"] == "set" and "frame_rate" in m]
    assert asked, f"no frame_rate was asked for in {deadline_ms / 1000:g} s; sent {[m['type'] for m in sent]}"
    default_rate = next(m for m in received if m["type"] == "hello")["defaults"]["frame_rate"]
    assert 5 <= asked[0] < default_rate
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})  # so the page reads the messages queued meanwhile
    for _ in range(40):
        if any(m["type"] == "state" and m["frame_rate"] == asked[0] for m in received):
            break
        page.wait_for_timeout(250)
    assert asked[0] in [m["frame_rate"] for m in received if m["type"] == "state"]  # the server took the rate asked
