"""The "Check my numbers" panel in a real browser, as a learner uses it: take the run's weights, run their own
Nielsen-style backprop on the pasted code (here: plain NumPy written in this file, independent of the app), paste
what it prints, and see each entry marked and the mistake named.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pytest

from browser import DESKTOP, PHONE, Dashboard, new_dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
SIGMOID_MSE = "#dataset=two-points&runs=sigmoid_mse"
LAYER_SIZES = [2, 8, 2]  # two-points with the default hidden layer


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


class Network:
    """Nielsen's backprop for sigmoid + quadratic cost, one example as column vectors; `sign_flipped` writes
    δᴸ = (y − a) ⊙ σ'(z), the mistake the panel must name."""

    def __init__(self, sign_flipped: bool = False):
        self.sign_flipped = sign_flipped
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []

    def backprop(self, x, y):
        activation, activations, zs = x, [x], []
        for w, b in zip(self.weights, self.biases):
            zs.append(w @ activation + b)
            activation = sigmoid(zs[-1])
            activations.append(activation)
        error = (y - activations[-1]) if self.sign_flipped else (activations[-1] - y)
        delta = error * sigmoid_prime(zs[-1])
        nabla_b, nabla_w = [None] * len(self.weights), [None] * len(self.weights)
        nabla_b[-1], nabla_w[-1] = delta, delta @ activations[-2].T
        for l in range(2, len(self.weights) + 1):
            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
            nabla_b[-l], nabla_w[-l] = delta, delta @ activations[-l - 1].T
        return nabla_b, nabla_w


def run_pasted_code(code: str, net: Network) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Run the panel's code as the learner does, with `net` as their network: (nabla_b, nabla_w, weights)."""
    namespace = {"net": net}
    with np.printoptions(), contextlib.redirect_stdout(io.StringIO()):  # the code sets print options
        exec(compile(code, "pasted.py", "exec"), namespace)  # noqa: S102 - the page's own code, in a test
    return namespace["nabla_b"], namespace["nabla_w"], namespace["weights"]


def take_weights(dashboard: Dashboard) -> str:
    page = dashboard.page
    page.click("#step")
    dashboard.wait_for("backpropLab.frame.step === 1")
    page.click("#check-snapshot")
    page.locator('#check-snapshot-note[data-step="1"]').wait_for()
    return page.input_value("#check-code")


def paste_and_check(page, nabla_b: str, nabla_w: str) -> None:
    page.fill("#check-nabla-b", nabla_b)
    page.fill("#check-nabla-w", nabla_w)
    page.click("#check-submit")  # clears the last result at once
    page.locator("#check-summary [data-verdict]").wait_for()


def marks(page) -> list[bool]:
    return page.eval_on_selector_all("#check-entries td[data-match]", "cells => cells.map(c => c.dataset.match === 'true')")


def test_pasted_sign_flipped_numbers_are_named_and_the_right_ones_all_match(chromium, live_server):
    context, dashboard = new_dashboard(chromium, live_server, DESKTOP)
    try:
        page = dashboard.open(SIGMOID_MSE).page
        checks: list[str] = []
        page.on("request", lambda request: "api/check" in request.url and checks.append(request.url))
        code = take_weights(dashboard)
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.click("#check-copy")
        page.wait_for_function("async (code) => (await navigator.clipboard.readText()) === code", arg=code)

        wrong_b, wrong_w, weights = run_pasted_code(code, Network(sign_flipped=True))
        assert [w.shape for w in weights] == [(8, 2), (2, 8)]
        right_b, right_w, _ = run_pasted_code(code, Network())
        entries = sum(a.size for a in right_b + right_w)
        assert entries == 8 + 2 + 16 + 16
        nonzero = sum(int((np.abs(a) > 1e-9).sum()) for a in right_b + right_w)
        assert nonzero == entries - 8, "x = [1, 0]: the first layer's second column of ∂C/∂W is 0"

        paste_and_check(page, str(wrong_b), str(wrong_w))
        assert page.locator('#check-summary [data-mistake="sign_flipped"]').is_visible()
        verdict = page.locator('#check-summary [data-verdict="differs"]')
        # nabla_b of one example is its δ too: the sign is wrong first in δᴸ, where BP1 computes it.
        assert (verdict.get_attribute("data-equation"), verdict.get_attribute("data-layer")) == ("BP1", "1")
        found = marks(page)
        assert len(found) == entries
        assert found.count(False) == nonzero, "every entry but the zeros has the wrong sign"
        assert page.locator("#check-entries td.differs .mark").first.inner_text() == "✗"

        paste_and_check(page, str(right_b), str(right_w))
        assert page.locator('#check-summary [data-verdict="matches"]').is_visible()
        assert marks(page) == [True] * entries
        assert page.locator("#check-summary [data-mistake]").count() == 0
        assert page.locator('#check-summary [data-note="column_vectors"]').count() == 1
        assert len(checks) == 2

        page.fill("#check-nabla-b", "[[0.1], [0.2]")  # a bracket short
        page.click("#check-submit")
        error = page.locator('#check-nabla-b-error[data-reason="unbalanced_brackets"]')
        error.wait_for()
        assert error.get_attribute("data-at") == str(len("[[0.1], [0.2]"))
        assert page.get_attribute("#check-nabla-b", "aria-invalid") == "true"
        assert page.locator("#check-entries td").count() == 0 and len(checks) == 2, "nothing sent"

        page.fill("#check-nabla-b", "[[0.1], [0.2]]")  # readable, but not one column per layer: the server's 422
        page.fill("#check-nabla-w", "")
        page.click("#check-submit")
        refused = page.locator('#check-nabla-b-error[data-field^="yours.nabla_b"]')
        refused.wait_for()
        assert refused.inner_text() != "" and page.locator("#check-nabla-w-error").inner_text() == ""
        # Chromium logs every 4xx answer to fetch; the 422 is expected, nothing else may be there.
        assert [e for e in dashboard.console_errors if "status of 422" not in e] == []
        assert len(dashboard.console_errors) == 1
    finally:
        context.close()


def test_the_panel_on_a_phone_fits_and_has_no_axe_violations(chromium, live_server):
    # axe is injected as a script of the test's own: only that needs the page's policy bypassed.
    context = chromium.new_context(viewport=PHONE, bypass_csp=True)
    try:
        dashboard = Dashboard(context.new_page(), live_server.url).open(SIGMOID_MSE)
        page = dashboard.page
        code = take_weights(dashboard)
        nabla_b, nabla_w, _ = run_pasted_code(code, Network(sign_flipped=True))
        paste_and_check(page, str(nabla_b), str(nabla_w))
        page.locator('#check-summary [data-mistake="sign_flipped"]').wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("""async () => (await axe.run('#check')).violations
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)""")
        assert violations == []
        assert dashboard.console_errors == []
    finally:
        context.close()
