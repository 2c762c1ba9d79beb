"""The dashboard in a real browser: Debian's Chromium against a live server on loopback.

What a learner does: open the page, press play, step, share a link, type a wrong value, break a network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser import ARTIFACTS, DESKTOP, PHONE, new_dashboard

pytestmark = pytest.mark.browser

FIVE_RUNS = "runs=sigmoid_mse,sigmoid_bce,softmax_ce,softmax_mse,softmax_mse_elementwise"
FRAME_OF_LATEST_CONFIG = (
    "backpropLab.frame && backpropLab.configured && backpropLab.config"
    " && JSON.stringify(backpropLab.configured.config.network.hidden_layers)"
    "    === JSON.stringify(backpropLab.config.network.hidden_layers)"
    " && backpropLab.configured.config.network.seed === backpropLab.config.network.seed"
    " && backpropLab.frame.runs.length === backpropLab.config.runs.length"
)


def overlapping_boxes(page, selector: str) -> list[str]:
    """Pairs of visible elements matching `selector` whose boxes overlap (by more than a pixel)."""
    return page.evaluate(
        """(selector) => {
            const boxes = [...document.querySelectorAll(selector)]
              .filter((e) => e.offsetParent !== null)
              .map((e) => ({ name: e.id || e.className || e.tagName, r: e.getBoundingClientRect() }));
            const hits = [];
            for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
              const a = boxes[i].r, b = boxes[j].r;
              const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
              const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
              if (x > 1 && y > 1) hits.push(`${boxes[i].name} / ${boxes[j].name}`);
            }
            return hits;
        }""",
        selector,
    )


def test_page_loads_and_draws_every_view_without_console_errors(dashboard):
    dashboard.open()
    page = dashboard.page
    assert dashboard.lab("connection") == "open"
    assert dashboard.lab("frame")["step"] == 0
    assert page.locator("#loss-chart canvas").count() == 1
    assert page.locator("#outputs-charts .mini-chart").count() == 2
    dashboard.wait_for("document.querySelectorAll('#boundaries canvas').length === 2")
    assert page.locator("#network svg line").count() > 0
    assert page.locator("#math .katex").count() > 4
    assert page.locator("#run-key li").count() == 2
    assert dashboard.console_errors == []


def test_softmax_ce_reaches_the_labels_before_sigmoid_mse(dashboard):
    dashboard.open("#dataset=two-points&runs=sigmoid_mse,softmax_ce&speed=200")
    page = dashboard.page
    page.click("#play")
    dashboard.wait_for("backpropLab.playing && backpropLab.lossPoints > 10")  # the loss chart advances
    dashboard.wait_for("'softmax-ce' in backpropLab.converged && 'sigmoid-mse' in backpropLab.converged", 30_000)
    converged = dashboard.lab("converged")
    assert converged["softmax-ce"] < converged["sigmoid-mse"]
    badge = page.locator('#run-key li[data-run="softmax-ce"] .badge')
    assert badge.inner_text() == f"reached the labels at step {converged['softmax-ce']}"
    page.click("#play")  # pause
    dashboard.wait_for("!backpropLab.playing")
    assert dashboard.console_errors == []


def test_step_advances_exactly_one_step(dashboard):
    dashboard.open()
    page = dashboard.page
    page.click("#step")
    dashboard.wait_for("backpropLab.frame.step === 1")
    page.wait_for_timeout(400)  # nothing more arrives on its own
    assert dashboard.lab("frame")["step"] == 1
    assert page.locator("#step-counter").inner_text() == "step 1"
    page.click("#step")
    dashboard.wait_for("backpropLab.frame.step === 2")
    assert dashboard.lab("lossPoints") == 3
    page.click("#reset")
    dashboard.wait_for("backpropLab.frame.step === 0")
    assert dashboard.lab("lossPoints") == 1  # the curves start again


def test_a_copied_link_reproduces_the_experiment(dashboard, chromium, live_server):
    dashboard.open()
    page = dashboard.page
    page.select_option("#dataset", "near-twins")
    page.fill("#param-eps", "0.3")
    page.press("#param-eps", "Enter")
    page.fill("#hidden", "4,3")
    page.press("#hidden", "Enter")
    page.select_option("#activation", "tanh")
    page.select_option("#init", "xavier")
    page.fill("#seed", "3")
    page.press("#seed", "Enter")
    page.check("#kind-sigmoid_bce")
    page.select_option("#optimizer", "momentum")
    page.fill("#lr", "0.2")
    page.press("#lr", "Enter")
    page.select_option("#batchMode", "one")
    dashboard.wait_for(FRAME_OF_LATEST_CONFIG + " && backpropLab.configured.config.batch_size === 1")
    config = dashboard.lab("config")
    assert config["dataset"] == {"name": "near-twins", "params": {"eps": 0.3}, "seed": 0}
    assert config["network"] == {"hidden_layers": [4, 3], "hidden_activation": "tanh", "init": "xavier", "seed": 3}
    assert [run["kind"] for run in config["runs"]] == ["sigmoid_mse", "sigmoid_bce", "softmax_ce"]
    assert config["optimizer"] == {"name": "momentum", "learning_rate": 0.2}
    losses = [run["loss"] for run in dashboard.lab("frame")["runs"]]

    context, other = new_dashboard(chromium, live_server, DESKTOP)
    try:
        other.open("#" + page.url.split("#", 1)[1])
        other.wait_for(FRAME_OF_LATEST_CONFIG)
        assert other.lab("config") == config
        assert [run["loss"] for run in other.lab("frame")["runs"]] == losses
        assert other.page.input_value("#hidden") == "4,3"
        assert other.page.input_value("#param-eps") == "0.3"
        assert other.page.input_value("#batchMode") == "one"
        assert other.console_errors == []
    finally:
        context.close()


def test_eps_out_of_bounds_shows_the_server_error_next_to_eps(dashboard):
    dashboard.open("#dataset=near-twins")
    page = dashboard.page
    page.fill("#param-eps", "5")
    page.press("#param-eps", "Enter")
    error = page.locator('[data-field="dataset.params.eps"] .field-error')
    error.wait_for(state="visible")
    assert "between 0 and 1" in error.inner_text()
    assert page.get_attribute("#param-eps", "aria-invalid") == "true"
    assert page.locator("#general-error").is_hidden()
    page.fill("#param-eps", "0.5")
    page.press("#param-eps", "Enter")
    error.wait_for(state="hidden")
    dashboard.wait_for("backpropLab.configured.config.dataset.params.eps === 0.5")


def test_hidden_layers_that_are_not_numbers_show_an_error_and_send_nothing(dashboard):
    dashboard.open()
    page = dashboard.page
    before = dashboard.lab("config")
    page.fill("#hidden", "abc")
    page.press("#hidden", "Enter")
    error = page.locator('[data-field="network.hidden_layers"] .field-error')
    error.wait_for(state="visible")
    assert "whole numbers separated by commas" in error.inner_text()
    assert dashboard.lab("config") == before


def test_a_collapsed_network_gets_a_diagnosis_in_plain_words(dashboard):
    # 16-8-2, sigmoid, normal init, weight seed 2, pixels of 255: every run gets stuck at [0.5, 0.5].
    dashboard.open("#dataset=raw-pixels&data.scaled=false&hidden=8&activation=sigmoid&init=normal&seed=2"
                   "&runs=sigmoid_mse,softmax_ce&speed=max")
    page = dashboard.page
    page.click("#play")
    banner = page.locator("#diagnosis")
    banner.wait_for(state="visible", timeout=20_000)
    text = banner.inner_text()
    assert "Stuck at the mean label" in text
    assert "What to try" in text and "divide by 255" in text
    assert "saturated" in text  # one of the causes
    page.click("#play")
    page.click("#diagnosis .dismiss")
    banner.wait_for(state="hidden")


def test_example_selector_and_gradient_check(dashboard):
    dashboard.open()
    page = dashboard.page
    page.select_option("#example", "1")
    dashboard.wait_for("backpropLab.frame.runs.every((run) => run.output.example === 1)")
    assert "example=1" in page.url
    page.click("#gradcheck")
    dashboard.wait_for("Object.keys(backpropLab.gradcheck).length === 2")
    rows = page.locator(".gradcheck-table tr.ok")
    rows.nth(3).wait_for()  # the math panel redraws four times a second
    assert rows.count() == 4  # two runs, two layers each, all agreeing with central differences


def test_loss_history_csv_and_chart_png_downloads(dashboard):
    dashboard.open()
    page = dashboard.page
    page.click("#step")
    dashboard.wait_for("backpropLab.frame.step === 1")
    with page.expect_download() as download:
        page.click("#download-csv")
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "step,run,kind,mistake,measured_on,loss"
    rows = [line.split(",")[:4] for line in lines[1:]]
    assert rows == [["0", "sigmoid-mse", "sigmoid_mse", ""], ["0", "softmax-ce", "softmax_ce", ""],
                    ["1", "sigmoid-mse", "sigmoid_mse", ""], ["1", "softmax-ce", "softmax_ce", ""]]
    with page.expect_download() as download:
        page.click('button[data-png="loss"]')
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def run_key_item(page, run_id: str):
    return page.locator(f'#run-key li[data-run="{run_id}"]')


def test_save_shows_a_linked_confirmation_and_the_model_is_in_the_store(dashboard, live_server):
    dashboard.open("#runs=sigmoid_mse,softmax_ce")
    page = dashboard.page
    for step in (1, 2, 3):
        page.click("#step")
        dashboard.wait_for(f"backpropLab.frame.step === {step}")
    item = run_key_item(page, "softmax-ce")
    save = item.get_by_role("button", name="Save")  # "Save softmax + CE": it names its run
    save.focus()  # reachable from the keyboard, and Enter presses it
    page.keyboard.press("Enter")
    link = item.locator(".model-note a")
    link.wait_for()
    note = item.locator(".model-note").inner_text()
    assert note == "saved as 'softmax_ce on two-points, step 3'", note
    found = re.fullmatch(r"api/models/([A-Za-z0-9_-]{22})", link.get_attribute("href"))  # relative: a root path works
    assert found, link.get_attribute("href")
    model_id = found[1]
    keys = json.loads(page.evaluate("localStorage.getItem('backprop-lab.owner-keys')"))
    assert list(keys) == [model_id] and len(keys[model_id]["key"]) == 22  # this browser owns it
    assert link.evaluate("a => a.href") == f"{live_server.url}api/models/{model_id}"
    assert run_key_item(page, "sigmoid-mse").locator(".model-note").inner_text() == ""  # only the run saved

    listed = page.request.get(f"{live_server.url}api/models").json()["items"]
    mine = [m for m in listed if m["id"] == model_id]
    assert len(mine) == 1
    assert mine[0]["name"] == "softmax_ce on two-points, step 3"
    assert mine[0]["kind"] == "softmax_ce" and mine[0]["source"] == "socket"
    assert mine[0]["layer_sizes"] == dashboard.lab("configured")["layer_sizes"] == [2, 8, 2]

    # The link opens the stored model's JSON in a new tab; the live session stays where it is.
    with page.context.expect_page() as tab:
        link.click()
    tab.value.wait_for_load_state()
    shown = json.loads(tab.value.locator("pre").first.inner_text())
    assert shown["id"] == model_id and shown["model"]["layer_sizes"] == [2, 8, 2]
    tab.value.close()
    assert dashboard.lab("connection") == "open"
    assert dashboard.console_errors == []


def test_download_model_saves_the_runs_network_as_json(dashboard):
    dashboard.open("#hidden=5,3&activation=tanh&runs=sigmoid_mse,softmax_ce")
    page = dashboard.page
    page.click("#step")
    dashboard.wait_for("backpropLab.frame.step === 1")
    with page.expect_download() as download:
        run_key_item(page, "softmax-ce").get_by_role("button", name="Download model").click()
    assert download.value.suggested_filename == "softmax_ce-step1.json"
    text = Path(download.value.path()).read_text()
    assert text.startswith('{\n  "layer_sizes": [')  # pretty-printed
    document = json.loads(text)
    sizes = document["layer_sizes"]
    assert sizes == [2, 5, 3, 2] == dashboard.lab("configured")["layer_sizes"]
    assert document["hidden_activation"] == "tanh"
    assert (document["output_activation"], document["loss"]) == ("softmax", "cross_entropy")
    # W[l] is [n_out][n_in], b[l] is [n_out]: one of each per weight layer.
    assert [(len(W), {len(row) for row in W}) for W in document["W"]] == [(5, {2}), (3, {5}), (2, {3})]
    assert [len(b) for b in document["b"]] == [5, 3, 2]
    assert dashboard.console_errors == []


def test_a_failed_download_shows_the_servers_error_beside_that_runs_buttons(dashboard):
    """The page never names a run the server lacks, so the socket is told a wrong one on the way."""
    def rename_the_run(ws):
        server = ws.connect_to_server()

        def to_server(message):
            if isinstance(message, str) and json.loads(message).get("type") == "model" and not sent_wrong:
                sent_wrong.append(True)
                message = json.dumps({"type": "model", "run": "nope"})
            server.send(message)
        ws.on_message(to_server)

    sent_wrong: list[bool] = []
    page = dashboard.page
    page.route_web_socket("**/ws", rename_the_run)
    dashboard.open("#runs=sigmoid_mse,softmax_ce")
    item = run_key_item(page, "softmax-ce")
    download = item.get_by_role("button", name="Download model")
    download.click()
    note = item.locator(".model-note.error")
    note.wait_for()
    assert note.inner_text().startswith("Download failed: ")
    error = page.evaluate("backpropLab.models['softmax-ce'].error")
    assert (error["type"], error["code"]) == ("model", "unknown_run")
    assert page.locator("#general-error").is_hidden()
    assert run_key_item(page, "sigmoid-mse").locator(".model-note").inner_text() == ""
    with page.expect_download() as file:
        download.click()  # the next try goes through, and the error goes away
    assert file.value.suggested_filename == "softmax_ce-step0.json"
    note.wait_for(state="detached")
    assert dashboard.console_errors == []


def test_a_closed_socket_offers_reconnect_which_configures_from_the_link(dashboard):
    sockets = []

    def through_to_server(ws):
        sockets.append(ws)
        ws.connect_to_server()

    page = dashboard.page
    page.route_web_socket("**/ws", through_to_server)
    dashboard.open("#hidden=5&seed=4")
    config = dashboard.lab("config")
    sockets[-1].close()
    page.locator("#reconnect").wait_for(state="visible")
    page.click("#reconnect")
    dashboard.wait_for("backpropLab.connection === 'open' && backpropLab.frame && backpropLab.frame.step === 0")
    assert len(sockets) == 2
    assert dashboard.lab("config") == config
    assert page.locator("#reconnect").is_hidden()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_layout_fits_without_overlaps_and_screenshots(chromium, live_server, viewport):
    context, board = new_dashboard(chromium, live_server, viewport)
    try:
        board.open(f"#{FIVE_RUNS}&speed=200")
        page = board.page
        page.click("#play")
        board.wait_for("backpropLab.step > 300", 20_000)
        page.click("#play")
        board.wait_for("!backpropLab.playing")
        page.wait_for_timeout(300)  # the math panel refreshes four times a second
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert overlapping_boxes(page, ".controls, .views > .card") == []
        assert overlapping_boxes(page, ".topbar button, #step-counter, #connection") == []
        assert overlapping_boxes(page, "#settings .field") == []
        assert overlapping_boxes(page, "#run-key li") == []
        assert overlapping_boxes(page, "#run-key button, #run-key .run-name, #run-key .loss") == []
        name = f"dashboard-{viewport['width']}x{viewport['height']}.png"
        board.screenshot(name)
        page.screenshot(path=str(ARTIFACTS / name.replace(".png", "-full.png")), full_page=True)
        assert board.console_errors == []
    finally:
        context.close()
