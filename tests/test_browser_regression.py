"""Issue 19's regression set in the page: choosing "plane" offers only linear + MSE, the boundary card paints each
run's output over the plane as a diverging heatmap (amber above 0, indigo below) whose colour at a point has the
sign of the output there, and the card has no axe violations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import DESKTOP, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
CARD_VIOLATIONS = """async () => (await axe.run('.boundary-card')).violations
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"""
# The colour of one canvas pixel at CSS coordinates (x, y) from its top-left corner.
PIXEL = """([x, y]) => {
  const canvas = document.querySelector('#boundaries canvas');
  const ratio = canvas.width / canvas.getBoundingClientRect().width;
  return Array.from(canvas.getContext('2d').getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data);
}"""
OUTPUT = re.compile(r"a = \[(-?[\d.e+-]+)\]")


def output_and_colour(page, x: float, y: float) -> tuple[float, list[int]]:
    """The run's output the canvas names under the pointer at (x, y) of the canvas, and the pixel painted there."""
    canvas = page.locator("#boundaries canvas").first
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    title = canvas.get_attribute("title")
    return float(OUTPUT.search(title).group(1)), page.evaluate(PIXEL, [x, y])


def test_plane_offers_linear_mse_and_paints_the_output_with_its_sign(chromium, live_server):
    context = chromium.new_context(viewport=DESKTOP, bypass_csp=True)  # axe is the test's own script
    try:
        dashboard = Dashboard(context.new_page(), live_server.url)
        page = dashboard.page
        dashboard.open("#hidden=&speed=max")
        page.select_option("#dataset", "plane")
        dashboard.wait_for("backpropLab.configured && backpropLab.configured.task === 'regression'")
        configured = dashboard.lab("configured")
        assert configured["config"]["dataset"]["name"] == "plane"
        assert [run["kind"] for run in configured["config"]["runs"]] == ["linear_mse"]
        # The run menu offers linear + MSE only; classification sets get every pairing back.
        assert page.locator("#run-kinds .run-pairing:visible").evaluate_all(
            "boxes => boxes.map((b) => b.dataset.pairing)") == ["linear_mse"]
        assert page.locator("#run-kinds input:checked").evaluate_all("boxes => boxes.map((b) => b.value)") \
            == ["linear_mse"]
        assert page.locator("#kind-linear_mse + label, label[for='kind-linear_mse']").first.inner_text().strip() \
            .startswith("linear + MSE")

        page.evaluate("document.getElementById('play').click()")
        dashboard.wait_for("backpropLab.converged && Object.keys(backpropLab.converged).length === 1", 30_000)
        page.evaluate("document.getElementById('play').click()")
        dashboard.wait_for("!backpropLab.playing")
        frame = dashboard.lab("frame")["runs"][0]
        assert frame["accuracy"] is None and frame["confusion"] is None
        assert frame["max_error"] < 0.1
        page.locator(".boundary-card").scroll_into_view_if_needed()
        dashboard.wait_for("document.querySelector('#boundaries canvas') && "
                           "document.querySelector('#boundaries canvas').width > 0")
        page.evaluate("document.querySelector('#boundaries canvas').scrollIntoView({block: 'center'})")
        page.wait_for_timeout(500)  # a boundary grid at the paused step, painted

        size = page.locator("#boundaries canvas").first.bounding_box()["width"]
        top_right = output_and_colour(page, size - 2, 2)
        bottom_left = output_and_colour(page, 2, size - 2)
        # The plane rises to the top right: a trained run answers about +1 there and -1 at the bottom left.
        assert top_right[0] > 0.5 and bottom_left[0] < -0.5
        for value, (r, g, b, _) in (top_right, bottom_left):
            assert (r > b) == (value > 0), (value, r, g, b)  # amber above zero, indigo below
            assert abs(r - b) > 40  # saturated, not the white of zero

        page.add_script_tag(path=str(AXE))
        assert page.evaluate(CARD_VIOLATIONS) == []
        assert dashboard.console_errors == []
    finally:
        context.close()


def test_a_regression_set_and_back_gives_the_chosen_runs_back_to_form_link_and_training(dashboard):
    page = dashboard.page
    dashboard.open("#dataset=circles&runs=sigmoid_mse,softmax_ce")
    page.select_option("#dataset", "plane")
    dashboard.wait_for("backpropLab.configured && backpropLab.configured.task === 'regression'")
    assert [run["kind"] for run in dashboard.lab("config")["runs"]] == ["linear_mse"]
    # A regression output is a number, not a class: its unit is filled with the ink, no class colour.
    page.locator("#network").scroll_into_view_if_needed()
    dashboard.wait_for("document.querySelector('#network circle[style*=\"fill\"]') !== null")
    fills = page.evaluate("""async () => {
        const { CLASS_COLORS, NEUTRAL, hexToRgb } = await import('/static/js/lib/colors.js');
        const rgb = (hex) => `rgb(${hexToRgb(hex).join(', ')})`;
        const units = [...document.querySelectorAll('#network circle')].filter((c) => c.style.fill);
        return { units: units.map((c) => getComputedStyle(c).fill), neutral: rgb(NEUTRAL), classes: CLASS_COLORS.map(rgb) };
    }""")
    assert fills["units"] == [fills["neutral"]]
    assert fills["neutral"] not in fills["classes"]

    page.select_option("#dataset", "circles")
    dashboard.wait_for("backpropLab.configured && backpropLab.configured.config.dataset.name === 'circles'")
    assert [run["kind"] for run in dashboard.lab("config")["runs"]] == ["sigmoid_mse", "softmax_ce"]
    assert page.locator("#run-kinds input:checked").evaluate_all("boxes => boxes.map((b) => b.value)") \
        == ["sigmoid_mse", "softmax_ce"]
    dashboard.wait_for("location.hash.includes('runs=sigmoid_mse,softmax_ce')")
    assert dashboard.console_errors == []
