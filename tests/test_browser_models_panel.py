"""The "Saved models" panel in a real browser: a run saved from the page appears in it; "Start from these weights"
makes every run start from it (the first frame's outputs are the saved model's predictions, POST
/api/models/{id}/predict); the JSON export is the document GET /api/models/{id} holds and the ONNX export runs in
onnxruntime to the same predictions; an export the server refuses is said in the panel; "Delete" removes the model
(the API then answers 404); a model without its owner key here cannot be deleted and says so."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime
import pytest

from browser import DESKTOP, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
LINK = "#dataset=two-points&hidden=3&runs=sigmoid_mse,softmax_ce"


@pytest.fixture
def lab(chromium, live_server):
    # axe is injected as a script of the test's own: only that needs the page's policy bypassed.
    context = chromium.new_context(viewport=DESKTOP, bypass_csp=True, accept_downloads=True)
    yield Dashboard(context.new_page(), live_server.url).open(LINK)
    context.close()


def save_softmax_run(lab: Dashboard, steps: int = 30) -> dict:
    """Step the experiment, save the softmax + CE run with its "Save" button; the saved model's summary."""
    page = lab.page
    page.click("#play")
    lab.wait_for(f"window.backpropLab.frame.step >= {steps}")
    page.click("#play")  # pause
    lab.wait_for("!window.backpropLab.playing")
    page.click('#run-key li[data-run="softmax-ce"] [data-action="save"]')
    lab.wait_for("Object.values(window.backpropLab.models).some((m) => m.saved)")
    return next(m["saved"] for m in lab.lab("models").values() if m.get("saved"))


def panel_item(lab: Dashboard, model_id: str):
    item = lab.page.locator(f'#models-list li[data-model-id="{model_id}"]')
    item.wait_for()
    return item


def test_a_saved_run_is_listed_and_starting_from_it_gives_its_predictions(lab, live_server):
    page = lab.page
    saved = save_softmax_run(lab)
    item = panel_item(lab, saved["id"])
    assert saved["name"] in item.inner_text() and "2-3-2" in item.inner_text()

    page.fill("#hidden", "5")  # another shape: starting from the model must bring its hidden layers back
    page.press("#hidden", "Enter")
    page.locator("#hidden").blur()
    lab.wait_for("window.backpropLab.configured?.layer_sizes.join('-') === '2-5-2'")
    item.get_by_role("button", name=f"Start from these weights: “{saved['name']}”").click()
    lab.wait_for(f"window.backpropLab.configured?.config.start?.model_id === {json.dumps(saved['id'])}"
                 " && window.backpropLab.frame?.step === 0")
    configured, frame = lab.lab("configured"), lab.lab("frame")
    assert configured["layer_sizes"] == [2, 3, 2] and page.input_value("#hidden") == "3"
    answer = page.request.post(f"{live_server.url}api/models/{saved['id']}/predict",
                               data={"inputs": configured["inputs"]}).json()
    softmax = next(run for run in frame["runs"] if run["kind"] == "softmax_ce")
    np.testing.assert_allclose(softmax["outputs"], answer["outputs"], rtol=1e-6)
    assert lab.lab("errors") == {} and lab.console_errors == []


def download_from_panel(lab: Dashboard, item, saved: dict, label: str) -> Path:
    with lab.page.expect_download() as download:
        item.get_by_role("link", name=f"Export “{saved['name']}” as {label}").click()
    return Path(download.value.path())


def test_the_exports_are_the_model_the_api_holds_and_a_refused_export_is_said(lab, live_server):
    page = lab.page
    saved = save_softmax_run(lab, steps=10)
    item = panel_item(lab, saved["id"])
    exported = json.loads(download_from_panel(lab, item, saved, "JSON").read_text())
    stored = page.request.get(f"{live_server.url}api/models/{saved['id']}").json()
    assert exported["W"] == stored["model"]["W"] and exported["b"] == stored["model"]["b"]
    assert exported["layer_sizes"] == stored["layer_sizes"] == [2, 3, 2]

    # The ONNX file runs in onnxruntime and answers what the server's own prediction does.
    onnx_file = download_from_panel(lab, item, saved, "ONNX")
    inputs = np.array(lab.lab("configured")["inputs"], dtype=np.float64)
    session = onnxruntime.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    (outputs,) = session.run(None, {session.get_inputs()[0].name: inputs})
    answer = page.request.post(f"{live_server.url}api/models/{saved['id']}/predict",
                               data={"inputs": inputs.tolist()}).json()
    np.testing.assert_allclose(outputs, answer["outputs"], rtol=1e-9, atol=1e-12)

    # A model deleted meanwhile (here through the API): the export's refusal is said in the panel, no file saved.
    key = json.loads(page.evaluate("localStorage.getItem('backprop-lab.owner-keys')"))[saved["id"]]["key"]
    assert page.request.delete(f"{live_server.url}api/models/{saved['id']}", headers={"x-owner-key": key}).status == 204
    downloads: list = []
    page.on("download", lambda d: downloads.append(d))
    item.get_by_role("link", name=f"Export “{saved['name']}” as ONNX").click()
    lab.wait_for("document.querySelector('.model-export[data-format=\"onnx\"]').dataset.refused === '404'")
    assert downloads == []


def test_delete_removes_the_model_and_a_model_without_its_key_here_says_it_cannot_be(lab, live_server):
    page = lab.page
    saved = save_softmax_run(lab, steps=10)
    other = page.request.post(f"{live_server.url}api/models", data={
        "name": "saved elsewhere", "model": page.request.get(f"{live_server.url}api/models/{saved['id']}")
        .json()["model"]}).json()  # its owner key stays with this request, not in the page
    page.click("#models-refresh")
    elsewhere = panel_item(lab, other["id"])
    assert elsewhere.get_by_role("button", name="Delete “saved elsewhere”").count() == 0
    assert elsewhere.locator(".model-no-key").count() == 1

    item = panel_item(lab, saved["id"])
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name=f"Delete “{saved['name']}”").click()
    page.locator(f'#models-list li[data-model-id="{saved["id"]}"]').wait_for(state="detached")
    assert page.request.get(f"{live_server.url}api/models/{saved['id']}").status == 404
    assert saved["id"] not in json.loads(page.evaluate("localStorage.getItem('backprop-lab.owner-keys')"))
    page.request.delete(f"{live_server.url}api/models/{other['id']}", headers={"x-owner-key": other["owner_key"]})
    assert lab.console_errors == []


def test_the_panel_has_no_axe_violations(lab):
    save_softmax_run(lab, steps=10)
    lab.page.locator("#models-list li").first.wait_for()
    lab.page.add_script_tag(path=str(AXE))
    violations = lab.page.evaluate("""async () => (await axe.run('#models')).violations
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)""")
    assert violations == []
