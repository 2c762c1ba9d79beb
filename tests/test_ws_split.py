"""dataset.test_fraction over the socket: bad values get an `error` at that field and the session goes on; a good
one gives the test part in `configured`, test numbers in frames and a test_loss column in `history`."""

from __future__ import annotations

import pytest

from live_server import transport_fixture

BLOBS = {"name": "blobs", "seed": 1}


transport = transport_fixture()


@pytest.fixture
def conn(transport):
    """A session configured with the default experiment, at step 0."""
    conn = transport.open()
    conn.recv_type("hello")
    conn.send_json({"type": "configure"})
    conn.recv_type("frame")
    yield conn
    transport.close_connections()


@pytest.mark.parametrize("dataset, field", [
    ({**BLOBS, "test_fraction": 0.95}, "dataset.test_fraction"),
    ({**BLOBS, "test_fraction": -0.1}, "dataset.test_fraction"),
    ({**BLOBS, "test_fraction": "0.2"}, "dataset.test_fraction"),
    ({**BLOBS, "test_fraction": True}, "dataset.test_fraction"),
    ({**BLOBS, "test_fraction": None}, "dataset.test_fraction"),
    ({"name": "two-points", "test_fraction": 0.5}, "dataset.test_fraction"),  # holds out no example
], ids=["above 0.9", "negative", "text", "true", "null", "nothing held out"])
def test_a_bad_test_fraction_is_refused_at_its_field_and_the_session_goes_on(conn, dataset, field):
    conn.send_json({"type": "configure", "dataset": dataset})
    error = conn.recv_type("error")
    assert (error["code"], error["field"]) == ("invalid_value", field)
    assert error["in_reply_to"] == {"type": "configure", "run": None}
    conn.send_json({"type": "step", "count": 1})
    assert conn.recv_type("frame")["step"] == 1


def test_an_example_beyond_the_training_part_is_refused(conn):
    conn.send_json({"type": "configure", "dataset": {**BLOBS, "test_fraction": 0.5}, "example": 150})
    error = conn.recv_type("error")
    assert (error["code"], error["field"]) == ("invalid_value", "example")


def test_a_test_part_travels_in_configured_frames_and_history(conn):
    conn.send_json({"type": "configure", "dataset": {**BLOBS, "test_fraction": 0.2}})
    configured = conn.recv_type("configured")
    assert len(configured["test_inputs"]) == len(configured["test_labels"]) == 39  # 13 of each class (67, 67, 66 examples)
    assert len(configured["inputs"]) + len(configured["test_inputs"]) == 200
    assert configured["config"]["dataset"]["test_fraction"] == 0.2
    frame = conn.recv_type("frame")
    for run in frame["runs"]:
        assert run["test_loss"] > 0 and 0 <= run["test_accuracy"] <= 1 and 0 <= run["accuracy"] <= 1
        assert sum(map(sum, run["confusion"])) == 39
    conn.send_json({"type": "step", "count": 20})
    conn.recv_type("state")
    conn.send_json({"type": "history"})
    history = conn.recv_type("history")
    assert len(history["test_loss"]) == len(history["steps"])
    assert history["test_loss"][0] == [run["test_loss"] for run in frame["runs"]]


def test_without_a_test_part_the_test_numbers_are_null(conn):
    conn.send_json({"type": "history"})
    assert conn.recv_type("history")["test_loss"] is None
    conn.send_json({"type": "step", "count": 1})
    frame = conn.recv_type("frame")
    assert all(run["test_loss"] is None and run["test_accuracy"] is None for run in frame["runs"])
