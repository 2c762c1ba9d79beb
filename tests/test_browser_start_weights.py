""""Start from weights…" in a real browser: an .npz written here with np.savez becomes every run's starting weights,
and the first frame's outputs are the forward pass computed here with NumPy; a file that does not fit gets its error
beside the control."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from browser import DESKTOP, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
LINK = "#dataset=two-points&runs=sigmoid_mse,softmax_ce"
RNG = np.random.default_rng(3)
W0, B0 = RNG.normal(size=(4, 2)), RNG.normal(size=4)  # 4 hidden units: not the form's default 8
W1, B1 = RNG.normal(size=(2, 4)), RNG.normal(size=2)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def expected_outputs() -> dict[str, np.ndarray]:
    hidden = sigmoid(np.eye(2) @ W0.T + B0)  # two-points: the inputs [1, 0] and [0, 1]
    z = hidden @ W1.T + B1
    return {"sigmoid_mse": sigmoid(z), "softmax_ce": softmax(z)}


def write_npz(path: Path, **arrays) -> Path:
    with path.open("wb") as file:
        np.savez(file, **arrays)
    return path


@pytest.fixture
def lab(chromium, live_server):
    # axe is injected as a script of the test's own: only that needs the page's policy bypassed.
    context = chromium.new_context(viewport=DESKTOP, bypass_csp=True)
    yield Dashboard(context.new_page(), live_server.url).open(LINK)
    context.close()


def started_from(dashboard: Dashboard) -> str:
    dashboard.wait_for("window.backpropLab.configured?.config.start?.model_id && window.backpropLab.frame")
    return dashboard.lab("configured")["config"]["start"]["model_id"]


def test_an_npz_file_is_every_runs_start_and_the_first_frame_is_its_forward_pass(lab, tmp_path):
    page = lab.page
    page.set_input_files("#start-file", str(write_npz(tmp_path / "mine.npz", W0=W0, b0=B0, W1=W1, b1=B1)))
    model_id = started_from(lab)
    frame = lab.lab("frame")
    assert frame["step"] == 0 and lab.lab("configured")["layer_sizes"] == [2, 4, 2]
    for run in frame["runs"]:
        np.testing.assert_allclose(run["outputs"], expected_outputs()[run["kind"]], rtol=1e-6)
    assert page.input_value("#hidden") == "4"  # the form follows the model
    assert page.input_value("#start") == model_id
    assert f"start={model_id}" in page.evaluate("location.hash")  # the link names the saved copy, not the file
    assert lab.lab("errors") == {} and lab.console_errors == []


def test_a_saved_model_chosen_with_the_keyboard_starts_the_runs(lab, tmp_path):
    page = lab.page
    page.set_input_files("#start-file", str(write_npz(tmp_path / "a.npz", W0=W0, b0=B0, W1=W1, b1=B1)))
    model_id = started_from(lab)
    page.focus("#start")
    page.keyboard.press("Home")  # back to the seeded weights
    lab.wait_for("!window.backpropLab.configured?.config.start && window.backpropLab.frame")
    assert "start=" not in page.evaluate("location.hash")
    page.keyboard.press("End")  # the saved model, the last of the menu
    assert started_from(lab) == model_id
    np.testing.assert_allclose(lab.lab("frame")["runs"][1]["outputs"], expected_outputs()["softmax_ce"], rtol=1e-6)


def test_a_model_this_browser_imported_can_be_deleted_here_and_only_that_one(lab, tmp_path, live_server):
    page = lab.page
    page.set_input_files("#start-file", str(write_npz(tmp_path / "a.npz", W0=W0, b0=B0, W1=W1, b1=B1)))
    model_id = started_from(lab)
    delete = page.get_by_role("button", name="Delete this saved model")
    assert delete.is_visible()
    delete.click()
    lab.wait_for("!window.backpropLab.configured?.config.start && window.backpropLab.frame")
    assert page.request.get(f"{live_server.url}api/models/{model_id}").status == 404
    assert page.evaluate("localStorage.getItem('backprop-lab.owner-keys')") == "{}"
    assert page.locator(f'#start option[value="{model_id}"]').count() == 0 and not delete.is_visible()
    assert lab.lab("errors") == {} and lab.console_errors == []


@pytest.mark.parametrize("arrays, field", [
    ({"W0": np.ones((4, 3)), "b0": B0, "W1": W1, "b1": B1}, "start.model_id"),  # three inputs on two-points
    ({"W0": np.array([[1.0, None]], dtype=object), "b0": np.zeros(1)}, "start"),  # refused by the import
], ids=["shape", "pickle"])
def test_a_file_that_does_not_fit_gets_its_error_beside_the_control(lab, tmp_path, arrays, field):
    page = lab.page
    page.set_input_files("#start-file", str(write_npz(tmp_path / "bad.npz", **arrays)))
    lab.wait_for("Object.keys(window.backpropLab.errors).some((f) => f.startsWith('start'))")
    assert list(lab.lab("errors")) == [field]
    slot = page.locator('[data-field="start"] .field-error')
    slot.filter(has_text="W0").wait_for()  # drawn at the next animation frame: the error names the array
    assert page.get_attribute("#start", "aria-invalid") == "true"
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run('.controls')).violations
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)""")
    assert violations == []
