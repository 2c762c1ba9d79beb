"""The code beside the math: the math panel's code view (the NumPy line of each equation, live numbers beside
them, remembered in the link), the softmax code on the derivation page, and "Download as Python" in Chromium."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from browser import PHONE, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
SOFTMAX_CE = "#dataset=two-points&runs=softmax_ce&speed=20"


def equation_code(page, name: str) -> str:
    return page.locator(f'#math [data-equation="{name}"] pre').inner_text()


def equation_numbers(page, name: str) -> str:
    return page.locator(f'#math [data-equation="{name}"] .code-numbers').inner_text()


def test_code_view_shows_softmax_and_delta_lines_with_live_numbers_and_survives_a_reload(chromium, live_server):
    context = chromium.new_context(viewport=PHONE, bypass_csp=True)  # bypass_csp: only for axe's script
    try:
        dashboard = Dashboard(context.new_page(), live_server.url).open(SOFTMAX_CE)
        page = dashboard.page
        switch = page.locator('#math-view [data-view="code"]')
        switch.focus()
        page.keyboard.press("Enter")  # a real button: the keyboard switches too
        assert switch.get_attribute("aria-pressed") == "true"
        assert page.locator('#math-view [data-view="math"]').get_attribute("aria-pressed") == "false"
        page.locator('#math [data-equation="BP1"] .code-number').first.wait_for()

        output = equation_code(page, "output")
        assert "np.exp(z - z.max(axis=0, keepdims=True))" in output  # softmax with the max subtracted
        assert "overflowing" in output  # the line on why sits beside it (code comments are code, not prose)
        assert "log_softmax(z)" in equation_code(page, "cost")
        bp1 = equation_code(page, "BP1")
        assert "delta = a - y" in bp1
        assert page.locator('#math [data-equation="BP1"] [data-mistake]').count() == 0
        for name in ("forward", "BP2", "BP3", "BP4", "update"):
            assert equation_code(page, name).strip(), name
        assert "weights[l].T @ delta" in equation_code(page, "BP2")

        # The numbers beside the lines change while it trains.
        before = equation_numbers(page, "BP1")
        assert before.startswith("delta = [")
        page.locator("#play").click()
        page.wait_for_function("""(before) => document.querySelector('#math [data-equation="BP1"] .code-numbers')
            .innerText !== before""", arg=before, timeout=10_000)
        page.locator("#play").click()

        assert "view=code" in page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("""async () => (await axe.run('.math-card')).violations
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)""")
        assert violations == []

        page.reload()
        dashboard.wait_for("window.backpropLab && window.backpropLab.framesDrawn > 0")
        page.locator('#math [data-equation="BP1"] pre').wait_for()
        assert page.locator('#math-view [data-view="code"]').get_attribute("aria-pressed") == "true"
        assert page.locator(".math-view").is_hidden()
        assert "delta = a - y" in equation_code(page, "BP1")
        assert dashboard.console_errors == []
    finally:
        context.close()


def test_a_mistake_run_shows_its_wrong_line_beside_the_right_one(dashboard):
    page = dashboard.open("#dataset=two-points&runs=softmax_ce_sign_flipped&view=code").page
    page.locator('#math [data-equation="BP1"] [data-mistake]').wait_for()
    wrong = page.locator('#math [data-equation="BP1"] [data-mistake]').inner_text()
    assert "-(a - y)" in wrong
    assert "delta = a - y" in equation_code(page, "BP1")  # the right one, beside it


def test_an_unknown_view_in_the_link_shows_the_math_with_a_note(dashboard):
    page = dashboard.open("#dataset=two-points&runs=softmax_ce&view=poetry").page
    assert page.locator('#link-notes [data-key="view"]').count() == 1
    assert page.locator('#math-view [data-view="math"]').get_attribute("aria-pressed") == "true"


def test_the_derivation_page_has_the_softmax_code(dashboard, live_server):
    page = dashboard.page
    page.goto(live_server.url + "learn/softmax")
    code = page.locator('#softmax-code pre[data-code="softmax"]').inner_text()
    assert "def softmax(z):" in code
    assert "z - z.max(axis=0, keepdims=True)" in code
    assert "log_softmax(z)" in code
    assert "delta = a - y" in code


def test_download_as_python_saves_a_script_that_runs(dashboard, tmp_path):
    page = dashboard.open("#dataset=two-points&runs=softmax_ce,sigmoid_mse").page
    with page.expect_download() as download_info:
        page.locator("#download-script").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".py")
    script = tmp_path / download.suggested_filename
    download.save_as(script)
    done = subprocess.run([sys.executable, "-I", script.name], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    losses = [line for line in done.stdout.splitlines() if " loss " in line]
    assert losses and float(losses[-1].rsplit(" ", 1)[1]) >= 0
    assert dashboard.console_errors == []
