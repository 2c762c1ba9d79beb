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
    δᴸ = (y − a) ⊙ σ'(z), the mistake the panel must name. `update_mini_batch` combines the examples' gradients
    by `combine`: "mean" (right), "examples_mixed" (mean δ times mean activation) or "sum_not_mean"."""

    def __init__(self, sign_flipped: bool = False, combine: str = "mean"):
        self.sign_flipped = sign_flipped
        self.combine = combine
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []

    def forward(self, x):
        activation, activations, zs = x, [x], []
        for w, b in zip(self.weights, self.biases):
            zs.append(w @ activation + b)
            activation = sigmoid(zs[-1])
            activations.append(activation)
        return activations, zs

    def update_mini_batch(self, mini_batch, eta):
        n = len(mini_batch)
        per_example = [self.backprop(x, y) for x, y in mini_batch]
        nabla_b = [sum(b[l] for b, _ in per_example) for l in range(len(self.weights))]
        nabla_w = [sum(w[l] for _, w in per_example) for l in range(len(self.weights))]
        if self.combine != "sum_not_mean":
            nabla_b, nabla_w = [b / n for b in nabla_b], [w / n for w in nabla_w]
        if self.combine == "examples_mixed":
            # ∂C/∂W = outer(mean δ, mean activation): every example gets the average example's gradient
            mean_a = [sum(self.forward(x)[0][l] for x, _ in mini_batch) / n for l in range(len(self.weights))]
            nabla_w = [delta @ a.T for delta, a in zip(nabla_b, mean_a)]
        self.weights = [w - eta * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - eta * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        activations, zs = self.forward(x)
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


def run_step_code(code: str, net: Network) -> tuple[str, str, Network, dict]:
    """Run the "one training step" code as the learner does: what print(net.weights) and print(net.biases)
    wrote, under the code's own print options, the network after the step, and the code's variables."""
    printed: list[str] = []
    namespace = {"net": net, "print": lambda value: printed.append(str(value))}
    with np.printoptions():  # the code sets print options
        exec(compile(code, "pasted.py", "exec"), namespace)  # noqa: S102 - the page's own code, in a test
    weights, biases = printed
    return weights, biases, net, namespace


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


def paste_step_and_check(page, weights: str, biases: str) -> None:
    page.fill("#check-weights-after", weights)
    page.fill("#check-biases-after", biases)
    page.click("#check-submit")  # clears the last result at once
    page.locator("#check-summary [data-verdict]").first.wait_for()


def test_one_training_step_names_examples_mixed_and_sum_not_mean_and_the_right_step_all_matches(chromium, live_server):
    context, dashboard = new_dashboard(chromium, live_server, DESKTOP)
    try:
        page = dashboard.page
        dashboard.open(SIGMOID_MSE)
        checks: list[dict] = []
        page.on("request", lambda request: "api/check" in request.url and checks.append(request.post_data_json))
        take_weights(dashboard)
        page.focus("#check-mode-example")
        page.keyboard.press("ArrowRight")  # radio buttons: the arrow keys pick the mode
        assert page.is_checked("#check-mode-step") and page.is_visible("#check-weights-after")
        assert not page.is_visible("#check-nabla-b")
        code = page.input_value("#check-code")

        mixed_weights, mixed_biases, mixed, variables = run_step_code(code, Network(combine="examples_mixed"))
        before = variables["weights"]
        assert [w.shape for w in before] == [(8, 2), (2, 8)]
        assert len(variables["mini_batch"]) == 2 and variables["eta"] == 0.5, "two-points' examples, the run's rate"
        right_weights, right_biases, right, _ = run_step_code(code, Network())
        # The two updates differ where the examples are combined: in ∂C/∂W, not in ∂C/∂b.
        assert not np.allclose(mixed.weights[1], right.weights[1])
        assert all(np.array_equal(a, b) for a, b in zip(mixed.biases, right.biases))

        paste_step_and_check(page, mixed_weights, mixed_biases)
        assert page.locator('#check-summary [data-mistake="examples_mixed"]').is_visible()
        assert page.locator('#check-summary [data-verdict="differs"]').get_attribute("data-equation") == "BP4"
        sent = checks[-1]
        assert (sent["learning_rate"], len(sent["inputs"]), len(sent["labels"])) == (0.5, 2, 2)
        assert [sorted(layer) for layer in sent["yours"]["layers"]] == [["grad_W", "grad_b"]] * 2, "no δ"
        entries = 16 + 16 + 8 + 2
        assert len(marks(page)) == entries and marks(page).count(False) > 0
        assert page.locator('#check-entries table[data-array="biases[1]"] td[data-match="false"]').count() == 0

        paste_step_and_check(page, right_weights, right_biases)
        assert page.locator('#check-summary [data-verdict="matches"]').is_visible()
        assert marks(page) == [True] * entries
        assert page.locator("#check-summary [data-mistake]").count() == 0

        summed_weights, summed_biases, _, _ = run_step_code(code, Network(combine="sum_not_mean"))
        paste_step_and_check(page, summed_weights, summed_biases)
        assert page.locator('#check-summary [data-mistake="sum_not_mean"]').is_visible()

        sent_so_far = len(checks)
        paste_step_and_check(page, str(before), mixed_biases)  # the weights from before the step, NumPy's 8 digits
        assert page.locator('#check-summary [data-verdict="unchanged"]').is_visible()
        assert page.locator("#check-entries td").count() == 0 and len(checks) == sent_so_far, "nothing sent"

        page.fill("#check-weights-after", str([w.T for w in before]))  # readable, but (n_in, n_out)
        page.click("#check-submit")
        error = page.locator('#check-weights-after-error[data-reason="wrong_shape"]')
        error.wait_for()
        assert error.get_attribute("data-layer") == "0"
        assert page.get_attribute("#check-weights-after", "aria-invalid") == "true"
        assert len(checks) == sent_so_far
        assert dashboard.console_errors == []
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
        axe = """async () => (await axe.run('#check')).violations
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"""
        assert page.evaluate(axe) == []

        page.check("#check-mode-step")
        weights, biases, _, _ = run_step_code(page.input_value("#check-code"), Network(combine="examples_mixed"))
        paste_step_and_check(page, weights, biases)
        page.locator('#check-summary [data-mistake="examples_mixed"]').wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate(axe) == []
        assert dashboard.console_errors == []
    finally:
        context.close()


def test_with_input_features_the_panel_gives_the_features_as_x_and_right_numbers_all_match(chromium, live_server):
    context, dashboard = new_dashboard(chromium, live_server, DESKTOP)
    try:
        page = dashboard.open(SIGMOID_MSE + "&features=x1,x2,sin_x1").page
        code = take_weights(dashboard)
        right_b, right_w, weights = run_pasted_code(code, Network())
        assert [w.shape for w in weights] == [(8, 3), (2, 8)]  # the network reads three features
        # x = [1, 0, sin 1]: the third column of ∂C/∂W⁰ is the first times sin 1
        assert np.allclose(right_w[0][:, 2], np.sin(1.0) * right_w[0][:, 0]) and np.abs(right_w[0][:, 0]).max() > 0
        paste_and_check(page, str(right_b), str(right_w))
        assert page.locator('#check-summary [data-verdict="matches"]').is_visible()
        assert marks(page) == [True] * sum(a.size for a in right_b + right_w)
        assert dashboard.console_errors == []
    finally:
        context.close()
