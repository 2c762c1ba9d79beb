"""Issue 17, the exports: the loss CSV has every step at full resolution with a column saying what each loss is
measured on (a mini-batch history never mixed unlabelled with the full-data current step), and each PNG carries
its title uncut and a legend whose swatches are in the palette's colours (static/js/lib/colors.js)."""

from __future__ import annotations

import base64
import csv
import io
from pathlib import Path

import pytest

from browser import Dashboard

pytestmark = pytest.mark.browser

STEPS = 17  # test losses at 0, 8, 16 and the current step
BLOBS = "#dataset=blobs&batch=10&test=20&runs=sigmoid_mse,softmax_ce"  # three classes, mini-batches, a test part

# The downloaded PNG decoded in the page: its size, the title's drawn width and where its ink ends, and for each
# colour whether a solid w×h block of exactly that colour is anywhere in it (chart lines are 2 px wide, data dots
# round: only a legend swatch or key box is a solid block).
INSPECT = """async ({ png, title, colors, block }) => {
    const picture = await import('/static/js/lib/picture.js');
    const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    ctx.font = picture.TITLE_FONT;
    const ratio = devicePixelRatio;
    const titleWidth = ctx.measureText(title).width * ratio;
    // The title's ink: the rightmost non-white pixel in the title's line.
    let inkEnd = 0;
    for (let y = 0; y < Math.round(32 * ratio); y++) {
        for (let x = 0; x < width; x++) {
            const i = (y * width + x) * 4;
            if (data[i] < 200 && x > inkEnd) inkEnd = x;
        }
    }
    const [w, h] = block.map((v) => Math.round(v * ratio));
    const rgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
    const solid = (x0, y0, [r, g, b]) => {
        for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) {
            const i = (y * width + x) * 4;
            if (data[i] !== r || data[i + 1] !== g || data[i + 2] !== b) return false;
        }
        return true;
    };
    const found = {};
    for (const hex of colors) {
        const c = rgb(hex);
        found[hex] = false;
        for (let y = 0; y + h <= height && !found[hex]; y++) for (let x = 0; x + w <= width; x++) {
            if (solid(x, y, c)) { found[hex] = true; break; }
        }
    }
    return { width, height, titleWidth, inkEnd, found, ratio };
}"""


def download(page, selector: str) -> bytes:
    with page.expect_download() as done:
        page.click(selector)
    return Path(done.value.path()).read_bytes()


def step_to(dashboard: Dashboard, steps: int) -> None:
    for step in range(1, steps + 1):
        dashboard.page.click("#step")
        dashboard.wait_for(f"backpropLab.frame.step === {step}")


def test_the_loss_csv_has_every_step_and_says_which_loss_each_row_is(dashboard):
    dashboard.open(BLOBS)
    page = dashboard.page
    step_to(dashboard, STEPS)
    frame = dashboard.lab("frame")
    runs = [(run["id"], run["kind"]) for run in dashboard.lab("configured")["config"]["runs"]]
    rows = list(csv.DictReader(io.StringIO(download(page, "#download-csv").decode())))
    assert list(rows[0]) == ["step", "run", "kind", "mistake", "measured_on", "loss"]
    trained = [row for row in rows if row["measured_on"] != "test_set"]
    assert [(int(row["step"]), row["run"], row["kind"]) for row in trained] == [
        (step, run, kind) for step in range(STEPS + 1) for run, kind in runs]
    # Each step taken: its mini-batch's loss; the current step: the training set's, as the frame shows it.
    assert [row["measured_on"] for row in trained] == ["batch"] * STEPS * len(runs) + ["training_set"] * len(runs)
    assert all(float(row["loss"]) > 0 for row in trained)
    last = {row["run"]: float(row["loss"]) for row in trained if int(row["step"]) == STEPS}
    assert last == pytest.approx({run["id"]: run["loss"] for run in frame["runs"]}, rel=1e-12)
    tested = [row for row in rows if row["measured_on"] == "test_set"]
    assert sorted({int(row["step"]) for row in tested}) == [0, 8, 16, STEPS]
    assert {row["run"]: float(row["loss"]) for row in tested if int(row["step"]) == STEPS} == pytest.approx(
        {run["id"]: run["test_loss"] for run in frame["runs"]}, rel=1e-12)
    assert all(row["mistake"] == "" for row in rows)


# A boundary canvas with its grid painted: its centre is no longer the empty background (#f4f5f8).
PAINTED = "(c) => c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data[2] !== 248"
# card (its PNG button's data-png): the view's container, what says it is drawn, the picture's title
CARDS = {
    "loss": ("#loss-chart", "document.querySelector('#loss-chart canvas')", "Loss"),
    "outputs": ("#outputs-charts", "document.querySelectorAll('#outputs-charts canvas').length === 2",
                "Outputs per example"),
    "gradients": ("#gradients", "document.querySelectorAll('#gradients .chart canvas').length === 2",
                  "Gradients per layer: ‖∂C/∂W‖"),
    "boundary": ("#boundaries", f"[...document.querySelectorAll('#boundaries canvas')].filter({PAINTED}).length === 2",
                 "Decision boundary"),
}


def palette(page) -> dict:
    return page.evaluate("""async () => {
        const colors = await import('/static/js/lib/colors.js');
        return { pairings: colors.PAIRING_COLORS, classes: colors.CLASS_COLORS, layers: colors.LAYER_COLORS };
    }""")


@pytest.mark.parametrize("card", list(CARDS))
def test_each_png_carries_its_whole_title_and_a_legend_in_the_palettes_colours(dashboard, card):
    dashboard.open(BLOBS)
    page = dashboard.page
    step_to(dashboard, 3)
    container, drawn, title = CARDS[card]
    page.locator(container).scroll_into_view_if_needed()
    dashboard.wait_for(drawn)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    colors = palette(page)
    kinds = [run["kind"] for run in dashboard.lab("configured")["config"]["runs"]]
    expected = {"runs": [colors["pairings"][kind] for kind in kinds]}  # the loss legend's, or each panel's swatch
    if card == "gradients":
        expected["layers"] = colors["layers"][:2]  # a hidden layer: two weight layers
    if card == "boundary":
        expected["classes"] = colors["classes"][:3]
    png = download(page, f'button[data-png="{card}"]')
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    found = {}
    for name, hexes in expected.items():
        block = [10, 10] if name == "classes" else [6, 5]  # a key's box, a line's swatch
        seen = page.evaluate(INSPECT, {"png": base64.b64encode(png).decode(), "title": title, "colors": hexes,
                                       "block": block})
        found[name] = seen["found"]
        assert seen["width"] >= seen["titleWidth"] + 12 * seen["ratio"], seen  # never "Decision bounda"
        assert seen["inkEnd"] >= seen["titleWidth"], seen  # the title's ink reaches its end (it starts 12 px in)
    assert found == {name: {hex_: True for hex_ in hexes} for name, hexes in expected.items()}
