"""A mistake run kind chosen from the dashboard's menu, trained beside the right run of its pairing, and labelled
as a mistake everywhere a run is named: run key, chart legends, the math panel's card, the link."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import DESKTOP, Dashboard, new_dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
THREE_RUNS = "backpropLab.frame && backpropLab.configured && backpropLab.frame.runs.length === 3"


def test_a_mistake_chosen_from_the_menu_trains_beside_its_right_run_labelled_everywhere(chromium, live_server):
    # axe is injected as a script of the test's own: only that needs the page's policy bypassed.
    context = chromium.new_context(viewport=DESKTOP, bypass_csp=True)
    try:
        dashboard = Dashboard(context.new_page(), live_server.url).open("#dataset=two-points&runs=softmax_ce&speed=200")
        page = dashboard.page
        pairing = page.locator('#run-kinds [data-pairing="sigmoid_mse"]')
        pairing.locator("summary").click()  # unfold sigmoid + MSE's mistakes
        page.check("#kind-sigmoid_mse_examples_mixed")
        dashboard.wait_for(THREE_RUNS)
        assert page.is_checked("#kind-sigmoid_mse")  # the right run of the pairing, offered beside the mistake
        assert pairing.locator(".run-kind-note").get_attribute("data-added") == "sigmoid_mse"
        config = dashboard.lab("configured")["config"]
        assert [(run["id"], run["kind"]) for run in config["runs"]] == [
            ("sigmoid-mse", "sigmoid_mse"), ("sig-mse-mixed", "sigmoid_mse_examples_mixed"), ("softmax-ce", "softmax_ce")]

        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("""async () => (await axe.run('#run-kinds')).violations
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)""")
        assert violations == []

        page.click("#play")
        dashboard.wait_for("backpropLab.playing && backpropLab.lossPoints > 10")
        mistake_item = page.locator('#run-key li[data-run="sig-mse-mixed"]')
        assert mistake_item.get_attribute("data-mistake") == "examples_mixed"
        assert page.locator('#run-key li[data-run="sigmoid-mse"]').get_attribute("data-mistake") is None
        legend = page.locator('#loss-chart .u-legend .u-series[data-mistake="examples_mixed"]')
        assert legend.count() == 1
        marker = legend.locator(".u-marker").evaluate("(m) => getComputedStyle(m).backgroundImage")
        assert marker.startswith("repeating-linear-gradient")  # a dashed mark, as the run's line
        assert page.locator('#loss-chart .u-legend .u-series[data-mistake]').count() == 1
        for view in ("#outputs-charts", "#run-key"):
            assert page.locator(f'{view} .run-name[data-mistake="examples_mixed"]').count() == 1, view
        dashboard.wait_for("document.querySelector('#math .delta-card .wrong[data-mistake=\"examples_mixed\"]')")
        wrong = page.locator('#math .delta-card .wrong[data-mistake="examples_mixed"]')
        assert wrong.get_attribute("data-equation") == "BP4"
        assert page.locator("#math .delta-card.mistake").count() == 1
        page.click("#play")  # pause
        dashboard.wait_for("!backpropLab.playing")

        other_context, other = new_dashboard(chromium, live_server, DESKTOP)
        try:
            other.open("#" + page.url.split("#", 1)[1])
            other.wait_for(THREE_RUNS)
            assert other.lab("configured")["config"]["runs"] == config["runs"]
            assert other.page.is_checked("#kind-sigmoid_mse_examples_mixed")
            assert other.page.locator('#run-kinds [data-pairing="sigmoid_mse"] details').get_attribute("open") is not None
            assert other.console_errors == []
        finally:
            other_context.close()
        assert dashboard.console_errors == []
    finally:
        context.close()
