"""A teacher's link in Chromium: it hides the controls it names (rows and labels), locks others (disabled, with the
reason), shows its note as text, opens on the view choices it carries (log scale, code view, the run drawn, playing),
and all of it survives a reload and "Copy link". The "Classroom link…" dialog makes such a link, by keyboard, with no
axe violations."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from browser import DESKTOP, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
NOTE = "Watch the outputs <b>not</b> move & say why"
ROWS = {  # a setting's name in the link: the form row that holds it
    "dataset": '[data-field="dataset.name"]', "hidden": '[data-field="network.hidden_layers"]',
    "runs": '[data-field="runs"]', "lr": '[data-field="optimizer.learning_rate"]',
    "optimizer": '[data-field="optimizer.name"]', "seed": '[data-field="network.seed"]',
    "features": '[data-field="dataset.features"]', "regularization": '[data-field="regularization"]',
    "regRate": '[data-field="regularization_rate"]',
}
TWO_RUNS = "#dataset=two-points&runs=sigmoid_mse,softmax_ce"
CLASSROOM = f"{TWO_RUNS}&hide=dataset,hidden,runs&lock=lr,optimizer&note={quote(NOTE)}"


def hidden(page, name: str) -> bool:
    return page.locator(ROWS[name]).is_hidden()


def locked(page, name: str) -> bool:
    return page.evaluate(f"""() => {{
        const row = document.querySelector('{ROWS[name]}');
        const controls = [...row.querySelectorAll('input, select, button')];
        return !row.hidden && controls.length > 0 && controls.every((c) => c.disabled)
            && row.dataset.classroom === 'locked' && row.querySelector('.classroom-lock') !== null;
    }}""")


def assert_classroom_page(page):
    for name in ("dataset", "hidden", "runs"):
        assert hidden(page, name), name
    assert page.locator('label[for="hidden"]').is_hidden(), "a hidden row takes its label with it"
    for name in ("lr", "optimizer"):
        assert locked(page, name), name
    assert not hidden(page, "seed") and not locked(page, "seed")
    assert page.locator("#seed").is_enabled()
    note = page.locator("#classroom-note")
    assert note.is_visible()
    assert note.locator("p").inner_text() == NOTE, "the note is text, tags and all"
    assert note.locator("b").count() == 0


def test_a_classroom_link_hides_locks_and_shows_its_note(dashboard: Dashboard):
    dashboard.open(CLASSROOM)
    page = dashboard.page
    assert_classroom_page(page)
    assert dashboard.lab("config")["runs"] == [{"id": "sigmoid-mse", "kind": "sigmoid_mse"},
                                               {"id": "softmax-ce", "kind": "softmax_ce"}]
    assert dashboard.lab("notices") == []
    hash_ = page.evaluate("location.hash")
    for part in ("hide=dataset,hidden,runs", "lock=lr,optimizer", f"note={quote(NOTE, safe='')}"):
        assert part in hash_, part

    page.reload()
    dashboard.wait_for("window.backpropLab && window.backpropLab.framesDrawn > 0")
    assert_classroom_page(page)

    # An unlocked control still works, and the link it writes keeps the classroom.
    page.fill("#seed", "5")
    page.locator("#seed").dispatch_event("change")
    page.wait_for_function("() => location.hash.includes('seed=5')")
    assert "lock=lr,optimizer" in page.evaluate("location.hash")


def test_unknown_controls_become_link_notes_and_a_plain_link_frees_the_page(dashboard: Dashboard):
    dashboard.open("#hide=dataset,wings&lock=lr,engine,flaps")
    page = dashboard.page
    assert hidden(page, "dataset") and locked(page, "lr")
    notes = {note["key"] for note in dashboard.lab("notices")}
    assert notes == {"hide", "lock"}
    page.evaluate("() => { location.hash = 'dataset=two-points'; }")
    page.wait_for_function("() => !document.querySelector('[data-field=\"optimizer.learning_rate\"] .classroom-lock')")
    assert not hidden(page, "dataset")
    assert page.locator("#lr").is_enabled()
    assert page.locator("#classroom-note").is_hidden()


def test_input_features_and_regularization_can_be_hidden_or_locked_and_keep_their_values(dashboard: Dashboard):
    page = dashboard.page
    features = ["x1", "x2", "x1_squared"]
    dashboard.open("#dataset=circles&features=x1,x2,x1_squared&regularization=l2&regRate=0.001"
                   "&hide=features,regRate&lock=regularization")
    assert dashboard.lab("notices") == []
    assert hidden(page, "features") and hidden(page, "regRate") and locked(page, "regularization")
    # A hidden group still trains on its values: a change elsewhere keeps them, and so does another dataset.
    page.fill("#seed", "5")
    page.locator("#seed").dispatch_event("change")
    dashboard.wait_for("window.backpropLab.config.network.seed === 5")
    config = dashboard.lab("config")
    assert config["dataset"]["features"] == features
    assert (config["regularization"], config["regularization_rate"]) == ("l2", 0.001)
    page.select_option("#dataset", "xor")
    dashboard.wait_for("window.backpropLab.config.dataset.name === 'xor'")
    assert dashboard.lab("config")["dataset"]["features"] == features
    assert hidden(page, "features")

    # The dataset locked: its input features with it.
    page.evaluate("() => { location.hash = 'dataset=circles&lock=dataset'; }")
    page.wait_for_function("() => document.querySelector('[data-field=\"dataset.name\"] .classroom-lock')")
    assert page.get_attribute(ROWS["features"], "data-classroom") == "locked"
    assert page.locator("#features input").count() > 0
    assert page.locator("#features input").evaluate_all("boxes => boxes.every((b) => b.disabled)")


def test_view_choices_are_applied_on_open_and_kept(dashboard: Dashboard):
    dashboard.open(f"{TWO_RUNS}&view=code&log=1&run=softmax-ce&play=1")
    page = dashboard.page
    dashboard.wait_for("window.backpropLab.playing === true && window.backpropLab.step > 0")
    assert page.is_checked("#loss-log")
    assert page.get_attribute('#math-view [data-view="code"]', "aria-pressed") == "true"
    page.locator("#network").scroll_into_view_if_needed()  # views off screen are drawn when they come into view
    page.wait_for_function("() => document.getElementById('network-run').options.length === 2")
    assert page.input_value("#network-run") == "softmax-ce"
    hash_ = page.evaluate("location.hash")
    for part in ("view=code", "log=1", "run=softmax-ce", "play=1"):
        assert part in hash_, part

    # The visitor's own choices go into the link too.
    page.select_option("#network-run", "sigmoid-mse")
    page.uncheck("#loss-log")
    page.wait_for_function("() => location.hash.includes('run=sigmoid-mse') && !location.hash.includes('log=1')")


def test_a_lesson_link_with_classroom_choices_opens_the_lesson(dashboard: Dashboard):
    dashboard.open("#lesson=3&hide=runs&log=1")
    page = dashboard.page
    assert dashboard.lab("config")["dataset"]["name"] == "blobs", "the lesson's own experiment"
    assert page.locator(".lesson-choice[aria-current='step']").inner_text().startswith("3.")
    assert hidden(page, "runs")
    assert page.is_checked("#loss-log")


def test_the_dialog_makes_a_link_that_does_all_this(chromium, live_server):
    context = chromium.new_context(viewport=DESKTOP, bypass_csp=True)  # axe is the test's own script
    try:
        dashboard = Dashboard(context.new_page(), live_server.url).open(TWO_RUNS)
        page = dashboard.page
        page.locator("#classroom-link").focus()
        page.keyboard.press("Enter")
        dialog = page.locator("#classroom-dialog")
        dialog.wait_for()
        assert page.evaluate("document.getElementById('classroom-dialog').open")

        page.add_script_tag(path=str(AXE))
        axe = """async () => (await axe.run('#classroom-dialog')).violations
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"""
        assert page.evaluate(axe) == []

        # Keyboard only: a checkbox is reached and ticked with the space bar.
        page.get_by_label("Hide Hidden layers").focus()
        page.keyboard.press("Space")
        for label in ("Hide Dataset", "Hide Output layers", "Lock Learning rate", "Lock Optimizer"):
            page.get_by_label(label).check()
        page.fill("#classroom-note-text", NOTE)
        page.check("#classroom-log")
        page.check("#classroom-play")
        page.select_option("#classroom-run", "softmax-ce")
        page.select_option("#classroom-view", "code")
        link = page.input_value("#classroom-url")
        for part in ("hide=dataset,hidden,runs", "lock=optimizer,lr", f"note={quote(NOTE, safe='')}", "log=1",
                     "run=softmax-ce", "view=code", "play=1", "runs=sigmoid_mse,softmax_ce"):
            assert part in link, part
        assert page.evaluate(axe) == []
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.getElementById('classroom-dialog').open")
        assert page.evaluate("document.activeElement.id") == "classroom-link"

        student = Dashboard(context.new_page(), live_server.url)
        student.page.goto(link)
        student.wait_for("window.backpropLab && window.backpropLab.playing === true")
        assert_classroom_page(student.page)
        assert student.page.is_checked("#loss-log")
        student.page.locator("#network").scroll_into_view_if_needed()
        student.page.wait_for_function("() => document.getElementById('network-run').options.length === 2")
        assert student.page.input_value("#network-run") == "softmax-ce"
        assert dashboard.console_errors == [] and student.console_errors == []
    finally:
        context.close()


def test_the_dialog_makes_a_lesson_link(dashboard: Dashboard):
    dashboard.open()
    page = dashboard.page
    page.click("#classroom-link")
    page.select_option("#classroom-lesson", "2")
    page.get_by_label("Lock Learning rate").check()
    link = page.input_value("#classroom-url")
    hash_ = link.split("#", 1)[1]
    assert sorted(pair.split("=")[0] for pair in hash_.split("&")) == ["lesson", "lock"]
    page.keyboard.press("Escape")
    page.goto(link)
    dashboard.wait_for("window.backpropLab && window.backpropLab.config && window.backpropLab.config.runs.length === 2")
    assert [run["kind"] for run in dashboard.lab("config")["runs"]] == ["sigmoid_mse", "sigmoid_mse_examples_mixed"]
    assert locked(page, "lr")
