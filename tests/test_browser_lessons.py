"""The guided lessons in a real browser: walked through with the keyboard alone, opened from a link, and the
derivation page they point to (KaTeX under the app's Content-Security-Policy, printable).
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import pytest

from browser import ARTIFACTS, DESKTOP, PHONE, Dashboard

pytestmark = pytest.mark.browser

SECTIONS = ["notation", "softmax", "jacobian", "cross-entropy", "binary-cross-entropy", "quadratic-cost",
            "four-equations", "saturation", "hidden-layer"]

# The configure message the page sent equals the lesson's preset (as GET /api/lessons gives it), and the
# server has answered it with a frame.
PRESET_APPLIED = """(preset) => {
  const lab = window.backpropLab, sent = lab.config, got = lab.configured;
  if (!sent || !got || !lab.frame || lab.frame.runs.length !== preset.runs.length) return false;
  const canonical = (value) => (value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]))
    : Array.isArray(value) ? value.map(canonical) : value);
  const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
  // The page sends a dataset's optional fields (csv, test_fraction, features) only when they are chosen.
  const chosen = Object.fromEntries(Object.entries(preset.dataset).filter(([key, value]) =>
    value !== null && !(key === 'test_fraction' && value === 0)));
  const wanted = {
    dataset: chosen,
    network: { hidden_layers: preset.network.hidden_layers, hidden_activation: preset.network.hidden_activation,
               init: preset.network.init, seed: preset.network.seed },
    runs: preset.runs.map((r) => ({ id: r.id, kind: r.kind })),
    optimizer: { name: preset.optimizer.name, learning_rate: preset.optimizer.learning_rate },
    batch_size: preset.batch_size, example: preset.example,
  };
  const mine = { dataset: sent.dataset, network: sent.network, runs: sent.runs, optimizer: sent.optimizer,
                 batch_size: sent.batch_size, example: sent.example };
  return same(mine, wanted) && same(got.config.dataset, preset.dataset)
    && same(got.config.network.hidden_layers, preset.network.hidden_layers)
    && got.config.network.seed === preset.network.seed;
}"""


@contextlib.contextmanager
def dashboard_page(browser: Any, server: Any, viewport: dict[str, int] = DESKTOP) -> Iterator[Dashboard]:
    """A dashboard page in a browser context of its own."""
    context = browser.new_context(viewport=viewport)
    try:
        yield Dashboard(context.new_page(), server.url)
    finally:
        context.close()


def lessons_of(page, live_server) -> list[dict]:
    return page.request.get(f"{live_server.url}api/lessons").json()


def focused(page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.dataset.lesson || ''")


def tab_to(page, element_id: str, most: int = 12) -> None:
    """Press Tab until the element with this id has the focus."""
    for _ in range(most):
        if focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    assert focused(page) == element_id, f"Tab never reached #{element_id}"


def wait_preset(dashboard, preset: dict) -> None:
    dashboard.page.wait_for_function(PRESET_APPLIED, arg=preset, timeout=15_000)


def check_try_this(dashboard, number: int) -> None:
    """What each lesson's "Try this" does, seen in the store and in the lesson's live numbers."""
    page, wait = dashboard.page, dashboard.wait_for
    if number == 1:  # play: the outputs reach the plateau near [0.5, 0.5], shown as such
        wait("backpropLab.playing")
        page.locator('.lesson-status[data-status="plateau"]').wait_for(timeout=15_000)
        assert page.locator(".lesson-numbers .grad-table").count() == 3  # A, B and their average
    elif number == 2:  # play both: the right run reaches the labels, the bug is diagnosed at [0.5, 0.5]
        wait("'sigmoid-mse' in backpropLab.converged", 20_000)
        wait("backpropLab.diagnoses.some((d) => d.run === 'sig-mse-mixed' && d.cause === 'examples_mixed')", 20_000)
        page.locator('.lesson-causes li[data-cause="examples_mixed"]').wait_for()
    elif number == 3:  # the next example (the preset shows example 3, of class A; 4 is of class B), its own Jacobian
        wait("backpropLab.frame.runs.every((run) => run.output.example === 4)")
        assert "example=4" in page.url
        page.locator(".lesson-numbers .lesson-card .katex").nth(1).wait_for()
        assert page.get_attribute("#lessons", "data-preset") == "own"  # another example: the claims still hold
    elif number == 4:  # play: softmax + cross-entropy reaches the labels first
        wait("'softmax-ce' in backpropLab.converged", 20_000)
        assert "sigmoid-mse" not in dashboard.lab("converged")
        page.locator(".lesson-numbers td", has_text="yes, at step").first.wait_for()
    elif number == 5:  # the gradient check: the mistake is caught, the whole Jacobian agrees
        wait("Object.keys(backpropLab.gradcheck).length === 2")
        page.locator(".lesson-gradcheck .verdict.bad").wait_for()
        assert page.locator(".lesson-gradcheck .verdict.ok").count() == 1
    elif number == 6:  # scaled inputs: the same network learns
        wait("backpropLab.configured && backpropLab.configured.config.dataset.params.scaled === true")
        wait("['sigmoid-mse', 'sigmoid-bce', 'softmax-ce', 'softmax-mse'].every((id) => id in backpropLab.converged)",
             20_000)
        assert "data.scaled=true" in page.url
        wait("document.querySelector('#lessons').dataset.preset === 'changed'")  # the claims were about the preset
    elif number == 7:  # a hidden layer of 8: it learns
        wait("backpropLab.configured && backpropLab.configured.config.network.hidden_layers.length === 1")
        wait("'softmax-ce' in backpropLab.converged", 20_000)
        assert "hidden=8" in page.url


def test_walk_through_every_lesson_with_the_keyboard_alone(chromium, live_server):
    with dashboard_page(chromium, live_server) as dashboard:
        dashboard.open()
        keyboard_walk(dashboard, live_server)


def keyboard_walk(dashboard, live_server) -> None:
    """Tab, Enter and Space only: open the lessons, then for each one check it, try it, and go to the next."""
    page = dashboard.page
    lessons = lessons_of(page, live_server)
    assert [lesson["number"] for lesson in lessons] == [1, 2, 3, 4, 5, 6, 7]

    tab_to(page, "lessons-toggle")
    page.keyboard.press("Enter")
    assert page.locator("#lessons").is_visible()
    assert page.get_attribute("#lessons-toggle", "aria-expanded") == "true"
    assert focused(page) == "1"  # the first lesson of the list
    page.keyboard.press("Enter")

    for lesson in lessons:
        number = lesson["number"]
        title = page.locator("#lesson-title")
        title.wait_for()
        assert title.inner_text() == f"{number}. {lesson['title']}"
        assert focused(page) == "lesson-title"  # the keyboard starts at the lesson
        wait_preset(dashboard, lesson["preset"])
        assert page.url.split("#", 1)[1].startswith(f"lesson={number}&")
        assert not dashboard.lab("playing")  # a lesson starts paused
        assert page.locator("#lessons .lesson-equations .katex").count() == len(lesson["equations"])
        assert page.locator("#lessons .lesson-claims li").count() == len(lesson["claims"])
        derivation = page.get_attribute("#lesson-derivation", "href")
        assert derivation.endswith(f"/learn/softmax#{lesson['derivation']}")

        # The loss chart on the scale the lesson's claims are seen on (lesson 5: log), as the preset left it.
        assert page.is_checked("#loss-log") == (lesson["loss_scale"] == "log")
        dashboard.wait_for("document.querySelector('#lessons').dataset.preset === 'own'")  # drawn 4 times a second
        assert page.locator("#lessons .lesson-preset-note").is_hidden()

        tab_to(page, "lesson-try")
        page.keyboard.press("Space" if number % 2 else "Enter")  # buttons answer both
        check_try_this(dashboard, number)

        if number < len(lessons):
            tab_to(page, "lesson-next")
            page.keyboard.press("Enter")
            page.wait_for_function("(n) => document.querySelector('#lessons').dataset.lesson === String(n)",
                                   arg=number + 1)
        else:
            assert page.locator("#lesson-next").is_disabled()
            tab_to(page, "lesson-derivation")  # the last stop: the derivation
    assert dashboard.console_errors == []


def test_a_link_to_a_lesson_starts_it_and_its_diagnosis_names_the_cause(chromium, live_server):
    with dashboard_page(chromium, live_server) as dashboard:
        dashboard.open("#lesson=6")
        link_to_a_lesson(dashboard, live_server)


def link_to_a_lesson(dashboard, live_server) -> None:
    """#lesson=6 starts lesson 6 with its preset; editing the link to lesson 7 starts that one; closing ends it."""
    page = dashboard.page
    lessons = {lesson["number"]: lesson for lesson in lessons_of(page, live_server)}
    assert page.locator("#lesson-title").inner_text() == "6. When softmax does not help"
    wait_preset(dashboard, lessons[6]["preset"])
    assert page.url.split("#", 1)[1].startswith("lesson=6&dataset=raw-pixels&")
    assert page.locator('.lesson-choice[aria-current="step"]').inner_text() == "6. When softmax does not help"
    page.click("#play")
    causes = page.locator(".lesson-numbers .lesson-causes li")
    page.locator('.lesson-causes li[data-cause="identical_representations"]').wait_for(timeout=20_000)
    assert page.locator('.lesson-causes li[data-cause="saturated_layer"]').count() == 1
    assert page.locator('.lesson-causes li[data-cause="unscaled_inputs"]').count() == 1  # the root of both
    assert causes.count() == 3
    assert "saturated" in page.locator(".lesson-numbers").inner_text()

    # Editing the link to another lesson starts that one.
    page.evaluate("() => { location.hash = 'lesson=7'; }")
    page.wait_for_function("() => document.querySelector('#lesson-title')?.textContent.startsWith('7.')")
    wait_preset(dashboard, lessons[7]["preset"])
    page.click("#play")
    page.locator('.lesson-causes li[data-cause="not_linearly_separable"]').wait_for(timeout=20_000)
    page.click("#play")  # pause

    # Closing the lessons ends the lesson: the link no longer names it, the experiment stays.
    config = dashboard.lab("config")
    page.click("#lessons-close")
    assert page.locator("#lessons").is_hidden()
    assert "lesson=" not in page.url and "dataset=xor" in page.url
    assert dashboard.lab("config") == config
    assert dashboard.console_errors == []


def test_the_bug_lesson_runs_both_averages_side_by_side_and_shows_why_one_stops(chromium, live_server):
    with dashboard_page(chromium, live_server) as dashboard:
        dashboard.open("#lesson=2")
        bug_lesson(dashboard, live_server)


def bug_lesson(dashboard, live_server) -> None:
    """Lesson 2 from a link: both runs configured from lesson 1's weights; played, the right card reaches the
    labels while the bug's card stays at [0.5, 0.5] with a step under 1% of the examples' own gradients."""
    page, wait = dashboard.page, dashboard.wait_for
    lessons = {lesson["number"]: lesson for lesson in lessons_of(page, live_server)}
    assert page.locator("#lesson-title").inner_text() == "2. The bug that gives [0.5, 0.5]"
    wait_preset(dashboard, lessons[2]["preset"])
    assert [run["kind"] for run in dashboard.lab("configured")["config"]["runs"]] == [
        "sigmoid_mse", "sigmoid_mse_examples_mixed"]
    assert dashboard.lab("configured")["config"]["network"]["seed"] == lessons[1]["preset"]["network"]["seed"]
    cards = page.locator(".lesson-numbers .lesson-card")
    cards.nth(1).wait_for()
    assert cards.evaluate_all("cards => cards.map((c) => c.dataset.run)") == ["sigmoid-mse", "sig-mse-mixed"]
    assert page.locator(".lesson-numbers .grad-table").count() == 6  # per run: A, B and the step taken

    page.click("#lesson-try")
    wait("'sigmoid-mse' in backpropLab.converged", 20_000)
    wait("backpropLab.diagnoses.some((d) => d.run === 'sig-mse-mixed' && d.cause === 'examples_mixed')", 20_000)
    page.click("#play")  # pause
    wait("!backpropLab.playing")
    page.wait_for_timeout(400)  # the numbers redraw four times a second
    bug = page.locator('.lesson-card[data-run="sig-mse-mixed"]')
    right = page.locator('.lesson-card[data-run="sigmoid-mse"]')
    assert bug.locator('.lesson-status').get_attribute("data-status") == "plateau"
    assert right.locator('.lesson-status').get_attribute("data-status") == "labels"
    bug_share = float(bug.locator("[data-step-share]").get_attribute("data-step-share"))
    right_share = float(right.locator("[data-step-share]").get_attribute("data-step-share"))
    assert bug_share < 0.01 < right_share
    page.locator('.lesson-causes li[data-cause="examples_mixed"]').wait_for()
    outputs = {run["id"]: run["outputs"] for run in dashboard.lab("frame")["runs"]}
    assert max(abs(v - 0.5) for row in outputs["sig-mse-mixed"] for v in row) < 0.03  # the lesson's claim
    assert dashboard.console_errors == []


def test_derivation_page_renders_katex_without_errors_and_prints_without_controls(chromium, live_server):
    derivation_page(chromium, live_server)


def derivation_page(browser, live_server) -> None:
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script("""document.addEventListener('securitypolicyviolation',
            (e) => (window.cspViolations = window.cspViolations || []).push(e.violatedDirective + ' ' + e.blockedURI));""")
        response = page.goto(f"{live_server.url}learn/softmax")
        assert "script-src 'self'" in response.headers["content-security-policy"]  # no inline script needed
        page.wait_for_selector("body[data-math-rendered='true']")
        assert page.locator("h1").inner_text() == "Softmax, cross-entropy and backprop: the derivation"
        assert page.locator(".katex").count() > 100
        assert page.locator(".katex-error").count() == 0
        for section in SECTIONS:
            assert page.locator(f"section#{section} .katex").count() > 0, section
        for lesson in lessons_of(page, live_server):  # every lesson's link lands on a section
            assert page.locator(f"section#{lesson['derivation']}").count() == 1
            link = page.locator(f"section#{lesson['derivation']} .in-the-lab a")
            assert link.get_attribute("href").endswith(f"/#lesson={lesson['number']}")
        text = page.locator("#jacobian").inner_text()
        assert "Kronecker delta" in text and "nothing to do with the error" in text
        assert page.locator("#print").is_visible()
        page.screenshot(path=str(ARTIFACTS / "lessons-derivation.png"))

        page.emulate_media(media="print")
        assert page.locator(".derivation-bar").is_hidden()
        assert page.locator(".in-the-lab").first.is_hidden()
        assert page.locator("#four-equations .katex").first.is_visible()
        assert page.evaluate("() => window.cspViolations || []") == []
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport, name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_screenshot_of_a_lesson(chromium, live_server, viewport, name):
    screenshot_of_lesson_1(chromium, live_server, viewport, name)


def screenshot_of_lesson_1(browser, live_server, viewport, name) -> None:
    with dashboard_page(browser, live_server, viewport) as board:
        board.open("#lesson=1")
        page = board.page
        page.locator("#lesson-title").wait_for()
        page.click("#lesson-try")  # play at 20 steps a second: the plateau near [0.5, 0.5]
        page.locator('.lesson-status[data-status="plateau"]').wait_for(timeout=15_000)
        page.click("#play")  # pause there
        board.wait_for("!backpropLab.playing")
        page.wait_for_timeout(400)  # the numbers redraw four times a second
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
        page.locator("#lessons").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"lessons-{name}.png"))
        assert board.console_errors == []


def test_a_lesson_link_copied_after_try_this_says_its_claims_are_about_the_lessons_own_experiment(chromium,
                                                                                                   live_server):
    """Lesson 6's claims (every run stuck) do not hold once the inputs are scaled: reopened from a link with that
    change, the lesson says its claims are about its own experiment, and one button goes back to it."""
    with dashboard_page(chromium, live_server) as dashboard:
        page = dashboard.open("#lesson=6").page
        lessons = {lesson["number"]: lesson for lesson in lessons_of(page, live_server)}
        wait_preset(dashboard, lessons[6]["preset"])
        page.click("#lesson-try")
        dashboard.wait_for("backpropLab.configured && backpropLab.configured.config.dataset.params.scaled === true")
        page.click("#play")  # pause
        link = page.url.split("#", 1)[1]
        assert link.startswith("lesson=6&") and "data.scaled=true" in link
    with dashboard_page(chromium, live_server) as dashboard:
        page = dashboard.open("#" + link).page
        dashboard.wait_for("document.querySelector('#lessons').dataset.preset === 'changed'")
        assert dashboard.lab("configured")["config"]["dataset"]["params"]["scaled"] is True  # the link's own
        assert page.locator("#lessons .lesson-preset-note").is_visible()
        page.click("#lessons .lesson-reset")
        wait_preset(dashboard, lessons[6]["preset"])
        dashboard.wait_for("document.querySelector('#lessons').dataset.preset === 'own'")
        assert page.locator("#lessons .lesson-preset-note").is_hidden()
        assert dashboard.console_errors == []
