"""The train/test split (dataset.test_fraction) and the accuracy, test loss and confusion matrix of each run's frames,
checked against NumPy computed here."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from app.sessions.config import ConfigError, ExperimentConfig, check_limits, checked_data
from app.sessions.experiment import CONFUSION_EVERY, TEST_LOSS_EVERY, Experiment
from app.sessions.frames import run_frame
from app.sessions.split import accuracy, classes_of, confusion_matrix, split_examples, training_part
from lab_settings import make_settings

RUNS = [{"id": "mse", "kind": "sigmoid_mse"}, {"id": "ce", "kind": "softmax_ce"}]


def experiment(dataset: str = "blobs", fraction: float = 0.25, seed: int = 0, **extra) -> Experiment:
    config = ExperimentConfig.model_validate({"dataset": {"name": dataset, "seed": seed, "test_fraction": fraction},
                                              "runs": RUNS, **extra})
    return Experiment(config, check_limits(config, make_settings()))


def classes(labels: np.ndarray) -> np.ndarray:
    return labels.argmax(axis=1)


def test_the_split_is_disjoint_covers_every_example_and_is_seeded():
    labels = experiment().data.labels
    split = split_examples(labels, 0.25, seed=3)
    assert np.intersect1d(split.train, split.test).size == 0
    assert sorted([*split.train, *split.test]) == list(range(len(labels)))
    again = split_examples(labels, 0.25, seed=3)
    assert split.test.tolist() == again.test.tolist()
    assert split.test.tolist() != split_examples(labels, 0.25, seed=4).test.tolist()


def test_the_split_is_stratified_by_class():
    labels = np.eye(3)[np.repeat([0, 1, 2], [40, 20, 8])]
    split = split_examples(labels, 0.25, seed=0)
    held = np.bincount(classes(labels[split.test]), minlength=3)
    assert held.tolist() == [10, 5, 2]


def test_every_class_keeps_a_training_example():
    labels = np.eye(3)[[0, 0, 1, 2, 2, 2]]
    split = split_examples(labels, 0.9, seed=0)
    assert sorted(set(classes(labels[split.train]))) == [0, 1, 2]
    assert len(split.test) == 3  # 2 of class 0 would leave it none: 1; class 1 keeps its only one; 2 of class 2


def test_fraction_zero_keeps_every_example_in_order():
    split = split_examples(np.eye(2)[[0, 1, 1, 0]], 0.0, seed=5)
    assert split.train.tolist() == [0, 1, 2, 3] and split.test.size == 0


def test_a_fraction_that_holds_out_nothing_is_refused_with_its_field():
    config = ExperimentConfig.model_validate({"dataset": {"name": "two-points", "test_fraction": 0.5}})
    with pytest.raises(ConfigError) as refused:
        check_limits(config, make_settings())
    assert refused.value.field == "dataset.test_fraction"


def test_the_example_must_be_a_training_example():
    train = len(experiment().split.train)
    config = ExperimentConfig.model_validate({"dataset": {"name": "blobs", "test_fraction": 0.25}, "example": train})
    with pytest.raises(ConfigError) as refused:
        check_limits(config, make_settings())
    assert refused.value.field == "example"


def test_runs_train_on_the_training_part_only():
    exp = experiment()
    assert len(exp.X) == len(exp.split.train) and len(exp.test[0]) == len(exp.split.test)
    for run in exp.runs:
        assert run.trainer.X.tolist() == exp.data.inputs[exp.split.train].tolist()


def test_frame_accuracy_test_loss_and_confusion_match_numpy():
    exp = experiment(fraction=0.3)
    exp.advance(40, 10.0)
    frame = exp.frame()
    X_test, Y_test = exp.test
    for run, shown in zip(exp.runs, frame.runs):
        train_out = run.net.predict(exp.X)
        assert shown.accuracy == pytest.approx(np.mean(classes(train_out) == classes(exp.Y)), abs=1e-6)
        test_out = run.net.predict(X_test)
        assert shown.test_accuracy == pytest.approx(np.mean(classes(test_out) == classes(Y_test)), abs=1e-6)
        assert shown.test_loss == pytest.approx(run.net.loss(run.net.forward(X_test), Y_test), rel=1e-12)
        want = np.zeros((3, 3), dtype=int)
        np.add.at(want, (classes(Y_test), classes(test_out)), 1)
        assert shown.confusion == want.tolist()
        assert sum(map(sum, shown.confusion)) == len(exp.split.test)


def test_a_single_sigmoid_unit_names_class_1_at_or_above_one_half():
    outputs = np.array([[0.7], [0.2], [0.5], [0.49]])
    labels = np.array([[1.0], [0.0], [0.0], [1.0]])
    truth = classes_of(labels)
    assert truth.tolist() == [1, 0, 0, 1]
    assert accuracy(outputs, truth) == 0.5
    assert confusion_matrix(outputs, truth) == [[1, 1], [1, 1]]  # [true][predicted]


def test_accuracy_of_no_examples_is_undefined():
    assert accuracy(np.zeros((0, 3)), np.zeros(0, dtype=int)) is None


def test_without_a_test_part_the_confusion_is_of_the_training_part_and_test_numbers_are_null():
    exp = experiment(fraction=0.0)
    frame = exp.frame()
    for shown in frame.runs:
        assert shown.test_loss is None and shown.test_accuracy is None
        assert sum(map(sum, shown.confusion)) == len(exp.data.inputs)


def test_fraction_zero_gives_the_frames_it_gave_before():
    """Every field a frame had before the split existed: the same numbers as a frame of the whole dataset."""
    exp = experiment(fraction=0.0)
    exp.advance(5, 10.0)
    X, Y = exp.data.inputs, exp.data.labels
    for run, shown in zip(exp.runs, exp.frame().runs):
        before = run_frame(run.id, run.spec.kind, run.net, X, Y, 0, run.trainer.passes()).model_dump()
        now = shown.model_dump()
        for field in ("loss", "outputs", "max_error", "layers", "output"):
            assert now[field] == before[field]


def test_a_streamed_frame_with_a_test_part_is_the_frame_of_the_last_step_test_numbers_included():
    exp = experiment()
    exp.advance(6, 10.0)
    afresh = exp.frame()  # at step 6's weights
    exp.advance(1, 10.0)
    streamed = exp.last_step_frame()  # from step 6's passes, and its test part at the weights kept before the update
    assert (streamed.step, afresh.step) == (6, 6)
    assert [r.test_loss for r in streamed.runs] == pytest.approx([r.test_loss for r in afresh.runs], rel=1e-12)
    assert [r.test_accuracy for r in streamed.runs] == [r.test_accuracy for r in afresh.runs]
    assert [r.confusion for r in streamed.runs] == [r.confusion for r in afresh.runs]
    assert [r.loss for r in streamed.runs] == pytest.approx([r.loss for r in afresh.runs], rel=1e-12)
    assert streamed.runs[0].test_loss is not None


def test_streamed_frames_recompute_the_confusion_every_few_frames():
    exp = experiment()
    exp.frame()
    computed = []
    for _ in range(2 * CONFUSION_EVERY):
        exp.advance(5, 10.0)
        exp.last_step_frame()
        computed.append(exp.runs[1].confusion[0] == 0)
    assert computed.count(True) == 2


def test_the_history_holds_test_losses_every_few_steps():
    exp = experiment()
    exp.advance(3 * TEST_LOSS_EVERY, 10.0)
    steps, losses, tests = exp.loss_history()
    assert len(losses) == len(tests) == len(steps)
    X_test, Y_test = exp.test
    measured = [step for step, row in zip(steps, tests) if row[0] is not None]
    assert measured == [0, TEST_LOSS_EVERY, 2 * TEST_LOSS_EVERY, 3 * TEST_LOSS_EVERY]  # the last: the current step
    last = [run.net.loss(run.net.forward(X_test), Y_test) for run in exp.runs]
    assert tests[-1] == pytest.approx(last, rel=1e-12)
    assert all(len(row) == len(RUNS) for row in losses)


def test_without_a_test_part_the_history_has_no_test_losses():
    exp = experiment(fraction=0.0)
    exp.advance(3, 10.0)
    assert exp.loss_history()[2] is None


def test_the_exported_script_trains_on_the_training_part_as_the_lab_does(client, tmp_path):
    body = {"dataset": {"name": "blobs", "test_fraction": 0.25}, "runs": RUNS, "steps": 20, "every": 10}
    response = client.post("/api/script", json=body)
    assert response.status_code == 200
    script = tmp_path / "experiment.py"
    script.write_text(response.text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", script.name], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    printed = {(run, int(step)): float(loss) for run, step, loss in
               re.findall(r"^run (\S+) step (\d+) loss (\S+)$", done.stdout, re.M)}
    exp = experiment(fraction=0.25)
    exp.advance(20, 60.0)
    steps, losses, _ = exp.loss_history()
    for r, run in enumerate(RUNS):
        for step in (0, 10, 20):
            assert printed[(run["id"], step)] == pytest.approx(losses[steps.index(step)][r], rel=1e-9)


def test_the_training_part_of_a_regression_set_stays_a_regression_set_and_is_the_experiments():
    config = ExperimentConfig.model_validate({"dataset": {"name": "plane", "test_fraction": 0.25}})
    data, split = checked_data(config, make_settings())
    part = training_part(data, split)
    assert (part.task, len(part.inputs), len(split.test)) == ("regression", len(split.train), 50)
    assert np.array_equal(part.inputs, data.inputs[split.train])
    exp = Experiment(config, data, split=split)
    assert np.array_equal(exp.X, part.inputs) and exp.regression


def test_outputs_that_tie_name_no_class_so_a_collapsed_run_scores_nothing():
    from app.sessions.frame_builder import _accuracy

    stuck = np.array([[0.5, 0.5], [0.5, 0.5], [0.2, 0.8]])
    truth = np.array([0, 1, 1])
    assert accuracy(stuck, truth) == pytest.approx(1 / 3)  # not 2/3: class 0 is not what [0.5, 0.5] says
    assert _accuracy(stuck, truth) == round(1 / 3, 6)
    one_unit = np.array([[0.5], [0.9], [0.1]])
    assert accuracy(one_unit, np.array([1, 1, 0])) == pytest.approx(2 / 3)
