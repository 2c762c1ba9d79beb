"""Issue 19, train/test split: the "Test data" field restarts training on the training part only; each run's test
loss and accuracy appear with the frame's numbers, the test loss has its own line in the loss chart, and a 3-class
set gets a confusion table whose cells count the test examples, with no axe violations on its card."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from browser import DESKTOP, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
BLOBS = "#dataset=blobs&runs=sigmoid_mse,softmax_ce"  # three classes

# Everything the page shows of the split, and the frame it shows, read in one go (the page may redraw meanwhile).
READ = """() => ({
  frame: backpropLab.frame,
  configured: backpropLab.configured,
  loss: [...document.querySelectorAll('#run-key li')].map((li) => [li.dataset.run, li.querySelector('.loss').textContent,
    li.querySelector('.accuracy').textContent]),
  legend: [...document.querySelectorAll('#loss-chart .u-legend .u-series .u-label')].map((n) => n.textContent),
  cells: [...document.querySelectorAll('#confusion table tbody td')].map((td) => Number(td.textContent)),
})"""


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def shown(value: float) -> float:
    """A number as the run key writes it: 3 significant digits."""
    return float(f"{value:.3g}")


# Each cell of the confusion table: its colours as computed, its share of the largest count, whether it is diagonal.
CELL_STYLES = """async () => {
    const colors = await import('/static/js/lib/colors.js');
    const family = [...Object.values(colors.PAIRING_COLORS), ...colors.CLASS_COLORS, colors.NEGATIVE, colors.POSITIVE,
                    ...colors.LAYER_COLORS].map((hex) => colors.hexToRgb(hex).join(','));
    const cells = [...document.querySelectorAll('#confusion table tbody td')].map((td) => {
        const style = getComputedStyle(td);
        return { right: td.classList.contains('right'), share: Number(td.style.getPropertyValue('--share')),
                 background: style.backgroundColor, color: style.color, weight: Number(style.fontWeight),
                 outline: style.outlineStyle === 'none' ? null : style.outlineColor };
    });
    return { cells, family };
}"""


def rgba(css: str) -> tuple[list[float], float]:
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    return parts[:3], parts[3] if len(parts) > 3 else 1.0


def luminance(rgb: list[float]) -> float:
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def assert_confusion_colours(page) -> None:
    """Counts shaded in no family's colour, ink text ≥ 4.5:1 on the darkest cell, the diagonal bold and outlined."""
    got = page.evaluate(CELL_STYLES)
    cells, family = got["cells"], set(got["family"])
    for cell in cells:
        for colour in (cell["background"], cell["outline"]):
            if colour:
                assert ",".join(str(int(c)) for c in rgba(colour)[0]) not in family, cell
        assert (cell["weight"] >= 600 and cell["outline"] is not None) == cell["right"], cell
    darkest = max(cells, key=lambda cell: cell["share"])
    assert darkest["share"] == 1
    (background, alpha), (text, _) = rgba(darkest["background"]), rgba(darkest["color"])
    shown = [255 + (c - 255) * alpha for c in background]  # over the white card
    assert (luminance(shown) + 0.05) / (luminance(text) + 0.05) >= 4.5, darkest


def test_test_data_gives_test_loss_accuracy_and_a_confusion_table(chromium, live_server):
    context = chromium.new_context(viewport=DESKTOP, bypass_csp=True)  # axe is a script of the test's own
    try:
        dashboard = Dashboard(context.new_page(), live_server.url).open(BLOBS)
        page = dashboard.page
        assert all(run["test_loss"] is None for run in dashboard.lab("frame")["runs"])
        page.fill("#test", "20")
        page.press("#test", "Enter")
        dashboard.wait_for("backpropLab.configured && backpropLab.configured.test_inputs.length > 0"
                           " && backpropLab.frame && backpropLab.frame.runs.every((run) => run.test_loss !== null)")
        assert "test=20" in unquote(page.url.split("#", 1)[1]).split("&")
        assert dashboard.lab("config")["dataset"]["test_fraction"] == 0.2
        page.click("#step")
        dashboard.wait_for("backpropLab.step >= 1 && backpropLab.frame && backpropLab.frame.step >= 1")
        page.locator(".confusion-card").scroll_into_view_if_needed()  # views off screen are not drawn
        dashboard.wait_for("document.querySelectorAll('#confusion table tbody td').length === 9")
        got = page.evaluate(READ)
        frame, configured = got["frame"], got["configured"]
        tested = len(configured["test_inputs"])
        assert tested == 39 and len(configured["inputs"]) == 161  # 13 of each class held out

        for (run_id, loss_text, accuracy_text), run in zip(got["loss"], frame["runs"]):
            assert run_id == run["id"]
            assert numbers(loss_text) == [shown(run["loss"]), shown(run["test_loss"])]
            assert numbers(accuracy_text) == [shown(100 * run["accuracy"]), shown(100 * run["test_accuracy"])]

        names = [label for label in got["legend"] if label.endswith(": test")]
        assert len(names) == len(frame["runs"])

        shown_run = page.input_value("#confusion-run")
        matrix = next(run["confusion"] for run in frame["runs"] if run["id"] == shown_run)
        assert got["cells"] == [count for row in matrix for count in row]
        assert sum(got["cells"]) == tested

        assert_confusion_colours(page)
        page.add_script_tag(path=str(AXE))
        axe = """async () => (await axe.run('.confusion-card')).violations
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"""
        assert page.evaluate(axe) == []
        assert dashboard.console_errors == []
    finally:
        context.close()


def test_a_test_share_that_holds_out_nothing_is_shown_beside_its_field(dashboard):
    page = dashboard.page
    dashboard.open("#dataset=two-points")
    page.fill("#test", "50")
    page.press("#test", "Enter")
    error = page.locator('[data-field="dataset.test_fraction"] .field-error')
    error.wait_for(state="visible")
    assert error.text_content()
