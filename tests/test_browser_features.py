"""Issue 19 in the page: input features ticked in the settings form feed the network (its drawing names them), the
link carries them and the regularisation, a new λ is sent live, and the settings have no axe violations."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from browser import DESKTOP, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
SETTINGS_VIOLATIONS = """async () => (await axe.run('#settings')).violations
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"""


def input_units_drawn(dashboard: Dashboard, count: int) -> None:
    """The network drawing (drawn only while on screen) shows `count` input units."""
    dashboard.page.locator("#network").scroll_into_view_if_needed()
    dashboard.wait_for(f"document.querySelectorAll('#network circle.unit').length === {count} + 2")


def link_values(page) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in unquote(page.url.split("#", 1)[1]).split("&"))


def test_ticked_features_feed_the_network_the_link_round_trips_and_lambda_changes_live(chromium, live_server):
    context = chromium.new_context(viewport=DESKTOP, bypass_csp=True)  # axe is the test's own script
    try:
        dashboard = Dashboard(context.new_page(), live_server.url)
        page = dashboard.page
        sent: list[dict] = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: isinstance(payload, str)
                                              and sent.append(json.loads(payload))))
        dashboard.open("#dataset=circles&hidden=&speed=60")
        features = page.locator('[data-field="dataset.features"]')
        assert features.is_visible()
        assert page.locator('input[name="features"]:checked').evaluate_all("boxes => boxes.map((b) => b.value)") \
            == ["x1", "x2"]  # the points themselves
        input_units_drawn(dashboard, 2)

        for feature in ("x1", "x2"):
            page.uncheck(f'input[name="features"][value="{feature}"]')
        page.check('input[name="features"][value="x1_squared"]')
        page.check('input[name="features"][value="x2_squared"]')
        page.check('input[name="features"][value="x1_x2"]')
        dashboard.wait_for("backpropLab.configured && backpropLab.configured.layer_sizes[0] === 3")
        assert dashboard.lab("config")["dataset"]["features"] == ["x1_squared", "x2_squared", "x1_x2"]
        input_units_drawn(dashboard, 3)
        assert page.locator("#network .input-label").all_text_contents() == ["X₁²", "X₂²", "X₁X₂"]

        page.select_option("#regularization", "l2")
        page.fill("#regRate", "0.01")
        page.press("#regRate", "Enter")
        dashboard.wait_for("backpropLab.configured.config.regularization === 'l2'")
        assert link_values(page)["features"] == "x1_squared,x2_squared,x1_x2"
        assert link_values(page)["regularization"] == "l2"
        page.locator("#math").scroll_into_view_if_needed()
        page.locator('.equation[data-regularization="L2"]').wait_for(state="attached")

        page.click("#play")
        dashboard.wait_for("backpropLab.step >= 10")
        configures = sum(message["type"] == "configure" for message in sent)
        page.fill("#regRate", "0.2")
        page.press("#regRate", "Enter")
        dashboard.wait_for("backpropLab.step >= 30")
        assert {"type": "set", "regularization_rate": 0.2} in sent
        assert sum(message["type"] == "configure" for message in sent) == configures  # no restart
        assert link_values(page)["regRate"] == "0.2"

        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(SETTINGS_VIOLATIONS)
        assert violations == [], "\n".join(violations)

        link = page.url
        again = Dashboard(context.new_page(), live_server.url)
        again.open("#" + link.split("#", 1)[1])
        again.wait_for("backpropLab.configured && backpropLab.configured.layer_sizes[0] === 3")
        config = again.lab("config")
        assert config["dataset"]["features"] == ["x1_squared", "x2_squared", "x1_x2"]
        assert (config["regularization"], config["regularization_rate"]) == ("l2", 0.2)
        input_units_drawn(again, 3)
        assert dashboard.console_errors == [] and again.console_errors == []
    finally:
        context.close()
