"""An experiment, as data: the dataset, the shared hidden layers, and the runs to compare.

The same ExperimentConfig always gives the same numbers: the dataset and the starting weights are seeded.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, Strict, model_validator

from app import datasets
from app.datasets.csv_upload import parse_csv_within
from app.datasets.features import check_features
from app.nn import (HIDDEN_ACTIVATIONS, INITS, MAX_REGULARIZATION_RATE, REGULARIZATIONS, RUN_KINDS, ModelError, Network,
                    OutputLayer, SizeLimits, check_model, parameter_count)
from app.sessions.split import Split, split_examples
from app.settings import Settings
from app.spec import Number, OptimizerSpec, Spec, Text
from app.store.keys import ID_PATTERN

Count = Annotated[int, Strict()]
HiddenActivation = Literal[tuple(HIDDEN_ACTIVATIONS)]  # type: ignore[valid-type]
InitName = Literal[tuple(INITS)]  # type: ignore[valid-type]
RunKind = Literal[tuple(RUN_KINDS)]  # type: ignore[valid-type]
RegularizationName = Literal[tuple(REGULARIZATIONS)]  # type: ignore[valid-type]


class ConfigError(ValueError):
    """A configuration that parsed but cannot run; `field` is a dotted path to what to change."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


CSV_DATASET = "csv"  # the dataset name of a file the page sends in `csv`


class CsvFile(Spec):
    """A CSV file's text, read as POST /api/datasets/csv reads an upload (same rules, same bounds)."""
    text: Text = Field(description="a header row, numeric feature columns and one label column")
    label_column: Text | None = Field(None, description="the label column's name (default: the last)")


class DatasetChoice(Spec):
    name: Text = Field("two-points", description=f"a dataset name from `hello`, or {CSV_DATASET!r} with `csv`")
    csv: CsvFile | None = Field(None, description=f"with the name {CSV_DATASET!r}: the file to train on")
    params: dict[Text, Any] = Field(default_factory=dict, description="the dataset's parameters, by name")
    seed: Count = Field(0, ge=0, description="seeds the data of the sets that draw random points")
    test_fraction: Number = Field(0.0, ge=0, le=0.9, description="the share of each class held out as test "
                                                                 "examples, never trained on (chosen by `seed`)")
    features: list[Text] | None = Field(None, max_length=len(datasets.FEATURES),
                                        description="for points in the plane: the input features that feed the "
                                                    "network, by id from `hello` (null: the raw inputs)")


class NetworkSpec(Spec):
    hidden_layers: list[Annotated[int, Strict(), Field(ge=1)]] = Field(
        default_factory=lambda: [8], description="units per hidden layer; [] for no hidden layer")
    hidden_activation: HiddenActivation = "sigmoid"
    init: InitName = "normal"
    seed: Count = Field(0, ge=0, description="seeds the starting weights, shared by every run")
    dtype: Literal["float64", "float32"] = "float64"


class RunSpec(Spec):
    id: str = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")
    kind: RunKind
    learning_rate: Number | None = Field(None, gt=0, le=1e6, description="overrides the optimizer's η")
    optimizer: OptimizerSpec | None = Field(None, description="overrides the shared optimizer")


class StartWeights(Spec):
    """Every run's starting weights, instead of seeded ones: a saved model's, or a model document's."""
    model_id: Annotated[str, Strict(), Field(pattern=f"^{ID_PATTERN.pattern}$")] | None = Field(
        None, description="a saved model's id")
    model: dict[str, Any] | None = Field(None, description="a model document, as POST /api/backprop takes it")

    @model_validator(mode="after")
    def _one_source(self) -> StartWeights:
        if (self.model_id is None) == (self.model is None):
            raise ValueError("give either model_id (a saved model) or model (a model document)")
        return self


REGRESSION_KIND = "linear_mse"  # what a regression set trains: a sigmoid or softmax cannot reach most targets


def _default_runs() -> list[RunSpec]:
    return [RunSpec(id="a", kind="sigmoid_mse"), RunSpec(id="b", kind="softmax_ce")]


class ExperimentConfig(Spec):
    dataset: DatasetChoice = Field(default_factory=DatasetChoice)
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    runs: list[RunSpec] = Field(default_factory=_default_runs, min_length=1)
    optimizer: OptimizerSpec = Field(default_factory=lambda: OptimizerSpec(learning_rate=0.5))
    batch_size: Annotated[int, Strict(), Field(ge=1)] | None = Field(
        None, description="null: full batch; 1: one example at a time")
    example: Count = Field(0, ge=0, description="the example whose softmax Jacobian and δ the math panel shows")
    start: StartWeights | None = Field(None, description="start every run from these weights (null: seeded ones); "
                                                         "network.hidden_layers must be the model's hidden sizes")
    regularization: RegularizationName | None = Field(None, description="l1 or l2 on every run's weights; null: none")
    regularization_rate: Number = Field(0.0, ge=0, le=MAX_REGULARIZATION_RATE,
                                        description="λ (0: none); `set` changes it without a restart")

    @model_validator(mode="after")
    def _regression_runs(self) -> ExperimentConfig:
        """Runs left out on a regression set: the one kind that fits a continuous target."""
        spec = datasets.DATASETS.get(self.dataset.name)
        if "runs" not in self.model_fields_set and spec is not None and spec.task == "regression":
            self.runs = [RunSpec(id="a", kind=REGRESSION_KIND)]
        return self


def network_inputs(choice: DatasetChoice, inputs: np.ndarray) -> np.ndarray:
    """What the network reads: the chosen input features of the points, or the inputs themselves."""
    return inputs if choice.features is None else datasets.expand(inputs, choice.features)


def input_count(choice: DatasetChoice, data: datasets.Data) -> int:
    """The network's input count; ConfigError at dataset.features for features of data not in the plane."""
    if choice.features is None:
        return data.inputs.shape[1]
    if data.inputs.shape[1] != 2:
        raise ConfigError("dataset.features", f"input features are for points in the plane (2 inputs); this dataset "
                                              f"has {data.inputs.shape[1]}: leave features out")
    try:
        check_features(choice.features)
    except datasets.DatasetError as e:
        raise ConfigError("dataset.features", e.message) from None
    return len(choice.features)


def load_data(choice: DatasetChoice, settings: Settings) -> datasets.Data:
    """The examples: a named dataset's, or those of the file in `csv`; ConfigError at the field to change."""
    if choice.name != CSV_DATASET and choice.csv is not None:
        raise ConfigError("dataset.csv", f"a file is read only with the dataset name {CSV_DATASET!r}")
    if choice.name == CSV_DATASET:
        if choice.csv is None:
            raise ConfigError("dataset.csv", f"the dataset {CSV_DATASET!r} needs the file's text in dataset.csv")
        if choice.params:
            raise ConfigError("dataset.params", "a CSV file has no parameters; its label column goes in dataset.csv")
        try:
            return parse_csv_within(choice.csv.text, choice.csv.label_column, settings)
        except datasets.DatasetError as e:
            raise ConfigError("dataset.csv." + ("text" if e.field == "file" else e.field), e.message) from None
    try:
        return datasets.load(choice.name, seed=choice.seed, **choice.params)
    except datasets.DatasetError as e:
        raise ConfigError("dataset.name" if e.field == "name" else f"dataset.params.{e.field}", e.message) from None


def dataset_split(choice: DatasetChoice, data: datasets.Data) -> Split:
    """The training and test parts `choice` asks of `data` (by class, but for a regression set's numbers)."""
    return split_examples(data.labels, choice.test_fraction, choice.seed, data.task == "classification")


def check_limits(config: ExperimentConfig, settings: Settings) -> datasets.Data:
    """Load the dataset and check the experiment against the server's limits; ConfigError if it cannot run."""
    return checked_data(config, settings)[0]


def checked_data(config: ExperimentConfig, settings: Settings) -> tuple[datasets.Data, Split]:
    """check_limits, with the split it checked: the one the experiment then trains and tests on."""
    if len(config.runs) > settings.max_runs:
        raise ConfigError("runs", f"at most {settings.max_runs} runs can be compared; got {len(config.runs)}")
    ids = [run.id for run in config.runs]
    if len(set(ids)) != len(ids):
        raise ConfigError("runs", f"every run needs its own id; got {ids}")
    hidden = config.network.hidden_layers
    if len(hidden) > settings.max_hidden_layers:
        raise ConfigError("network.hidden_layers",
                          f"at most {settings.max_hidden_layers} hidden layers; got {len(hidden)}")
    if hidden and max(hidden) > settings.max_units:
        raise ConfigError("network.hidden_layers", f"at most {settings.max_units} units per layer")
    for i, run in enumerate(config.runs):
        if problem := RUN_KINDS[run.kind].unfit(has_hidden_layer=bool(hidden)):
            raise ConfigError(f"runs.{i}.kind", problem)
    if config.regularization_rate > 0 and config.regularization is None:
        raise ConfigError("regularization_rate", "a rate above 0 needs a regularization: l1 or l2")
    data = load_data(config.dataset, settings)
    for i, run in enumerate(config.runs):
        if data.task == "regression" and RUN_KINDS[run.kind].activation != "linear":
            raise ConfigError(f"runs.{i}.kind", f"{config.dataset.name!r} is a regression set: its targets are "
                                                f"numbers from -1 to 1, not classes; {run.kind} cannot output them. "
                                                f"Use {REGRESSION_KIND} (a linear output with MSE)")
    parameters = parameter_count([input_count(config.dataset, data), *hidden, data.labels.shape[1]])
    if parameters > settings.max_live_parameters:
        raise ConfigError("network.hidden_layers", f"this network has {parameters:,} weights and biases; "
                                                   f"live runs allow at most {settings.max_live_parameters:,}")
    # Each run keeps about five numbers per example and unit (forward and backward workspaces, ~42 bytes).
    activations = len(config.runs) * len(data.inputs) * (sum(hidden) + data.labels.shape[1])
    if activations > settings.max_live_activations:
        raise ConfigError("network.hidden_layers", f"runs × examples × units is {activations:,}; live sessions "
                                                   f"allow at most {settings.max_live_activations:,}: use fewer "
                                                   "units, examples or runs")
    split = dataset_split(config.dataset, data)
    if config.dataset.test_fraction > 0 and len(split.test) == 0:
        # Refused rather than silently trained without a test part: every class keeps a training example.
        raise ConfigError("dataset.test_fraction", f"a test fraction of {config.dataset.test_fraction:g} holds out "
                                                   f"none of these {len(data.inputs)} examples (each class keeps one to "
                                                   "train on); set it to 0, or use more examples")
    if config.example >= len(split.train):
        raise ConfigError("example", f"the training part has {len(split.train)} examples; example must be below that")
    return data, split


def _shape_problem(have: list[int], want: list[int]) -> tuple[int | None, str]:
    """The first weight layer whose shape does not fit the experiment, and what would (layer None: their count)."""
    if len(have) != len(want):
        return None, (f"the model has {len(have) - 2} hidden layers ({', '.join(map(str, have[1:-1])) or 'none'}); "
                      f"set the hidden layers to {','.join(map(str, have[1:-1])) or 'none (empty)'} to start from it")
    for l in range(len(have) - 1):
        if have[l] != want[l]:
            why = f"this dataset has {want[0]} inputs" if l == 0 else f"hidden layer {l} has {want[l]} units"
        elif have[l + 1] != want[l + 1]:
            why = (f"this dataset has {want[-1]} outputs" if l + 1 == len(want) - 1
                   else f"hidden layer {l + 1} has {want[l + 1]} units")
        else:
            continue
        return l, f"W{l} is ({have[l + 1]}, {have[l]}); {why}, so W{l} must be ({want[l + 1]}, {want[l]})"
    return None, ""


def start_network(document: Any, config: ExperimentConfig, data: datasets.Data, settings: Settings) -> Network:
    """The starting weights `document` gives, as the experiment's network (its hidden activation and dtype, output
    layer left to each run); ConfigError under "start" when the model is not one or does not fit the data."""
    inline = config.start is not None and config.start.model is not None
    at = "start.model" if inline else "start.model_id"
    try:
        net = check_model(document, SizeLimits(settings.max_layers, settings.max_units, settings.max_parameters))
    except ModelError as e:
        raise ConfigError(".".join(map(str, (at, *e.loc))) if inline else at, e.message) from None
    want = [input_count(config.dataset, data), *config.network.hidden_layers, data.labels.shape[1]]
    layer, problem = _shape_problem(net.layer_sizes, want)
    if problem:
        raise ConfigError(f"{at}.W.{layer}" if inline and layer is not None else at, problem)
    hidden = config.network.hidden_activation if len(want) > 2 else None  # the form's: the page sets it from the model
    return Network(net.W, net.b, hidden, OutputLayer()).copy(np.dtype(config.network.dtype))
