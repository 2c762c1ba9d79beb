"""What the datasets package promises: exact toy sets, seeded planar sets, digits, CSV uploads, checked parameters."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.datasets import DATASETS, DatasetError, describe, digits_available, load
from app.datasets import parse_csv as read_csv
from app.settings import Settings
from app.datasets.base import one_hot

PLANAR = ["blobs", "circles", "moons", "spiral"]


def assert_one_hot(labels: np.ndarray) -> None:
    assert labels.dtype == np.float64
    assert set(np.unique(labels)) <= {0.0, 1.0}
    assert np.all(labels.sum(axis=1) == 1.0)


# --- the registry -----------------------------------------------------------


def test_registry_lists_every_set_in_menu_order():
    assert list(DATASETS) == [
        "two-points", "near-twins", "raw-pixels", "xor", "blobs", "circles", "moons", "spiral", "plane", "gaussian",
        "digits",
    ]
    for name, spec in DATASETS.items():
        assert spec.name == name


@pytest.mark.parametrize("name", [name for name, spec in DATASETS.items() if spec.task == "classification"])
def test_every_set_loads_with_defaults_as_float64_rows_and_one_hot_labels(name):
    data = load(name)
    assert data.inputs.dtype == np.float64
    assert data.inputs.ndim == 2 and data.labels.ndim == 2
    assert data.inputs.shape[0] == data.labels.shape[0]
    assert_one_hot(data.labels)
    assert len(data.class_names) == data.labels.shape[1]
    assert np.all(np.isfinite(data.inputs))


def test_describe_is_json_ready_and_lists_params_with_bounds():
    described = describe(DATASETS["blobs"])
    json.dumps(described)  # must not raise
    assert described["name"] == "blobs"
    assert described["two_d"] is True
    assert described["available"] is True
    assert described["requires"] is None
    params = {p["name"]: p for p in described["params"]}
    assert set(params) == {"n", "noise", "classes"}
    assert params["n"] == {
        "name": "n", "kind": "int", "default": 200, "min": 4, "max": 2000,
        "description": params["n"]["description"],
    }
    assert params["n"]["description"]
    assert params["classes"]["min"] == 2 and params["classes"]["max"] == 6


def test_describe_flags_xor_as_not_linearly_separable_and_digits_as_needing_an_extra():
    assert describe(DATASETS["xor"])["linearly_separable"] is False
    assert describe(DATASETS["two-points"])["linearly_separable"] is True
    assert describe(DATASETS["digits"])["requires"] == "digits"
    assert describe(DATASETS["digits"])["available"] is True  # sklearn is in the test environment


# --- parameter checking ------------------------------------------------------


def test_unknown_dataset_name_lists_the_available_ones():
    with pytest.raises(DatasetError) as info:
        load("mnist")
    assert info.value.field == "name"
    assert "mnist" in info.value.message and "two-points" in info.value.message and "spiral" in info.value.message


def test_unknown_parameter_names_the_parameter_and_the_allowed_ones():
    with pytest.raises(DatasetError) as info:
        load("blobs", radius=3)
    assert info.value.field == "radius"
    assert "n, noise, classes" in info.value.message


def test_unknown_parameter_on_a_set_without_parameters():
    with pytest.raises(DatasetError) as info:
        load("xor", n=4)
    assert info.value.field == "n"
    assert "none" in info.value.message


@pytest.mark.parametrize(
    "name, param, value, message",
    [
        ("blobs", "n", 3, "between 4 and 2000"),
        ("blobs", "n", 2001, "between 4 and 2000"),
        ("blobs", "classes", 7, "between 2 and 6"),
        ("near-twins", "eps", -0.01, "between 0 and 1"),
        ("near-twins", "eps", 1.5, "between 0 and 1"),
        ("circles", "noise", 1.01, "between 0 and 1"),
        ("digits", "n", 9, "between 10 and 1797"),
    ],
)
def test_out_of_bounds_parameters_say_the_allowed_range(name, param, value, message):
    with pytest.raises(DatasetError) as info:
        load(name, **{param: value})
    assert info.value.field == param
    assert message in info.value.message


@pytest.mark.parametrize(
    "name, param, value",
    [
        ("blobs", "n", True),  # a bool is not a count
        ("blobs", "n", 100.5),  # a fraction is not a count
        ("blobs", "n", "100"),
        ("near-twins", "eps", "0.1"),
        ("near-twins", "eps", float("nan")),
        ("near-twins", "eps", False),
        ("raw-pixels", "scaled", 1),
        ("raw-pixels", "scaled", "true"),
    ],
)
def test_wrong_parameter_types_are_refused(name, param, value):
    with pytest.raises(DatasetError) as info:
        load(name, **{param: value})
    assert info.value.field == param


def test_whole_floats_and_numpy_numbers_are_accepted_and_converted():
    assert load("blobs", n=100.0).inputs.shape == (100, 2)
    assert load("blobs", n=np.int64(50)).inputs.shape == (50, 2)
    assert load("near-twins", eps=1).inputs[1, 1] == 1.5
    assert load("raw-pixels", scaled=np.bool_(True)).inputs.max() == 1.0


def test_bounds_are_inclusive():
    assert load("blobs", n=4, classes=2).inputs.shape == (4, 2)
    assert load("blobs", n=2000).inputs.shape == (2000, 2)
    assert load("near-twins", eps=0).inputs.shape == (2, 2)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_seeds_are_refused(seed):
    with pytest.raises(DatasetError) as info:
        load("blobs", seed=seed)
    assert info.value.field == "seed"


def test_more_classes_than_points_is_refused():
    with pytest.raises(DatasetError) as info:
        load("blobs", n=5, classes=6)
    assert info.value.field == "n"


# --- the toy sets ---------------------------------------------------------------


def test_two_points_is_the_learners_case():
    data = load("two-points")
    np.testing.assert_array_equal(data.inputs, [[1, 0], [0, 1]])
    np.testing.assert_array_equal(data.labels, [[1, 0], [0, 1]])


def test_near_twins_differ_by_eps_in_the_second_input():
    data = load("near-twins")
    np.testing.assert_allclose(data.inputs, [[0.5, 0.5], [0.5, 0.6]])
    np.testing.assert_array_equal(data.labels, [[1, 0], [0, 1]])
    np.testing.assert_allclose(load("near-twins", eps=0.25).inputs[1], [0.5, 0.75])


def test_near_twins_with_eps_zero_are_identical_inputs_with_different_labels():
    data = load("near-twins", eps=0.0)
    np.testing.assert_array_equal(data.inputs[0], data.inputs[1])
    assert not np.array_equal(data.labels[0], data.labels[1])


def test_raw_pixels_are_white_with_one_dark_pixel_each():
    data = load("raw-pixels")
    assert data.inputs.shape == (2, 16)
    np.testing.assert_array_equal(np.flatnonzero(data.inputs[0] == 0), [5])
    np.testing.assert_array_equal(np.flatnonzero(data.inputs[1] == 0), [10])
    assert np.all(np.delete(data.inputs[0], 5) == 255)
    assert np.all(np.delete(data.inputs[1], 10) == 255)
    np.testing.assert_array_equal(data.labels, [[1, 0], [0, 1]])


def test_raw_pixels_scaled_divides_by_255():
    raw = load("raw-pixels").inputs
    scaled = load("raw-pixels", scaled=True).inputs
    np.testing.assert_allclose(scaled, raw / 255.0)
    assert scaled.max() == 1.0 and scaled.min() == 0.0


def test_raw_pixels_description_explains_saturation():
    assert "saturat" in DATASETS["raw-pixels"].description


def test_xor_pairs_equal_bits_against_different_bits():
    data = load("xor")
    np.testing.assert_array_equal(data.inputs, [[0, 0], [1, 1], [0, 1], [1, 0]])
    np.testing.assert_array_equal(data.labels, [[1, 0], [1, 0], [0, 1], [0, 1]])
    assert DATASETS["xor"].linearly_separable is False


@pytest.mark.parametrize("name", ["two-points", "near-twins", "raw-pixels", "xor"])
def test_toy_sets_ignore_the_seed(name):
    a, b = load(name, seed=0), load(name, seed=123)
    np.testing.assert_array_equal(a.inputs, b.inputs)
    np.testing.assert_array_equal(a.labels, b.labels)


# --- the planar sets --------------------------------------------------------------


@pytest.mark.parametrize("name", PLANAR)
def test_planar_sets_repeat_exactly_for_the_same_seed(name):
    a, b = load(name, seed=7), load(name, seed=7)
    np.testing.assert_array_equal(a.inputs, b.inputs)
    np.testing.assert_array_equal(a.labels, b.labels)


@pytest.mark.parametrize("name", PLANAR)
def test_planar_sets_change_with_the_seed(name):
    assert not np.array_equal(load(name, seed=1).inputs, load(name, seed=2).inputs)


@pytest.mark.parametrize("name", PLANAR)
def test_planar_sets_are_two_d_points_with_balanced_classes(name):
    data = load(name, n=301)
    assert DATASETS[name].two_d is True
    assert data.inputs.shape == (301, 2)
    counts = data.labels.sum(axis=0)
    assert counts.sum() == 301
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", PLANAR)
def test_planar_sets_fit_the_drawing_grid_at_default_noise(name):
    inputs = load(name, n=2000).inputs
    # Noise can push a rare point past the edge; nearly all must land inside [-1.5, 1.5]^2.
    inside = np.all(np.abs(inputs) <= 1.5, axis=1)
    assert inside.mean() > 0.98
    assert np.abs(inputs).max() < 2.5


@pytest.mark.parametrize("name", ["blobs", "spiral"])
def test_class_count_parameter_sets_the_number_of_label_columns(name):
    data = load(name, n=120, classes=6)
    assert data.labels.shape == (120, 6)
    np.testing.assert_array_equal(data.labels.sum(axis=0), [20] * 6)
    assert len(data.class_names) == 6


def test_circles_inner_class_is_closer_to_the_centre_than_the_outer_class():
    data = load("circles", noise=0.0)
    radius = np.linalg.norm(data.inputs, axis=1)
    inner = data.labels[:, data.class_names.index("inner")] == 1
    np.testing.assert_allclose(radius[inner], 0.5)
    np.testing.assert_allclose(radius[~inner], 1.0)


def test_blobs_without_noise_sit_on_their_centres():
    data = load("blobs", noise=0.0, classes=4, n=40)
    for k in range(4):
        points = data.inputs[data.labels[:, k] == 1]
        assert np.allclose(points, points[0])
        assert np.isclose(np.linalg.norm(points[0]), 1.0)


def test_planar_rows_are_shuffled_so_classes_mix():
    labels = load("moons").labels
    # Sorted by class, the first half would be all one class.
    assert 0 < labels[:100, 0].sum() < 100


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(PLANAR),
    seed=st.integers(0, 2**32),
    n=st.integers(12, 400),
)
def test_any_seed_and_size_give_finite_points_and_one_hot_labels(name, seed, n):
    data = load(name, seed=seed, n=n)
    assert data.inputs.shape == (n, 2)
    assert np.all(np.isfinite(data.inputs))
    assert_one_hot(data.labels)


# --- digits -------------------------------------------------------------------------------


def test_digits_are_64_pixels_in_0_1_with_ten_classes():
    data = load("digits")
    assert data.inputs.shape == (1797, 64)
    assert data.labels.shape == (1797, 10)
    assert data.inputs.min() == 0.0 and data.inputs.max() == 1.0
    assert data.class_names == [str(d) for d in range(10)]
    assert np.all(data.labels.sum(axis=0) > 150)


def test_digits_subset_is_seeded_and_shares_images_across_digits():
    a, b, c = load("digits", n=100, seed=3), load("digits", n=100, seed=3), load("digits", n=100, seed=4)
    assert a.inputs.shape == (100, 64)
    np.testing.assert_array_equal(a.inputs, b.inputs)
    assert not np.array_equal(a.inputs, c.inputs)
    np.testing.assert_array_equal(a.labels.sum(axis=0), [10] * 10)


def test_digits_report_missing_scikit_learn_with_the_install_command(monkeypatch):
    # None in sys.modules makes both the availability check and the import fail, as if uninstalled.
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    assert digits_available() is False
    assert describe(DATASETS["digits"])["available"] is False
    with pytest.raises(DatasetError) as info:
        load("digits")
    assert info.value.field == "name"
    assert "pip install 'backprop-lab[digits]'" in info.value.message


# --- CSV uploads ----------------------------------------------------------------------------

GOOD_CSV = "x,y,kind\n0.5,1,cat\n-2,3e-1,dog\n4,5,cat\n"
UPLOAD_LIMITS = {"max_bytes": Settings.model_fields["max_upload_bytes"].default,
                 "max_rows": Settings.model_fields["max_upload_rows"].default,
                 "max_columns": Settings.model_fields["max_upload_columns"].default}


def parse_csv(text: str, label_column: str | int | None = None, **limits: int):
    """The upload reader under the laptop settings' limits, or those given."""
    return read_csv(text, label_column, **{**UPLOAD_LIMITS, **limits})


def test_csv_happy_path_reads_features_and_one_hot_labels_with_sorted_class_names():
    data = parse_csv(GOOD_CSV)
    np.testing.assert_array_equal(data.inputs, [[0.5, 1.0], [-2.0, 0.3], [4.0, 5.0]])
    assert data.inputs.dtype == np.float64
    assert data.class_names == ["cat", "dog"]
    np.testing.assert_array_equal(data.labels, [[1, 0], [0, 1], [1, 0]])


def test_csv_label_column_by_name_or_position():
    text = "kind,x,y\ndog,1,2\ncat,3,4\n"
    by_name = parse_csv(text, label_column="kind")
    by_position = parse_csv(text, label_column=0)
    np.testing.assert_array_equal(by_name.inputs, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(by_name.labels, by_position.labels)
    np.testing.assert_array_equal(by_name.labels, [[0, 1], [1, 0]])


def test_csv_numeric_labels_sort_as_numbers():
    data = parse_csv("x,label\n1,10\n2,2\n3,2.0\n4,1\n")
    assert data.class_names == ["1", "2", "10"]
    np.testing.assert_array_equal(data.labels.argmax(axis=1), [2, 1, 1, 0])


def test_csv_tolerates_a_bom_spaces_and_blank_lines():
    data = parse_csv("\ufeffx , y\n 1 , a \n\n2,b\n\n")
    np.testing.assert_array_equal(data.inputs, [[1], [2]])
    assert data.class_names == ["a", "b"]


@pytest.mark.parametrize(
    "text, limits, field, words",
    [
        ("", {}, "file", ["empty"]),
        ("  \n\n", {}, "file", ["empty"]),
        (GOOD_CSV, {"max_bytes": 10}, "file", ["limit is 10 bytes"]),
        (GOOD_CSV, {"max_rows": 2}, "file", ["more than 2", "limit is 2"]),
        (GOOD_CSV, {"max_columns": 2}, "file", ["3 columns", "limit is 2"]),
        ("x,y,kind\n1,abc,cat\n2,3,dog\n", {}, "file", ["Row 2", "'y'", "'abc'", "not a number"]),
        ("x,y,kind\n1,2,cat\n2,,dog\n", {}, "file", ["Row 3", "missing", "y"]),
        ("x,y,kind\n1,2,cat\n2,3\n", {}, "file", ["Row 3", "missing", "kind"]),
        ("x,y,kind\n1,2,cat\n2,nan,dog\n", {}, "file", ["Row 3", "'y'", "finite"]),
        ("x,y,kind\n1,inf,cat\n2,3,dog\n", {}, "file", ["Row 2", "finite"]),
        ("x,y,kind\n1,2,cat\n2,3,cat\n", {}, "file", ["only one class", "at least 2"]),
        ("x,y,kind\n1,2,cat\n", {}, "file", ["at least 2 example rows"]),
        ("x,y,kind\n", {}, "file", ["at least 2 example rows"]),
        ("x,y,kind\n1,2,cat,extra\n2,3,dog\n", {}, "file", ["Row 2", "4 cells"]),
        ("kind\ncat\ndog\n", {}, "file", ["at least two columns"]),
        ("x,x,kind\n1,2,cat\n2,3,dog\n", {}, "file", ["'x'", "more than once"]),
    ],
)
def test_csv_problems_get_a_clear_message(text, limits, field, words):
    with pytest.raises(DatasetError) as info:
        parse_csv(text, **limits)
    assert info.value.field == field
    for word in words:
        assert word in info.value.message


def test_csv_unknown_label_column_lists_the_columns():
    with pytest.raises(DatasetError) as info:
        parse_csv(GOOD_CSV, label_column="colour")
    assert info.value.field == "label_column"
    assert "'colour'" in info.value.message and "x, y, kind" in info.value.message


def test_csv_label_column_position_out_of_range():
    with pytest.raises(DatasetError) as info:
        parse_csv(GOOD_CSV, label_column=3)
    assert info.value.field == "label_column"


def test_csv_rows_limit_counts_examples_not_the_header():
    assert parse_csv(GOOD_CSV, max_rows=3).inputs.shape == (3, 2)


# --- helpers ----------------------------------------------------------------------------------


def test_one_hot_puts_a_single_one_at_each_class():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
