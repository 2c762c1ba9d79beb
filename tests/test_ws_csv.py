"""A live session trains on a CSV file the page sends (`configure.dataset = {"name": "csv", "csv": {...}}`), read
by the same rules and bounds as POST /api/datasets/csv; a file it refuses gets an `error` at `dataset.csv.*`,
and the session goes on with the experiment it had."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.web.app import create_app
from lab_settings import make_settings
from live_server import Transport, hello_conn_fixture, transport_fixture

GOOD = "x1,x2,kind\n0,0,cat\n1,0,dog\n0,1,dog\n1,1,cat\n0.5,0.5,bird\n"
RUNS = [{"id": "a", "kind": "softmax_ce"}]


transport = transport_fixture("testclient", "uvicorn", max_upload_rows=10, max_upload_columns=4)
conn = hello_conn_fixture()


def configure_csv(conn, text: str, label_column: str | None = None, **dataset) -> None:
    conn.send_json({"type": "configure", "runs": RUNS,
                    "dataset": {"name": "csv", "csv": {"text": text, "label_column": label_column}, **dataset}})


def expect_refusal(conn, field: str) -> dict:
    error = conn.recv_type("error", "configured", "state", "frame")
    assert error["type"] == "error", error
    assert (error["code"], error["field"]) == ("invalid_value", field), error
    assert error["in_reply_to"] == {"type": "configure", "run": None}
    return error


def test_a_csv_file_is_the_sessions_data_with_one_output_per_class(conn):
    configure_csv(conn, GOOD)
    configured = conn.recv_type("configured")
    assert configured["inputs"] == [[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]]
    assert configured["class_names"] == ["bird", "cat", "dog"]
    assert configured["labels"][0] == [0, 1, 0] and configured["labels"][4] == [1, 0, 0]
    assert configured["layer_sizes"] == [2, 8, 3]
    frame = conn.recv_type("frame")
    assert frame["step"] == 0 and len(frame["runs"][0]["outputs"]) == 5
    conn.send_json({"type": "step", "count": 20})
    assert conn.recv_type("frame")["step"] == 20


def test_the_label_column_is_chosen_by_name(conn):
    configure_csv(conn, "label,x1,x2\n1,0.5,2\n0,1.5,3\n2,2.5,4\n", "label")
    configured = conn.recv_type("configured")
    assert configured["inputs"] == [[0.5, 2], [1.5, 3], [2.5, 4]]
    assert configured["class_names"] == ["0", "1", "2"] and configured["labels"][0] == [0, 1, 0]


def test_the_file_trains_the_same_as_its_rest_upload_reads_it(conn):
    configure_csv(conn, GOOD)
    configured = conn.recv_type("configured")
    with TestClient(create_app(make_settings())) as client:
        uploaded = client.post("/api/datasets/csv", files={"file": ("good.csv", GOOD.encode())}).json()
    assert configured["inputs"] == uploaded["inputs"] and configured["labels"] == uploaded["labels"]
    assert configured["class_names"] == uploaded["class_names"]


@pytest.mark.parametrize("text, label_column, field", [
    ("x1,x2,kind\n0,0,cat\n1,0\n", None, "dataset.csv.text"),  # a ragged row
    ("x1,x2,kind\n0,zero,cat\n1,0,dog\n", None, "dataset.csv.text"),  # not a number
    ("a,b,c,d,e\n1,2,3,4,0\n1,2,3,4,1\n", None, "dataset.csv.text"),  # 5 columns; the limit here is 4
    ("x\n" + "1,0\n" * 11, None, "dataset.csv.text"),  # 11 rows; the limit here is 10
    (GOOD, "colour", "dataset.csv.label_column"),  # no such column
    ("", None, "dataset.csv.text"),
    ("x1,x2,kind\n0,1e300,cat\n1,0,dog\n", None, "dataset.csv.text"),  # the boundary's extent would overflow
], ids=["ragged", "not-a-number", "too-many-columns", "too-many-rows", "unknown-label", "empty", "too-large"])
def test_a_file_the_upload_refuses_gets_an_error_at_its_field_and_the_session_goes_on(conn, text, label_column,
                                                                                      field):
    conn.send_json({"type": "configure", "runs": RUNS})
    assert conn.recv_type("frame")["step"] == 0
    configure_csv(conn, text, label_column)
    expect_refusal(conn, field)
    conn.send_json({"type": "step", "count": 3})
    frame = conn.recv_type("frame")
    assert frame["step"] == 3 and len(frame["runs"][0]["outputs"]) == 2  # still two-points


@pytest.mark.parametrize("dataset, field", [
    ({"name": "csv"}, "dataset.csv"),  # no file
    ({"name": "xor", "csv": {"text": GOOD}}, "dataset.csv"),  # a file with another dataset
    ({"name": "csv", "csv": {"text": GOOD}, "params": {"n": 4}}, "dataset.params"),
    ({"name": "csv", "csv": {"text": 12}}, "dataset.csv.text"),  # not text
    ({"name": "csv", "csv": {"text": GOOD, "path": "/etc/passwd"}}, "dataset.csv.path"),  # never a file path
], ids=["no-file", "file-with-xor", "params", "not-text", "path"])
def test_a_csv_choice_that_does_not_hold_together_is_refused_at_its_field(conn, dataset, field):
    conn.send_json({"type": "configure", "runs": RUNS, "dataset": dataset})
    expect_refusal(conn, field)


def test_the_live_limits_apply_to_a_files_examples():
    small = Transport("testclient", create_app(make_settings(max_live_activations=100)))
    try:
        c = small.open()
        c.recv_type("hello")
        rows = "".join(f"{i},{i % 2}\n" for i in range(20))  # 20 examples × (8 + 2) units = 200 activations
        configure_csv(c, "x,label\n" + rows)
        expect_refusal(c, "network.hidden_layers")
    finally:
        small.close()


def test_a_model_saved_from_a_csv_run_keeps_its_class_names(tmp_path):
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}"))
    t = Transport("testclient", app)
    try:
        c = t.open()
        c.recv_type("hello")
        configure_csv(c, GOOD)
        c.recv_type("frame")
        c.send_json({"type": "save", "run": "a"})
        saved = c.recv_type("saved")["model"]
        assert saved["class_names"] == ["bird", "cat", "dog"] and saved["layer_sizes"] == [2, 8, 3]
    finally:
        t.close()
