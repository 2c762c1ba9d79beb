"""Layout in a real browser: wide math fits or scrolls inside its own block, never off the page; the step axis
has whole steps only; a closed connection is explained in plain words.
"""

from __future__ import annotations

import pytest

from browser import DESKTOP, PHONE, new_dashboard

pytestmark = pytest.mark.browser

WIDE_DESKTOP = {"width": 1600, "height": 900}
DIGITS = "#dataset=digits"

# Elements whose visible right edge (their own, cut by every ancestor that clips overflow) is past the viewport.
ESCAPING_THE_VIEWPORT = """() => {
    const width = document.documentElement.clientWidth;
    const escaping = [];
    for (const element of document.querySelectorAll('body *')) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        let right = box.right;
        for (let a = element.parentElement; a && a !== document.documentElement; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible') right = Math.min(right, a.getBoundingClientRect().right);
        }
        if (right > width + 1) escaping.push(`${element.tagName.toLowerCase()}.${element.getAttribute('class')} ends at ${Math.round(right)}`);
    }
    return escaping.slice(0, 10);
}"""

# Display formulas wider than their block, and whether the block scrolls them.
DISPLAY_MATH = """(selector) => [...document.querySelectorAll(selector)].map((e, i) => ({
    index: i,
    fits: e.scrollWidth <= e.clientWidth + 1,
    scrolls: ['auto', 'scroll'].includes(getComputedStyle(e).overflowX),
    text: e.textContent.slice(0, 60),
}))"""


def open_math(chromium, live_server, viewport):
    context, dashboard = new_dashboard(chromium, live_server, viewport)
    dashboard.open(DIGITS)
    dashboard.wait_for("backpropLab.configured && backpropLab.configured.class_names.length === 10"
                       " && document.querySelectorAll('#math .delta-card .numbers .katex').length >= 8")
    return context, dashboard


def open_derivation(chromium, live_server, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live_server.url + "learn/softmax")
    page.wait_for_function("() => document.body.dataset.mathRendered === 'true'")
    return context, page


@pytest.mark.parametrize("viewport", [DESKTOP, WIDE_DESKTOP], ids=["1280", "1600"])
def test_math_cards_use_the_panel_width_and_show_ten_outputs_whole(chromium, live_server, viewport):
    context, dashboard = open_math(chromium, live_server, viewport)
    try:
        page = dashboard.page
        widths = page.evaluate("""() => {
            const panel = document.querySelector('#math .delta-cards').getBoundingClientRect();
            const cards = [...document.querySelectorAll('#math .delta-card')].map((c) => c.getBoundingClientRect());
            return { panelRight: panel.right, cardsRight: Math.max(...cards.map((c) => c.right)) };
        }""")
        assert widths["cardsRight"] >= widths["panelRight"] - 1, "no empty space beside the cards"
        formulas = page.evaluate(DISPLAY_MATH, "#math .delta-card .katex-display")
        assert len(formulas) >= 8
        assert [f["text"] for f in formulas if not f["fits"]] == [], "a, y, δᴸ and J fit their card at this width"
        assert page.evaluate(ESCAPING_THE_VIEWPORT) == []
        assert dashboard.console_errors == []
    finally:
        context.close()


def test_wide_math_scrolls_inside_its_card_on_a_phone(chromium, live_server):
    context, dashboard = open_math(chromium, live_server, PHONE)
    try:
        page = dashboard.page
        formulas = page.evaluate(DISPLAY_MATH, "#math .katex-display")
        too_wide = [f for f in formulas if not f["fits"]]
        assert too_wide, "ten outputs do not fit 390 pixels: this test needs some formulas to scroll"
        assert [f["text"] for f in too_wide if not f["scrolls"]] == []
        assert page.evaluate(ESCAPING_THE_VIEWPORT) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_the_derivations_equations_fit_its_column_on_a_laptop(chromium, live_server):
    context, page = open_derivation(chromium, live_server, DESKTOP)
    try:
        formulas = page.evaluate(DISPLAY_MATH, ".derivation .katex-display")
        assert len(formulas) > 20
        assert [f["text"] for f in formulas if not f["fits"]] == []
        assert page.evaluate(ESCAPING_THE_VIEWPORT) == []
    finally:
        context.close()


def test_the_derivations_wide_equations_scroll_within_their_block_on_a_phone(chromium, live_server):
    context, page = open_derivation(chromium, live_server, PHONE)
    try:
        formulas = page.evaluate(DISPLAY_MATH, ".derivation .katex-display")
        assert [f["text"] for f in formulas if not f["fits"] and not f["scrolls"]] == []
        assert page.evaluate(ESCAPING_THE_VIEWPORT) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_the_printed_derivation_shows_each_equation_unclipped(chromium, live_server):
    context, page = open_derivation(chromium, live_server, DESKTOP)
    try:
        page.emulate_media(media="print")
        clipping = page.evaluate("""() => [...document.querySelectorAll('.derivation .katex-display, .derivation .tex-display')]
            .filter((e) => getComputedStyle(e).overflowX !== 'visible').length""")
        assert clipping == 0, "on paper nothing can scroll: every equation is shown whole"
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        context.close()


STEP_TICKS = """async ([steps, width]) => {
    const { createStepChart } = await import('/static/js/lib/charts.js');
    const holder = document.createElement('div');
    holder.style.width = `${width}px`;
    document.body.append(holder);
    const chart = createStepChart(holder, { series: [{ label: 'loss', stroke: '#000' }] });
    chart.setData([steps, steps.map((s) => 1 / (1 + s))]);
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))); // uPlot draws on a frame
    const axis = chart.chart.axes[0];
    const ticks = { splits: axis._splits, values: axis._values };
    chart.destroy();
    holder.remove();
    return ticks;
}"""


@pytest.mark.parametrize("last_step", [1, 2, 3, 7, 40, 12_345])
def test_the_step_axis_has_ticks_at_whole_steps_only(chromium, live_server, last_step):
    context, dashboard = new_dashboard(chromium, live_server, DESKTOP)
    try:
        dashboard.open()
        steps = list(range(last_step + 1)) if last_step < 100 else [0, 1, 2, last_step]
        for width in (300, 900):
            ticks = dashboard.page.evaluate(STEP_TICKS, [steps, width])
            assert ticks["splits"], "the axis has ticks"
            assert all(float(t).is_integer() for t in ticks["splits"]), ticks
            assert all("." not in v for v in ticks["values"]), ticks
        assert dashboard.console_errors == []
    finally:
        context.close()


CLOSE_WORDS = """async (cases) => {
    const { closeWords } = await import('/static/js/views/status-view.js');
    return cases.map(([code, reason]) => closeWords(code, reason));
}"""


def test_close_codes_are_explained_in_plain_words_with_what_to_do(chromium, live_server):
    context, dashboard = new_dashboard(chromium, live_server, DESKTOP)
    try:
        dashboard.open()
        cases = [
            (1012, ""), (1001, ""), (1013, "the server is full; try again in a few minutes"), (1013, ""),
            (1008, ""), (1009, "message larger than 65536 bytes"), (1011, ""), (1006, ""), (4321, ""),
        ]
        words = dict(zip([f"{code} {reason}".strip() for code, reason in cases],
                         dashboard.page.evaluate(CLOSE_WORDS, cases)))
        assert words["1012"] == "the server restarted. Press Reconnect once it is back."
        assert words["1001"].startswith("the server is going away.")
        assert words["1013 the server is full; try again in a few minutes"] == (
            "the server is full; try again in a few minutes, then press Reconnect.")
        assert "try again" in words["1013"].lower()
        assert words["1006"].startswith("the connection was lost."), words["1006"]
        assert words["1009 message larger than 65536 bytes"] == (
            "the connection was lost (message larger than 65536 bytes). Press Reconnect.")
        assert "code 4321" in words["4321"]
        for text in words.values():
            assert "reload" in text.lower() or "reconnect" in text.lower() or "try again" in text.lower(), text
    finally:
        context.close()


def test_a_server_restart_reads_as_one_in_the_status_bar(chromium, tmp_path):
    """uvicorn closes every socket with 1012 when it shuts down: the page says what that means and what to do."""
    from lab_settings import make_settings
    from live_server import live_server as serve

    from app.web.app import create_app

    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}"))
    context = chromium.new_context(viewport=DESKTOP)
    try:
        with serve(app) as server:
            page = context.new_page()
            page.goto(server.url + "/")
            page.wait_for_function("() => window.backpropLab && window.backpropLab.framesDrawn > 0")
        page.wait_for_function("() => document.querySelector('#connection').dataset.state === 'closed'",
                               timeout=15_000)
        connection = page.locator("#connection")
        assert connection.get_attribute("data-close-code") == "1012"  # uvicorn's "service restart"
        words = page.evaluate("async () => (await import('/static/js/views/status-view.js')).closeWords(1012)")
        assert connection.inner_text() == f"disconnected: {words}"  # 1012's own words, whatever they are
        assert page.locator("#reconnect").is_visible()
    finally:
        context.close()
