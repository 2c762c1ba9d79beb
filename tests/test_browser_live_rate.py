"""Issue 17: a new learning rate changes training live (`set`), from the step it is at; a change that needs new
weights (the hidden layers) is announced in the form, as the field takes focus, before it restarts training from step 0."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

pytestmark = pytest.mark.browser

# The page samples the step counter itself, so a return to 0 between two of our reads is still seen.
WATCH_STEPS = "() => { window.stepsSeen = []; setInterval(() => window.stepsSeen.push(backpropLab.step), 10); }"


def sent_messages(page) -> list[dict]:
    """Every JSON message the page sends on its socket, as it sends them."""
    sent: list[dict] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: isinstance(payload, str)
                                          and sent.append(json.loads(payload))))
    return sent


def test_a_new_learning_rate_keeps_training_from_its_step_and_new_layers_restart(dashboard):
    page = dashboard.page
    sent = sent_messages(page)
    dashboard.open("#speed=60")
    page.click("#play")
    dashboard.wait_for("backpropLab.step >= 10")
    configures = sum(message["type"] == "configure" for message in sent)

    before = dashboard.lab("step")
    page.evaluate(WATCH_STEPS)
    page.focus("#lr")
    assert page.locator("#restart-note").is_hidden()  # a live setting: nothing to announce
    page.fill("#lr", "0.05")
    page.press("#lr", "Enter")
    dashboard.wait_for(f"backpropLab.step >= {before + 20}")
    assert min(page.evaluate("() => window.stepsSeen")) >= before  # never back to step 0
    assert {"type": "set", "learning_rate": 0.05} in sent
    assert sum(message["type"] == "configure" for message in sent) == configures
    assert dashboard.lab("config")["optimizer"]["learning_rate"] == 0.5  # the last configure is the first one
    assert "lr=0.05" in unquote(page.url.split("#", 1)[1]).split("&")
    assert dashboard.lab("playing") is True

    page.locator("#hidden").scroll_into_view_if_needed()
    field_box = page.locator("#hidden").bounding_box()
    page.focus("#hidden")
    note = page.locator("#restart-note")
    assert note.is_visible() and note.get_attribute("data-restarts") == "hidden"
    assert page.locator("#hidden").bounding_box() == field_box  # the note moves nothing under the pointer
    page.evaluate("() => { window.stepsSeen = []; }")
    reached = dashboard.lab("step")
    page.fill("#hidden", "4")
    page.press("#hidden", "Enter")
    dashboard.wait_for("backpropLab.configured && backpropLab.configured.config.network.hidden_layers[0] === 4"
                       " && backpropLab.step >= 5")
    assert min(page.evaluate("() => window.stepsSeen")) < reached  # training started again
    last = [message for message in sent if message["type"] == "configure"][-1]
    assert last["network"]["hidden_layers"] == [4] and last["optimizer"]["learning_rate"] == 0.05
    assert dashboard.console_errors == []
