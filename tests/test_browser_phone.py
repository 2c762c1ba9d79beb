"""The dashboard on a phone (390×844, issue 17): the loss chart in the first screen, settings folded away and
working when opened, Play/Step/Reset on screen wherever the page is scrolled, nothing wider than the screen,
and the palette the page draws with is the one static/js/lib/colors.js defines."""

from __future__ import annotations

import pytest

from browser import PHONE, new_dashboard

pytestmark = pytest.mark.browser

IN_VIEWPORT = """(selector) => [...document.querySelectorAll(selector)].map((e) => {
    const box = e.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= innerHeight && box.left >= 0 && box.right <= innerWidth;
})"""

# The BP1 line of the math panel: whether it fits its block, and if not whether that block scrolls.
BP1 = """() => {
    const line = document.querySelector('#math .equation:nth-child(2) .katex-display')
        || document.querySelector('#math .equation:nth-child(2) .tex');
    const style = getComputedStyle(line);
    return { fits: line.scrollWidth <= line.clientWidth + 1, scrolls: ['auto', 'scroll'].includes(style.overflowX),
             right: line.getBoundingClientRect().right };
}"""


@pytest.fixture
def phone(chromium, live_server):
    context, dashboard = new_dashboard(chromium, live_server, PHONE)
    yield dashboard.open()
    context.close()


def test_the_loss_chart_starts_in_the_first_screen_with_the_settings_folded(phone):
    page = phone.page
    assert page.evaluate("document.querySelector('#settings-fold').open") is False
    assert page.locator("#hidden").is_hidden()
    top = page.evaluate("document.querySelector('#loss-chart').getBoundingClientRect().top")
    assert 0 < top < PHONE["height"] - 150, top  # the chart itself, not only its heading, is on screen


def test_nothing_makes_the_page_scroll_sideways_and_bp1_fits_or_scrolls_in_its_box(phone):
    page = phone.page
    page.locator("#math").scroll_into_view_if_needed()  # views off screen are not drawn
    phone.wait_for("document.querySelectorAll('#math .equation .katex').length > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    bp1 = page.evaluate(BP1)
    assert bp1["fits"] or bp1["scrolls"], bp1
    assert bp1["right"] <= PHONE["width"]


def test_play_step_and_reset_stay_on_screen_at_the_bottom_of_the_page(phone):
    page = phone.page
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("() => scrollY > 1000")
    assert page.evaluate(IN_VIEWPORT, "#play, #step, #reset") == [True, True, True]
    page.click("#step")
    phone.wait_for("backpropLab.step === 1")
    # The bar never covers the page's end: below the last card there is room for the bar.
    room = page.evaluate("""() => {
        const last = document.querySelector('.views > .card:last-child').getBoundingClientRect().bottom + scrollY;
        return document.documentElement.scrollHeight - last - document.querySelector('.transport').offsetHeight;
    }""")
    assert room >= 0, room


def test_the_folded_settings_open_and_a_change_reconfigures(phone):
    page = phone.page
    page.click("#settings-fold > summary")
    assert page.locator("#hidden").is_visible()
    page.fill("#hidden", "5")
    page.press("#hidden", "Enter")
    phone.wait_for("backpropLab.configured && backpropLab.configured.config.network.hidden_layers.join() === '5'")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("#hidden", "abc")
    page.press("#hidden", "Enter")
    page.locator('[data-field="network.hidden_layers"] .field-error').wait_for(state="visible")
    assert phone.console_errors == []


# After a Tab: the focused element's box and the transport bar's, and whether the focus is in the bar itself.
TAB_STOP = """async () => {
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));  // the page's scrolls done
    const focused = document.activeElement;
    const box = (e) => e.getBoundingClientRect().toJSON();
    return { id: focused.id || focused.tagName, inBar: Boolean(focused.closest('.transport')),
             body: focused === document.body, box: box(focused), bar: box(document.querySelector('.transport')) };
}"""


def test_tabbing_never_leaves_the_focused_control_under_the_transport_bar(phone):
    page = phone.page
    page.click("#settings-fold > summary")  # the settings open: their controls are tab stops too
    seen = 0
    for _ in range(160):
        page.keyboard.press("Tab")
        stop = page.evaluate(TAB_STOP)
        if stop["body"]:
            break
        box, bar = stop["box"], stop["bar"]
        if stop["inBar"] or box["width"] == 0 or box["height"] == 0:
            continue
        seen += 1
        assert box["bottom"] <= bar["top"] or box["top"] >= bar["bottom"], stop
    assert seen > 40  # the settings, the views and their buttons were all reached


def test_the_css_palette_is_the_one_colors_js_defines(phone):
    palettes = phone.page.evaluate("""async () => {
        const colors = await import('/static/js/lib/colors.js');
        const css = getComputedStyle(document.documentElement);
        const prop = (name) => css.getPropertyValue(name).trim().toLowerCase();
        return {
            js: { ...colors.PAIRING_COLORS, negative: colors.NEGATIVE, positive: colors.POSITIVE },
            css: { sigmoid_mse: prop('--pairing-sigmoid-mse'), sigmoid_bce: prop('--pairing-sigmoid-bce'),
                   softmax_ce: prop('--pairing-softmax-ce'), softmax_mse: prop('--pairing-softmax-mse'),
                   linear_mse: prop('--pairing-linear-mse'),
                   negative: prop('--negative'), positive: prop('--positive') },
        };
    }""")
    assert palettes["css"] == palettes["js"]
    assert len(set(palettes["js"].values())) == 7


def test_no_colour_is_shared_between_the_palettes_families(phone):
    families = phone.page.evaluate("""async () => {
        const colors = await import('/static/js/lib/colors.js');
        const ink = getComputedStyle(document.documentElement).getPropertyValue('--ink').trim();
        return { pairing: Object.values(colors.PAIRING_COLORS), class: colors.CLASS_COLORS,
                 sign: [colors.NEGATIVE, colors.POSITIVE], layer: colors.LAYER_COLORS, ink: [colors.NEUTRAL, ink] };
    }""")
    assert len(set(families["ink"])) == 1  # colors.js's neutral is the page's ink
    owners: dict[str, str] = {}
    for family, colours in families.items():
        for colour in set(c.lower() for c in colours):
            assert colour not in owners, (colour, owners.get(colour), family)
            owners[colour] = family
    assert len(set(families["class"])) == len(families["class"]) == 10
