"""axe-core finds no accessibility violation on the dashboard in its main states (default, a lesson open, a stuck
run with its diagnosis banner, a phone's width) nor on the derivation page, /learn/softmax (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import DESKTOP, PHONE, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
VIOLATIONS = """async () => (await axe.run()).violations
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"""


def dashboard_default(dashboard: Dashboard) -> None:
    dashboard.open()


def lesson_open(dashboard: Dashboard) -> None:
    dashboard.open("#lesson=1")
    dashboard.page.locator("#lesson-title").wait_for()
    dashboard.wait_for("document.querySelector('#lessons').dataset.preset === 'own'")


def stuck_run(dashboard: Dashboard) -> None:
    """Lesson 2 played: the examples-averaged-too-early run stays at [0.5, 0.5] and the banner says why."""
    dashboard.open("#lesson=2")
    dashboard.page.click("#lesson-try")
    dashboard.page.locator("#diagnosis").wait_for(state="visible", timeout=20_000)
    dashboard.page.click("#play")  # pause
    dashboard.wait_for("!backpropLab.playing")


def derivation(dashboard: Dashboard) -> None:
    dashboard.page.goto(dashboard.base_url + "learn/softmax")
    dashboard.page.wait_for_selector("body[data-math-rendered='true']")


STATES = {
    "default": (DESKTOP, dashboard_default),
    "lesson-open": (DESKTOP, lesson_open),
    "stuck-run": (DESKTOP, stuck_run),
    "phone": (PHONE, dashboard_default),
    "phone-lesson-open": (PHONE, lesson_open),
    "learn-softmax": (DESKTOP, derivation),
}


@pytest.mark.parametrize("state", list(STATES))
def test_axe_finds_no_violations(chromium, live_server, state):
    viewport, reach = STATES[state]
    # axe is injected as a script of the test's own: only that needs the page's policy bypassed.
    context = chromium.new_context(viewport=viewport, bypass_csp=True)
    try:
        dashboard = Dashboard(context.new_page(), live_server.url)
        reach(dashboard)
        dashboard.page.wait_for_timeout(300)  # the lesson numbers redraw four times a second
        dashboard.page.add_script_tag(path=str(AXE))
        violations = dashboard.page.evaluate(VIOLATIONS)
        assert violations == [], "\n".join(violations)
        assert dashboard.console_errors == []
    finally:
        context.close()
