"""GET /api/datasets, GET /api/datasets/{name} and POST /api/datasets/csv."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.app import create_app

ALL_NAMES = ["two-points", "near-twins", "raw-pixels", "xor", "blobs", "circles", "moons", "spiral", "plane", "gaussian",
             "digits"]


def strict_json(response):
    def refuse(constant: str):
        raise AssertionError(f"the response holds {constant}, which is not JSON")
    return json.loads(response.text, parse_constant=refuse)


def get(client, name: str, **query) -> dict:
    response = client.get(f"/api/datasets/{name}", params=query)
    assert response.status_code == 200, response.text
    return strict_json(response)


def assert_one_hot(labels: list[list[float]], classes: int) -> None:
    assert all(len(row) == classes for row in labels)
    assert all(sorted(row) == [0.0] * (classes - 1) + [1.0] for row in labels)


# --- the list ------------------------------------------------------------------------------------------------

def test_the_list_names_every_dataset_in_menu_order(client):
    listed = strict_json(client.get("/api/datasets"))
    assert [d["name"] for d in listed] == ALL_NAMES


def test_the_list_gives_every_parameter_with_kind_default_and_bounds(client):
    params = {d["name"]: {p["name"]: p for p in d["params"]} for d in strict_json(client.get("/api/datasets"))}
    assert params["two-points"] == {} and params["xor"] == {}
    eps = params["near-twins"]["eps"]
    assert (eps["kind"], eps["default"], eps["min"], eps["max"]) == ("float", 0.1, 0.0, 1.0)
    assert params["raw-pixels"]["scaled"]["kind"] == "bool" and params["raw-pixels"]["scaled"]["default"] is False
    for name in ("blobs", "circles", "moons", "spiral"):
        n = params[name]["n"]
        assert (n["kind"], n["min"], n["max"]) == ("int", 4, 2000)
        assert params[name]["noise"]["kind"] == "float" and params[name]["noise"]["min"] == 0
    assert set(params["blobs"]) == {"n", "noise", "classes"} and set(params["circles"]) == {"n", "noise"}
    assert (params["spiral"]["classes"]["min"], params["spiral"]["classes"]["max"]) == (2, 6)
    for dataset in params.values():
        for p in dataset.values():
            assert p["description"], p
            if p["kind"] != "bool":
                assert p["min"] <= p["default"] <= p["max"], p


def test_the_list_says_what_each_dataset_is(client):
    for d in strict_json(client.get("/api/datasets")):
        assert d["title"] and len(d["description"]) > 40
        assert isinstance(d["available"], bool)
    by_name = {d["name"]: d for d in strict_json(client.get("/api/datasets"))}
    assert by_name["xor"]["linearly_separable"] is False and by_name["two-points"]["linearly_separable"] is True
    assert by_name["two-points"]["two_d"] and not by_name["digits"]["two_d"]
    assert by_name["digits"]["requires"] == "digits" and by_name["digits"]["available"] is True


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_listed_dataset_loads_with_its_defaults(client, name):
    data = get(client, name)
    assert data["name"] == name
    assert len(data["inputs"]) == len(data["labels"]) >= 2
    assert len({len(row) for row in data["inputs"]}) == 1
    if data["task"] == "regression":
        assert {len(row) for row in data["labels"]} == {1} and data["class_names"] == []
    else:
        assert_one_hot(data["labels"], len(data["class_names"]))
    assert data["params"]["seed"] == 0


# --- the toy sets, exactly -----------------------------------------------------------------------------------

def test_two_points_is_exactly_the_learners_case(client):
    data = get(client, "two-points")
    assert data["inputs"] == [[1.0, 0.0], [0.0, 1.0]]
    assert data["labels"] == [[1.0, 0.0], [0.0, 1.0]]
    assert data["class_names"] == ["A", "B"]


def test_xor_is_the_four_corners(client):
    data = get(client, "xor")
    pairs = {tuple(x): tuple(y) for x, y in zip(data["inputs"], data["labels"])}
    same, different = pairs[(0.0, 0.0)], pairs[(0.0, 1.0)]
    assert same != different
    assert pairs == {(0.0, 0.0): same, (1.0, 1.0): same, (0.0, 1.0): different, (1.0, 0.0): different}


@pytest.mark.parametrize("eps", ["0", "0.001", "0.25", "1"])
def test_near_twins_differ_by_eps(client, eps):
    data = get(client, "near-twins", eps=eps)
    assert data["inputs"] == [[0.5, 0.5], [0.5, 0.5 + float(eps)]]
    assert data["labels"] == [[1.0, 0.0], [0.0, 1.0]]
    assert data["params"]["eps"] == float(eps)


def test_near_twins_default_eps_is_a_tenth(client):
    assert get(client, "near-twins")["inputs"] == [[0.5, 0.5], [0.5, 0.6]]


def test_raw_pixels_are_255_except_one_dark_pixel_each(client):
    data = get(client, "raw-pixels")
    assert data["params"]["scaled"] is False
    first, second = data["inputs"]
    assert len(first) == len(second) == 16
    assert [i for i, v in enumerate(first) if v != 255.0] == [5] and first[5] == 0.0
    assert [i for i, v in enumerate(second) if v != 255.0] == [10] and second[10] == 0.0


@pytest.mark.parametrize("spelling", ["true", "True", "TRUE"])
def test_raw_pixels_scaled_true_divides_by_255(client, spelling):
    raw = get(client, "raw-pixels")["inputs"]
    scaled = get(client, "raw-pixels", scaled=spelling)
    assert scaled["params"]["scaled"] is True
    assert scaled["inputs"] == [[v / 255.0 for v in row] for row in raw]
    assert get(client, "raw-pixels", scaled="false")["inputs"] == raw


# --- the planar sets: n, noise, classes, seed ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["blobs", "circles", "moons", "spiral"])
@pytest.mark.parametrize("n", [4, 37, 2000])
def test_planar_sets_have_n_points_in_the_plane(client, name, n):
    data = get(client, name, n=n)
    assert len(data["inputs"]) == len(data["labels"]) == n
    assert all(len(row) == 2 for row in data["inputs"])
    assert data["params"]["n"] == n


@pytest.mark.parametrize("name", ["blobs", "spiral"])
@pytest.mark.parametrize("classes", [2, 4, 6])
def test_planar_classes_sets_the_label_width(client, name, classes):
    data = get(client, name, classes=classes, n=120)
    assert len(data["class_names"]) == classes
    assert_one_hot(data["labels"], classes)
    counts = [sum(column) for column in zip(*data["labels"])]
    assert counts == [120 / classes] * classes, "the points are shared equally between the classes"


@pytest.mark.parametrize("name", ["blobs", "circles", "moons", "spiral"])
def test_planar_noise_zero_and_noise_high_give_different_points(client, name):
    quiet, noisy = get(client, name, noise=0), get(client, name, noise=1)
    assert quiet["labels"] == noisy["labels"]
    assert quiet["inputs"] != noisy["inputs"]
    assert quiet["params"]["noise"] == 0


@pytest.mark.parametrize("name", ["blobs", "circles", "moons", "spiral"])
def test_planar_sets_replay_with_the_same_seed_and_change_with_another(client, name):
    first, again, other = get(client, name, seed=3), get(client, name, seed=3), get(client, name, seed=4)
    assert first == again
    assert first["inputs"] != other["inputs"]
    assert first["params"]["seed"] == 3


def test_the_answer_echoes_every_parameter_it_used(client):
    data = get(client, "blobs", n=40, seed=9)
    assert data["params"] == {"seed": 9, "n": 40, "noise": 0.2, "classes": 3}


# --- digits --------------------------------------------------------------------------------------------------

def test_digits_are_8x8_images_of_ten_classes(client):
    data = get(client, "digits")
    assert len(data["inputs"]) == 1797
    assert all(len(row) == 64 for row in data["inputs"])
    assert data["class_names"] == [str(d) for d in range(10)]
    assert_one_hot(data["labels"], 10)
    pixels = [v for row in data["inputs"][:50] for v in row]
    assert min(pixels) >= 0.0 and max(pixels) <= 1.0


def test_a_digits_sample_has_every_digit_equally(client):
    data = get(client, "digits", n=100, seed=2)
    assert [sum(column) for column in zip(*data["labels"])] == [10.0] * 10
    assert get(client, "digits", n=100, seed=2) == data
    assert get(client, "digits", n=100, seed=3)["inputs"] != data["inputs"]


# --- CSV upload ----------------------------------------------------------------------------------------------

CSV = b"x1,x2,label\n0,1,cat\n1,0,dog\n0.5,0.25,cat\n"


def upload(client, content: bytes, filename: str = "points.csv", **form):
    return client.post("/api/datasets/csv", files={"file": (filename, content, "text/csv")}, data=form or None)


def test_an_uploaded_csv_becomes_inputs_and_one_hot_labels(client):
    response = upload(client, CSV)
    assert response.status_code == 200, response.text
    data = strict_json(response)
    assert data["name"] == "points.csv"
    assert data["inputs"] == [[0.0, 1.0], [1.0, 0.0], [0.5, 0.25]]
    assert data["class_names"] == ["cat", "dog"]
    assert data["labels"] == [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]


def test_label_column_picks_the_label_by_name(client):
    response = upload(client, b"class,x1,x2\n2,0,1\n10,1,0\n2,3,4\n", label_column="class")
    assert response.status_code == 200, response.text
    data = strict_json(response)
    assert data["inputs"] == [[0.0, 1.0], [1.0, 0.0], [3.0, 4.0]]
    assert data["class_names"] == ["2", "10"], "numeric labels sort as numbers"
    assert data["labels"] == [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]


def test_an_uploaded_csv_with_a_bom_and_blank_lines_is_read(client):
    response = upload(client, "\ufeffx,label\n1,a\n\n2,b\n\n".encode("utf-8"))
    assert response.status_code == 200, response.text
    assert strict_json(response)["inputs"] == [[1.0], [2.0]]


def assert_upload_422(response, field: str, *words: str) -> None:
    assert response.status_code == 422, f"{response.status_code}: {response.text}"
    detail = strict_json(response)["detail"]
    assert detail[0]["loc"] == ["body", field], detail
    for word in words:
        assert word.lower() in detail[0]["msg"].lower(), detail


def test_a_csv_over_max_upload_bytes_is_a_422():
    with TestClient(create_app(Settings(max_upload_bytes=30))) as small:
        assert_upload_422(upload(small, CSV), "file", "30")
        assert upload(small, b"x,label\n1,a\n2,b\n").status_code == 200, "a small file still fits"


def test_a_csv_just_under_max_upload_bytes_is_read():
    with TestClient(create_app(Settings(max_upload_bytes=len(CSV)))) as exact:
        assert upload(exact, CSV).status_code == 200


@pytest.mark.parametrize("content, words", [
    (b"x,label\n1,a\nfoo,b\n", ["row 3", "'x'", "foo", "not a number"]),
    (b"x,label\n1,a\nnan,b\n", ["row 3", "finite"]),
    (b"x,label\n1,a\n1e999,b\n", ["row 3", "finite"]),
    (b"x,label\n1,a\n-1e300,b\n", ["row 3", "'x'", "1e+15"]),  # would overflow the boundary's extent
    (b"x,label\n1,a\n,b\n", ["row 3", "missing"]),
    (b"x,label\n1,a\n2,a\n", ["only one class"]),
    (b"x,label\n1,a\n", ["at least 2"]),
    (b"", ["empty"]),
    (b"x\n1\n2\n", ["two columns"]),
    (b"x,x,label\n1,2,a\n3,4,b\n", ["more than once"]),
    (b"x,label\n1,a,9\n2,b\n", ["row 2", "3 cells"]),
])
def test_a_csv_that_cannot_be_a_dataset_is_a_422_saying_why(client, content, words):
    assert_upload_422(upload(client, content), "file", *words)


def test_a_csv_with_values_at_the_bound_is_read(client):
    answer = upload(client, b"x,label\n1e15,a\n-1e15,b\n")
    assert answer.status_code == 200
    assert answer.json()["inputs"] == [[1e15], [-1e15]]


@pytest.mark.parametrize("content", [
    "x,label\n1,é\n2,b\n".encode("latin-1"),
    b"x,label\n1,a\n2,\xff\n",
    "x,label\n1,a\n2,b\n".encode("utf-16"),
])
def test_a_csv_that_is_not_utf8_is_a_422(client, content):
    assert_upload_422(upload(client, content), "file", "UTF-8")


def test_an_unknown_label_column_is_a_422_naming_the_columns(client):
    assert_upload_422(upload(client, CSV, label_column="species"), "label_column", "species", "x1, x2, label")


def test_an_upload_without_a_file_is_a_422(client):
    response = client.post("/api/datasets/csv", data={"label_column": "label"})
    assert response.status_code == 422
    assert strict_json(response)["detail"][0]["loc"] == ["body", "file"]


def test_too_many_rows_or_columns_are_a_422():
    with TestClient(create_app(Settings(max_upload_rows=2, max_upload_columns=2))) as small:
        assert_upload_422(upload(small, b"x,label\n1,a\n2,b\n3,a\n"), "file", "2")
        assert_upload_422(upload(small, b"x,y,label\n1,2,a\n3,4,b\n"), "file", "columns")
        assert upload(small, b"x,label\n1,a\n2,b\n").status_code == 200
