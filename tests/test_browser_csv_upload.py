"""CSV upload in a real browser: a file chosen under Data trains live with every one of its rows, its label column
chosen from its header; a file the server refuses gets the refusal beside the control, at its field; a link cannot
carry the file and says so."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

from browser import DESKTOP, Dashboard

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
LINK = "#dataset=two-points&runs=softmax_ce"
# 12 rows of four numeric columns: by default the last, d, holds the classes.
ROWS = [(i % 3, round(0.1 * i, 1), (i * 7) % 5, i % 2) for i in range(12)]
GOOD = "a,b,c,d\n" + "".join(",".join(map(str, row)) + "\n" for row in ROWS)


@pytest.fixture
def lab(chromium, live_server):
    # axe is injected as a script of the test's own: only that needs the page's policy bypassed.
    context = chromium.new_context(viewport=DESKTOP, bypass_csp=True)
    yield Dashboard(context.new_page(), live_server.url).open(LINK)
    context.close()


def choose_file(lab: Dashboard, tmp_path: Path, text: str, name: str = "mine.csv") -> None:
    path = tmp_path / name
    path.write_text(text)
    lab.page.set_input_files("#csv-file", str(path))


def trained_on_csv(lab: Dashboard) -> dict:
    lab.wait_for("window.backpropLab.configured?.config.dataset.name === 'csv' && window.backpropLab.frame")
    return lab.lab("configured")


def axe_violations(lab: Dashboard, selector: str) -> list[str]:
    lab.page.add_script_tag(path=str(AXE))
    return lab.page.evaluate(f"""async () => (await axe.run({selector!r})).violations
        .map((v) => `${{v.id}}: ${{v.nodes.map((n) => n.target.join(' ')).join(', ')}}`)""")


def test_a_good_file_trains_live_on_every_row_with_the_label_column_chosen(lab, tmp_path):
    page = lab.page
    choose_file(lab, tmp_path, GOOD)
    configured = trained_on_csv(lab)
    assert len(configured["inputs"]) == 12 and configured["layer_sizes"] == [3, 8, 2]
    assert configured["class_names"] == ["0", "1"] and configured["inputs"][1] == [1, 0.1, 2]
    assert page.eval_on_selector_all("#csv-label option", "(options) => options.map((o) => o.value)") == ["a", "b", "c", "d"]
    assert "12" in page.inner_text("#csv-hint")  # the rows used

    page.select_option("#csv-label", "a")  # another label column: the features are b, c, d
    lab.wait_for("window.backpropLab.configured?.class_names.length === 3")
    configured = lab.lab("configured")
    assert configured["class_names"] == ["0", "1", "2"] and configured["inputs"][1] == [0.1, 2, 1]
    assert configured["config"]["dataset"]["csv"]["label_column"] == "a"

    page.click("#play")
    lab.wait_for("window.backpropLab.frame.step > 20")
    frame = lab.lab("frame")
    assert [len(run["outputs"]) for run in frame["runs"]] == [12]
    assert all(len(row) == 3 for row in frame["runs"][0]["outputs"])
    page.click("#play")  # pause

    hash_ = unquote(page.evaluate("location.hash"))
    assert "dataset=csv" in hash_ and "a,b,c,d" not in hash_  # the link names the file's choice, not its text
    assert lab.lab("errors") == {} and lab.console_errors == []
    assert axe_violations(lab, ".controls") == []


@pytest.mark.parametrize("text", [
    "x1,x2,label\n0,1,A\n1,0\n0,0,B\n",  # a ragged row
    "x1,x2,label\n0,one,A\n1,0,B\n",  # a cell that is not a number
    ",".join(f"c{i}" for i in range(101)) + "\n" + ",".join(["1"] * 100 + ["A"]) + "\n"
    + ",".join(["0"] * 100 + ["B"]) + "\n",  # 101 columns: the limit is 100
], ids=["ragged", "not-a-number", "too-many-columns"])
def test_a_bad_file_shows_the_refusal_beside_the_control_and_training_goes_on(lab, tmp_path, text):
    page = lab.page
    choose_file(lab, tmp_path, text, "bad.csv")
    lab.wait_for("Object.keys(window.backpropLab.errors).length > 0")
    assert list(lab.lab("errors")) == ["dataset.csv.text"]
    lab.wait_for("""document.querySelector('[data-field="dataset.csv"] .field-error').textContent !== ''""")  # drawn
    assert page.get_attribute("#csv-file", "aria-invalid") == "true"
    assert lab.lab("configured")["config"]["dataset"]["name"] == "two-points"  # the previous experiment runs on
    page.click("#step")
    lab.wait_for("window.backpropLab.frame.step === 1")
    assert axe_violations(lab, ".controls") == []


def test_a_link_that_named_a_file_opens_with_the_default_dataset_and_says_why(chromium, live_server):
    context = chromium.new_context(viewport=DESKTOP)
    try:
        lab = Dashboard(context.new_page(), live_server.url).open("#dataset=csv&runs=softmax_ce")
        assert lab.lab("configured")["config"]["dataset"]["name"] == "two-points"
        assert [note["key"] for note in lab.lab("notices")] == ["dataset"]
        assert lab.console_errors == []
    finally:
        context.close()
