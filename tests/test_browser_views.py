"""Issue 17: each view says what it shows. The run key keeps its place, the disconnect note names the button
that works, the network's labels stay apart, the gradient histograms have axes and a caption, the run buttons and
the charts speak to screen readers, and "Try this" brings the claim's view into sight."""

from __future__ import annotations

import pytest

from browser import DESKTOP, PHONE, new_dashboard

pytestmark = pytest.mark.browser

TWO_RUNS = "#dataset=two-points&runs=sigmoid_mse,softmax_ce"

BOXES = "(selector) => [...document.querySelectorAll(selector)].map((e) => e.getBoundingClientRect().toJSON())"

# Pairs of boxes (x, y, width, height) that overlap by more than half a pixel both ways.
OVERLAPS = """(selector) => {
    const boxes = [...document.querySelectorAll(selector)].map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0);
    const hits = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 0.5 && y > 0.5) hits.push([boxes[i].e.outerHTML.slice(0, 80), boxes[j].e.outerHTML.slice(0, 80)]);
    }
    return hits;
}"""


def test_the_run_key_keeps_its_rows_when_a_badge_appears(dashboard):
    dashboard.open(TWO_RUNS + "&speed=1000")
    page = dashboard.page
    before = page.evaluate(BOXES, "#run-key li, .loss-card")
    assert page.locator("#run-key .badge[data-shown]").count() == 0
    page.click("#play")
    dashboard.wait_for("'softmax-ce' in backpropLab.converged", 30_000)
    dashboard.wait_for("document.querySelector('#run-key li[data-run=\"softmax-ce\"] .badge[data-shown]')")
    page.click("#play")
    dashboard.wait_for("!backpropLab.playing")
    assert page.evaluate(BOXES, "#run-key li, .loss-card") == before
    assert dashboard.console_errors == []


def test_run_buttons_name_their_run_for_screen_readers(dashboard):
    dashboard.open(TWO_RUNS)
    page = dashboard.page
    labels = []
    for item in page.locator("#run-key li").all():
        name = item.locator(".run-name").inner_text()
        for action in ("save", "model"):
            button = item.locator(f'button[data-action="{action}"]')
            label = button.get_attribute("aria-label")
            assert name in label and button.inner_text() in label  # the visible words stay in the name
            labels.append(label)
    assert len(labels) == 4 and len(set(labels)) == 4


def routed_sockets(page) -> list:
    """Every socket the page opens, passed through to the server: [(page side, server side)]."""
    sockets = []

    def through_to_server(ws):
        sockets.append((ws, ws.connect_to_server()))

    page.route_web_socket("**/ws", through_to_server)
    return sockets


@pytest.mark.parametrize("close", ["server restart", "message too large"])
def test_after_a_close_the_note_names_reconnect_and_reconnect_works(dashboard, close):
    page = dashboard.page
    sockets = routed_sockets(page)
    dashboard.open(TWO_RUNS)
    page_side, server_side = sockets[-1]
    if close == "server restart":
        page_side.close(code=1012)  # what uvicorn sends every socket when it shuts down
    else:
        server_side.send("x" * 100_000)  # the server closes with 1009
    page.locator("#reconnect").wait_for(state="visible")
    status = page.locator("#connection")
    assert status.get_attribute("data-state") == "closed"
    assert page.locator("#reconnect").inner_text() in status.inner_text()  # the note names the button shown
    page.click("#reconnect")
    dashboard.wait_for("backpropLab.connection === 'open' && backpropLab.frame && backpropLab.frame.step === 0")
    page.click("#step")
    dashboard.wait_for("backpropLab.frame.step === 1")  # a working session
    assert len(sockets) == 2 and page.locator("#reconnect").is_hidden()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
@pytest.mark.parametrize("hidden", ["8,8,8", "64,64,64", "3,64,5,2"])
def test_the_network_drawing_labels_do_not_overlap(chromium, live_server, viewport, hidden):
    context, board = new_dashboard(chromium, live_server, viewport)
    try:
        board.open(f"#dataset=two-points&hidden={hidden}&runs=sigmoid_mse,softmax_ce")
        page = board.page
        page.locator("#network").scroll_into_view_if_needed()
        page.locator("#network .layer-label").first.wait_for()  # drawn once on screen
        board.wait_for("backpropLab.framesDrawn > 0 && document.querySelector('#network-note').textContent !== ''")
        layers = len(hidden.split(",")) + 2
        assert page.locator("#network .layer-label").count() == layers
        for selector in ("#network text", "#network text, #network circle"):
            assert page.evaluate(OVERLAPS, selector) == []
        card = page.locator(".network-card").bounding_box()
        for box in page.evaluate(BOXES, "#network text"):
            assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
        assert page.locator("#network circle").count() <= layers * 10  # long layers are summarised
        assert board.console_errors == []
    finally:
        context.close()


PRESS_PLAY = "document.getElementById('play').click()"  # without scrolling to it: the charts stay on screen

HISTOGRAM_DRAWS = """() => {
    window.histogramDraws = 0;
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (...args) {
      if (this.closest('.histogram')) window.histogramDraws += 1;
      return original.apply(this, args);
    };
    // Reading a histogram's size while drawing forces a layout after the draws' DOM writes: counted, to be none.
    window.histogramSizeReads = 0;
    for (const name of ['clientWidth', 'clientHeight']) {
      const getter = Object.getOwnPropertyDescriptor(Element.prototype, name).get;
      Object.defineProperty(Element.prototype, name, { configurable: true, get() {
        if (this.closest?.('.histogram')) window.histogramSizeReads += 1;
        return getter.call(this);
      } });
    }
}"""


def test_gradient_histograms_have_axes_a_caption_and_draw_a_few_times_a_second(dashboard):
    dashboard.open(TWO_RUNS + "&hidden=4&speed=200")
    page = dashboard.page
    page.locator(".gradients-card").scroll_into_view_if_needed()  # views off screen are not drawn
    page.locator("#gradients .histograms-caption").first.wait_for()
    assert page.locator("#gradients .histograms-caption").count() == 2  # one per run
    page.evaluate(HISTOGRAM_DRAWS)
    page.evaluate("document.getElementById('gradients').scrollIntoView()")  # where it is now that it is drawn
    drawn_before = dashboard.lab("framesDrawn")
    page.evaluate(PRESS_PLAY)
    page.wait_for_timeout(2000)
    page.evaluate(PRESS_PLAY)
    dashboard.wait_for("!backpropLab.playing")
    page.wait_for_timeout(400)  # the last numbers are drawn once the throttle allows
    frames = dashboard.lab("framesDrawn") - drawn_before
    draws = page.evaluate("window.histogramDraws")
    assert frames > 20
    assert page.evaluate("window.histogramSizeReads") == 0
    assert 4 * 3 <= draws <= 4 * (2.4 * 5 + 2)  # four histograms, at most about five times a second each
    frame = dashboard.lab("frame")
    for r, run in enumerate(frame["runs"]):
        cells = page.locator(f"#gradients .mini-chart:nth-child({r + 1}) .histogram").all()
        assert len(cells) == len(run["layers"]) == 2
        for cell, layer in zip(cells, run["layers"]):
            histogram = layer["histogram"]
            low, high = (float(cell.locator(f".axis-{end}").get_attribute("data-value")) for end in ("low", "high"))
            assert low == pytest.approx(-histogram["max_abs"]) and high == pytest.approx(histogram["max_abs"])
            assert int(cell.locator(".axis-count").get_attribute("data-value")) == max(histogram["counts"])
            assert cell.locator("canvas").get_attribute("data-counts") == " ".join(map(str, histogram["counts"]))
    assert dashboard.console_errors == []


def test_charts_have_a_text_summary_of_their_latest_values(dashboard):
    dashboard.open(TWO_RUNS + "&speed=200")
    page = dashboard.page
    for card in (".loss-card", ".outputs-card", ".gradients-card"):
        summary = page.locator(f"{card} .chart-summary")
        assert summary.count() == 1 and summary.get_attribute("aria-live") == "off"
    page.evaluate("""() => {
        window.summaryWrites = 0;
        new MutationObserver(() => { window.summaryWrites += 1; })
          .observe(document.querySelector('.loss-card .chart-summary'), { childList: true, subtree: true, characterData: true });
    }""")
    page.click("#play")
    page.wait_for_timeout(2000)
    page.click("#play")
    dashboard.wait_for("!backpropLab.playing")
    page.wait_for_timeout(400)
    assert 2 <= page.evaluate("window.summaryWrites") <= 2.4 * 5 + 2
    frame = dashboard.lab("frame")
    loss = page.locator(".loss-card .chart-summary")
    assert int(loss.get_attribute("data-step")) == frame["step"]
    for run in frame["runs"]:
        item = loss.locator(f'[data-run="{run["id"]}"]')
        assert float(item.get_attribute("data-value")) == pytest.approx(run["loss"], rel=1e-3)
    outputs = page.locator(".outputs-card .chart-summary")
    assert int(outputs.get_attribute("data-step")) == frame["step"]
    assert outputs.locator("[data-run]").count() == len(frame["runs"])
    gradients = page.locator(".gradients-card .chart-summary")
    for run in frame["runs"]:
        values = gradients.locator(f'[data-run="{run["id"]}"]').get_attribute("data-value").split()
        assert [float(v) for v in values] == pytest.approx([layer["grad_W_norm"] for layer in run["layers"]], rel=1e-3)
    assert dashboard.console_errors == []


# The card's top is on screen, and so is (nearly) all of it that the screen can hold.
IN_VIEW = """(selector) => {
    const r = document.querySelector(selector).getBoundingClientRect();
    const visible = Math.min(r.bottom, innerHeight) - Math.max(r.top, 0);
    return r.top > -2 && visible >= 0.9 * Math.min(r.height, innerHeight);
}"""


@pytest.mark.parametrize(("lesson", "card"), [(4, ".loss-card"), (1, ".outputs-card")])
def test_try_this_brings_the_claims_view_into_sight(dashboard, lesson, card):
    dashboard.open(f"#lesson={lesson}")
    page = dashboard.page
    page.locator("#lesson-try").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    page.click("#lesson-try")
    dashboard.wait_for("backpropLab.playing")
    page.wait_for_function(f"() => ({IN_VIEW})({card!r})", timeout=3000)
    assert page.evaluate(IN_VIEW, card)
    assert dashboard.console_errors == []
