"""Issue 19, the test part on the decision boundary: "Show test data" appears only for an experiment with a test part,
off by default; on, every test example is a ring of its class's colour on each boundary panel and the enlarged one,
and the note counts them; off, the canvas is as before. The choice outlives a re-configure that keeps a test part."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from browser import DESKTOP, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
MOONS = "#dataset=moons&data.n=40&test=30&runs=softmax_ce"  # 28 training examples, 12 held out
PANEL = "#boundaries canvas:not([data-old])"
LARGE = "dialog.boundary-large canvas"
RING = (6.2, 7.8)  # CSS px from a test example's centre where its ring is drawn (radius 7 for ≤ 100 examples)
HALO = 10  # nothing the rings add lies further than this from a test example

# The canvas's pixels (RGBA, row by row) and its side in CSS pixels; the view paints it at its CSS size.
PIXELS = """(selector) => {
    const canvas = document.querySelector(selector);
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    return { width: canvas.width, ratio: devicePixelRatio, pixels: Array.from(data) };
}"""
PAINTED = f"""(() => {{
    const canvas = document.querySelector('{PANEL}');
    return canvas && canvas.getContext('2d').getImageData(1, 1, 1, 1).data[3] === 255;
}})()"""


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def read(page, selector: str) -> dict:
    return page.evaluate(PIXELS, selector)


def rgb(image: dict, col: int, row: int) -> tuple[int, ...]:
    at = (row * image["width"] + col) * 4
    return tuple(image["pixels"][at:at + 3])


def centres(configured: dict, image: dict) -> list[tuple[float, float]]:
    """Each test example's place on the canvas, in device pixels, from the experiment's extent (y grows upwards)."""
    x0, x1, y0, y1 = configured["boundary"]["extent"]
    side = image["width"]
    return [((x - x0) / (x1 - x0) * side, (y1 - y) / (y1 - y0) * side) for x, y in configured["test_inputs"]]


def ring_pixels(image: dict, centre: tuple[float, float]) -> list[tuple[int, ...]]:
    ratio, side = image["ratio"], image["width"]
    reach = math.ceil(RING[1] * ratio)
    found = []
    for row in range(int(centre[1]) - reach, int(centre[1]) + reach + 1):
        for col in range(int(centre[0]) - reach, int(centre[0]) + reach + 1):
            distance = math.hypot(col + 0.5 - centre[0], row + 0.5 - centre[1]) / ratio
            if 0 <= col < side and 0 <= row < side and RING[0] <= distance <= RING[1]:
                found.append(rgb(image, col, row))
    return found


def assert_rings_in_class_colours(page, configured: dict, image: dict) -> None:
    """Around every test example some pixel of its ring is its class's colour (a later ring may cover part of it)."""
    class_colors = page.evaluate("async () => (await import('/static/js/lib/colors.js')).CLASS_COLORS")
    for centre, label in zip(centres(configured, image), configured["test_labels"], strict=True):
        hex_ = class_colors[label.index(max(label))]
        target = [int(hex_[i:i + 2], 16) for i in (1, 3, 5)]
        closest = min(math.dist(pixel, target) for pixel in ring_pixels(image, centre))
        assert closest < 30, (centre, label, closest)


def open_boundary(dashboard: Dashboard, hash_: str) -> None:
    dashboard.open(hash_)
    dashboard.page.locator(".boundary-card").scroll_into_view_if_needed()  # views off screen are not drawn
    dashboard.wait_for(PAINTED)


def test_show_test_data_rings_the_test_examples_and_survives_a_reconfigure(chromium, live_server):
    context = chromium.new_context(viewport=DESKTOP, bypass_csp=True)  # axe is a script of the test's own
    try:
        dashboard = Dashboard(context.new_page(), live_server.url)
        page = dashboard.page
        open_boundary(dashboard, MOONS)
        assert not dashboard.lab("playing")  # no new grid repaints the panels between two reads
        configured = dashboard.lab("configured")
        tested = len(configured["test_inputs"])
        assert tested == 12 and len(configured["inputs"]) == 28
        box = page.locator("#boundary-show-test")
        assert box.is_visible() and not box.is_checked()
        assert page.get_by_label("Show test data").count() == 1
        assert tested not in numbers(page.text_content("#boundary-note"))

        off = read(page, PANEL)
        box.check()
        on = read(page, PANEL)
        assert_rings_in_class_colours(page, configured, on)
        points = centres(configured, on)
        changed = [(col, row) for row in range(on["width"]) for col in range(on["width"])
                   if rgb(on, col, row) != rgb(off, col, row)]
        assert changed
        for col, row in changed:  # the rings add nothing away from the test examples
            assert min(math.dist((col + 0.5, row + 0.5), p) for p in points) <= HALO * on["ratio"], (col, row)
        assert tested in numbers(page.text_content("#boundary-note"))

        page.click("#boundaries .enlarge")
        page.locator(LARGE).wait_for()
        assert_rings_in_class_colours(page, configured, read(page, LARGE))
        page.keyboard.press("Escape")

        box.uncheck()
        assert read(page, PANEL)["pixels"] == off["pixels"]
        assert tested not in numbers(page.text_content("#boundary-note"))

        # A new split keeps the choice: the new test examples are ringed at once.
        box.check()
        page.evaluate("document.querySelector('#boundaries canvas').dataset.old = '1'")
        page.fill("#test", "20")
        page.press("#test", "Enter")
        dashboard.wait_for("backpropLab.configured.test_inputs.length === 8")
        page.locator(".boundary-card").scroll_into_view_if_needed()
        dashboard.wait_for(PAINTED)
        assert box.is_visible() and box.is_checked()
        configured = dashboard.lab("configured")
        assert_rings_in_class_colours(page, configured, read(page, PANEL))
        assert 8 in numbers(page.text_content("#boundary-note"))

        page.add_script_tag(path=str(AXE))
        axe = """async () => (await axe.run()).violations
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"""
        assert page.evaluate(axe) == []

        # An experiment without a test part has no such box, and it is off for the next one that has.
        page.fill("#test", "0")
        page.press("#test", "Enter")
        dashboard.wait_for("backpropLab.configured.test_inputs.length === 0")
        page.locator(".boundary-card").scroll_into_view_if_needed()
        dashboard.wait_for("document.querySelector('#boundary-show-test').closest('label').hidden")
        assert not box.is_visible() and not box.is_checked()
        assert dashboard.console_errors == []
    finally:
        context.close()
