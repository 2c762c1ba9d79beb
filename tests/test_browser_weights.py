"""Issue 19 in the page: the network drawing shows each link's weight from the frames, a link chosen with the keyboard
is edited live (the next frame's outputs are the test's own forward pass with the new weight), each hidden unit is
pictured over the plane, the boundary can be discretized and enlarged, and the network card has no axe violation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.sessions.experiment import NEURON_MAPS_SIZE
from browser import DESKTOP, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
CIRCLES = "#dataset=circles&hidden=4&runs=sigmoid_mse,softmax_ce"
ACTIVATIONS = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0),
               "linear": lambda z: z}


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(W: list, b: list, X: np.ndarray, hidden: str, output: str) -> np.ndarray:
    a = X
    for l, (w, v) in enumerate(zip(W, b)):
        z = a @ np.array(w).T + np.array(v)
        a = ACTIVATIONS[hidden](z) if l < len(W) - 1 else softmax(z) if output == "softmax" else ACTIVATIONS[output](z)
    return a


@pytest.fixture
def lab(chromium, live_server):
    context = chromium.new_context(viewport=DESKTOP, bypass_csp=True)  # axe is the test's own script
    dashboard = Dashboard(context.new_page(), live_server.url)
    yield dashboard
    assert dashboard.console_errors == []
    context.close()


def shown_run(dashboard: Dashboard) -> tuple[int, dict]:
    """The index and frame of the run the network drawing shows."""
    run_id = dashboard.page.locator("#network-run").input_value()
    frame = dashboard.lab("frame")
    r = [run["id"] for run in frame["runs"]].index(run_id)
    return r, frame


def test_links_show_the_frames_weights_and_a_keyboard_edit_changes_the_next_frames_outputs(lab):
    page = lab.page
    lab.open(CIRCLES)
    page.locator("#network").scroll_into_view_if_needed()
    lab.wait_for("document.querySelectorAll('#network line[data-weight]').length === 2 * 4 + 4 * 2")
    r, before = shown_run(lab)
    weights = before["runs"][r]["weights"]
    for line in page.locator("#network line[data-weight]").all():
        l, j, k = (int(line.get_attribute(f"data-{name}")) for name in ("layer", "j", "k"))
        assert float(line.get_attribute("data-weight")) == weights["W"][l][j][k]

    # Tab stop on the links, arrows to the fourth, Enter to its field.
    page.locator("#network line[tabindex='0']").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    focused = page.evaluate("() => ({...document.activeElement.dataset})")
    l, j, k = int(focused["layer"]), int(focused["j"]), int(focused["k"])
    assert (l, j, k) == (0, 1, 1)  # W[0] is (4, 2): links in row order
    readout = page.locator("#weight-editor .weight-readout")
    assert float(readout.get_attribute("data-value")) == weights["W"][l][j][k]
    assert float(readout.get_attribute("data-gradient")) == weights["grad_W"][l][j][k]
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "weight-value"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("2.5")
    page.keyboard.press("Enter")

    lab.wait_for(f"backpropLab.frame.runs[{r}].weights && backpropLab.frame.runs[{r}].weights.W[{l}][{j}][{k}] === 2.5")
    after = lab.lab("frame")
    assert after["step"] == before["step"]
    W = [np.array(w) for w in weights["W"]]
    W[l][j, k] = 2.5
    configured = lab.lab("configured")
    kind = configured["config"]["runs"][r]["kind"]
    output = "softmax" if kind.startswith("softmax") else "sigmoid"
    X = np.array(configured["inputs"])[: len(after["runs"][r]["outputs"])]
    expected = forward(W, weights["b"], X, configured["config"]["network"]["hidden_activation"], output)
    np.testing.assert_allclose(after["runs"][r]["outputs"], expected, rtol=1e-5, atol=1e-7)
    assert not np.allclose(after["runs"][r]["outputs"], before["runs"][r]["outputs"])
    other = 1 - r
    assert after["runs"][other]["weights"] == before["runs"][other]["weights"]
    # The link cannot carry the edit, and the page says so.
    assert [n.get("id") for n in lab.lab("notices")] == ["weight_edited"]
    assert page.locator("#link-notes").is_visible()
    line = page.locator(f"#network line[data-layer='{l}'][data-j='{j}'][data-k='{k}']")
    assert float(line.get_attribute("data-weight")) == 2.5

    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run('.network-card')).violations
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)""")
    assert violations == [], "\n".join(violations)


# From now on, every change inside a live region (aria-live, or role status or alert) of the network card, by the
# region's class: what a screen reader would read out.
WATCH_LIVE_REGIONS = """() => {
    window.liveChanges = [];
    const region = (node) => (node.nodeType === 1 ? node : node.parentElement)
        .closest('[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"]');
    new MutationObserver((records) => records.forEach((record) => {
        const live = region(record.target);
        if (live) window.liveChanges.push(live.className);
    })).observe(document.querySelector('.network-card'), { subtree: true, childList: true, characterData: true });
}"""


def test_a_chosen_link_is_not_read_out_at_every_frame_only_when_a_weight_is_sent(lab):
    page = lab.page
    lab.open(CIRCLES + "&speed=200")
    page.locator("#network").scroll_into_view_if_needed()
    lab.wait_for("document.querySelectorAll('#network line[data-weight]').length === 2 * 4 + 4 * 2")
    page.locator("#network line[tabindex='0']").focus()
    readout = page.locator("#weight-editor .weight-readout")
    assert readout.get_attribute("data-state") == "chosen"
    page.evaluate(WATCH_LIVE_REGIONS)
    page.click("#play")
    lab.wait_for("backpropLab.step > 200", timeout=30_000)
    lab.wait_for("backpropLab.framesDrawn > 0")
    page.click("#play")
    lab.wait_for("!backpropLab.playing")
    assert page.evaluate("window.liveChanges") == []  # the readout followed the weights silently
    assert float(readout.get_attribute("data-value")) != 0

    page.locator("#network line[tabindex='0']").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("1.5")
    page.keyboard.press("Enter")
    lab.wait_for("window.liveChanges.length > 0")
    assert set(page.evaluate("window.liveChanges")) == {"weight-status"}


def test_a_network_too_large_to_stream_its_weights_says_so_where_a_link_would_be_edited(lab):
    lab.open("#dataset=circles&hidden=40,40")  # 1,842 parameters, past hello.weights.max_parameters
    assert all(run.get("weights") is None for run in lab.lab("frame")["runs"])
    lab.page.locator("#network").scroll_into_view_if_needed()
    lab.wait_for("document.querySelector('#weight-editor .weight-readout').dataset.state !== undefined")
    assert lab.page.get_attribute("#weight-editor .weight-readout", "data-state") == "not-streamed"
    assert lab.page.locator("#weight-editor form").is_hidden()


@pytest.mark.parametrize("hidden, units", [("4", 4), ("3,2", 5)])
def test_each_hidden_unit_is_pictured_over_the_plane(lab, hidden, units):
    lab.open(f"#dataset=circles&hidden={hidden}")
    lab.page.locator("#neuron-maps").scroll_into_view_if_needed()
    size = NEURON_MAPS_SIZE
    lab.wait_for(f"document.querySelectorAll('#neuron-maps canvas.neuron-map').length === {units}"
                 f" && [...document.querySelectorAll('#neuron-maps canvas')].every((c) => c.width === {size})")
    # A picture, not a blank: each map's pixels differ over the plane (a little, for a second layer at step 0).
    spreads = lab.page.evaluate("""() => [...document.querySelectorAll('#neuron-maps canvas')].map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return new Set(Array.from({length: d.length / 4}, (_, i) => d[4 * i] * 65536 + d[4 * i + 1] * 256 + d[4 * i + 2])).size;
    })""")
    assert all(spread > 1 for spread in spreads), spreads


def test_no_neuron_maps_off_the_plane(lab):
    lab.open("#dataset=digits&hidden=4")
    lab.page.locator("#neuron-maps").scroll_into_view_if_needed()
    lab.wait_for("document.querySelector('#neuron-maps-note').textContent !== ''")
    assert lab.page.locator("#neuron-maps canvas").count() == 0


COLOURS_AWAY_FROM_DOTS = """() => {
  const canvas = document.querySelector('#boundaries canvas');
  const { width, height } = canvas;
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const { inputs, boundary } = window.backpropLab.configured;
  const [x0, x1, y0, y1] = boundary.extent;
  const dots = inputs.map(([x, y]) => [(x - x0) / (x1 - x0) * width, (y1 - y) / (y1 - y0) * height]);
  const colours = new Set();
  for (let py = 2; py < height - 2; py += 3) {
    for (let px = 2; px < width - 2; px += 3) {
      if (dots.some(([dx, dy]) => Math.hypot(dx - px, dy - py) < 10)) continue;
      const i = 4 * (py * width + px);
      colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    }
  }
  return [...colours];
}"""


def test_discretize_paints_the_boundary_in_two_colours_and_a_run_can_be_enlarged(lab):
    page = lab.page
    lab.open(CIRCLES + "&speed=max")
    page.click("#play")
    lab.wait_for("backpropLab.step > 600", timeout=30_000)
    page.click("#play")
    lab.wait_for("!backpropLab.playing")
    page.locator("#boundaries").scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the last grids are painted
    assert len(page.evaluate(COLOURS_AWAY_FROM_DOTS)) > 2  # shades of how sure
    page.check("#boundary-discretize")
    assert len(page.evaluate(COLOURS_AWAY_FROM_DOTS)) == 2  # one per class

    page.locator("#boundaries .enlarge").first.click()
    dialog = page.locator("dialog.boundary-large")
    assert dialog.is_visible()
    assert dialog.locator("canvas").bounding_box()["width"] > 2 * page.locator("#boundaries canvas").first.bounding_box()["width"] * 0.9
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
