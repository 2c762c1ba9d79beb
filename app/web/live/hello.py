"""The `hello` message: everything the page would otherwise copy by hand (run kinds, limits, thresholds)."""

from __future__ import annotations

from app import datasets
from app.export.script.parts import code_view
from app.nn import (HIDDEN_ACTIVATIONS, INITS, MAX_REGULARIZATION_RATE, MISTAKES, OPTIMIZERS, REGULARIZATIONS,
                    RUN_KINDS, OutputLayer, RunKind)
from app.nn.diagnostics import MEAN_LABEL_TOLERANCE
from app.nn.training import PARAMETER_BOUND
from app.sessions import experiment as e
from app.sessions.frames import MAX_OUTPUT_EXAMPLES
from app.settings import Settings
from app.web import protocol as p

# How people name each run kind, and its δᴸ rule in TeX (the plain-text rule comes from the engine).
RUN_KIND_WORDS = {
    "sigmoid_mse": ("sigmoid + MSE", r"\delta^L = (a - y) \odot \sigma'(z^L)"),
    "sigmoid_bce": ("sigmoid + BCE", r"\delta^L = a - y"),
    "softmax_ce": ("softmax + CE", r"\delta^L = a - y"),
    "softmax_mse": ("softmax + MSE", r"\delta^L = J^\top (a - y)"),
    "linear_mse": ("linear + MSE", r"\delta^L = a - y"),
    "softmax_mse_elementwise": ("softmax + MSE, elementwise (wrong)", r"\delta^L = (a - y) \odot a \odot (1 - a)"),
}


# δᴸ under the mistakes of BP1 that the trainer applies (the elementwise one has its own words above).
MISTAKEN_DELTAS = {
    "sigmoid_prime_kept": ("(a − y) ⊙ a(1 − a)   ✗ σ'(z) kept", r"\delta^L = (a - y) \odot a \odot (1 - a)"),
    "derivative_of_output": ("(a − y) ⊙ σ'(a)   ✗ σ' of a, not z", r"\delta^L = (a - y) \odot \sigma'(a^L)"),
}


# Run ids the page gives each kind (at most 16 characters): the right kinds' names, and for a mistake its pairing
# shortened, then the mistake shortened. Links, events and saved models name runs by them: never change one.
RIGHT_IDS = {"sigmoid_mse": "sigmoid-mse", "sigmoid_bce": "sigmoid-bce", "softmax_ce": "softmax-ce",
             "softmax_mse": "softmax-mse", "softmax_mse_elementwise": "mistake", "linear_mse": "linear-mse"}
PAIRING_SHORT = {"sigmoid_mse": "sig-mse", "sigmoid_bce": "sig-bce", "softmax_ce": "smax-ce", "softmax_mse": "smax-mse",
                 "linear_mse": "lin-mse"}
MISTAKE_SHORT = {"examples_mixed": "mixed", "hidden_derivative_missing": "no-hid", "sign_flipped": "sign",
                 "stale_output_weights": "stale", "sum_not_mean": "summed", "bias_gradient_missing": "no-bias",
                 "derivative_of_output": "sp-of-a", "sigmoid_prime_kept": "sp-kept"}


def short_id(kind: RunKind) -> str:
    return RIGHT_IDS.get(kind.id) or f"{PAIRING_SHORT[kind.right_kind]}-{MISTAKE_SHORT[kind.mistake]}"


def _words(kind: RunKind) -> tuple[str, str, str]:
    """The label, δᴸ as text and δᴸ in TeX of a kind."""
    if kind.id in RUN_KIND_WORDS:
        label, tex = RUN_KIND_WORDS[kind.id]
        return label, OutputLayer.from_kind(kind.id).delta_formula, tex
    label, text, tex = _words(RUN_KINDS[kind.right_kind])
    label = f"{label} ✗ {MISTAKES[kind.mistake].title}"
    if kind.mistake in MISTAKEN_DELTAS:
        text, tex = MISTAKEN_DELTAS[kind.mistake]
    elif kind.mistake == "sign_flipped":
        text, tex = text.replace("a − y", "y − a"), tex.replace("a - y", "y - a")
    return label, text, tex


def run_kinds() -> dict[str, p.RunKindInfo]:
    kinds = {}
    for kind in RUN_KINDS.values():
        label, text, tex = _words(kind)
        kinds[kind.id] = p.RunKindInfo(label=label, output_activation=kind.activation, loss=kind.loss,
                                       delta_formula=text, delta_tex=tex, mistake=kind.mistake,
                                       right_kind=kind.right_kind, short_id=short_id(kind))
    return kinds


def setting_bounds(settings: Settings) -> dict[str, p.Bounds]:
    """The numeric settings' bounds, by the field paths of `configure` and `set` (app/sessions/config.py)."""
    return {
        "dataset.seed": p.Bounds(minimum=0, integer=True),
        "dataset.test_fraction": p.Bounds(minimum=0, maximum=0.9),
        "network.hidden_layers": p.Bounds(minimum=1, maximum=settings.max_units, integer=True),
        "network.seed": p.Bounds(minimum=0, integer=True),
        "optimizer.learning_rate": p.Bounds(exclusive_minimum=0, maximum=1e6),
        "regularization_rate": p.Bounds(minimum=0, maximum=MAX_REGULARIZATION_RATE),
        "batch_size": p.Bounds(minimum=1, integer=True),
        "example": p.Bounds(minimum=0, integer=True),
        "speed": p.Bounds(minimum=1, maximum=settings.max_speed, integer=True),
        "frame_rate": p.Bounds(minimum=1, maximum=settings.max_frame_rate, integer=True),
    }


# The term each regularisation adds to BP4's ∂C/∂W: ∂Ω/∂W (app/nn/regularization.py).
REGULARIZATION_WORDS = {
    "l2": ("L2", "+ λW", r"+ \lambda W^l"),
    "l1": ("L1", "+ λ sign(W)", r"+ \lambda \operatorname{sign}(W^l)"),
}


def regularizations() -> dict[str, p.RegularizationInfo]:
    return {kind: p.RegularizationInfo(label=label, description=REGULARIZATIONS[kind], gradient_text=text,
                                       gradient_tex=tex)
            for kind in REGULARIZATIONS for label, text, tex in [REGULARIZATION_WORDS[kind]]}


def hello(settings: Settings) -> p.Hello:
    return p.Hello(
        limits=p.Limits(max_runs=settings.max_runs, max_hidden_layers=settings.max_hidden_layers,
                        max_units=settings.max_units, max_parameters=settings.max_live_parameters,
                        max_speed=settings.max_speed, max_frame_rate=settings.max_frame_rate,
                        max_steps_per_message=settings.max_steps_per_message,
                        max_message_bytes=settings.max_message_bytes, idle_timeout=settings.idle_timeout),
        defaults=p.Defaults(speed=settings.default_speed, frame_rate=settings.default_frame_rate,
                            boundary_rate=settings.boundary_rate, config=p.ExperimentConfig().model_dump()),
        datasets=[datasets.describe(spec) for spec in datasets.DATASETS.values()],
        run_kinds=run_kinds(),
        mistakes={m.id: p.MistakeInfo(title=m.title, sentence=m.sentence, fix=m.fix, equation=m.equation)
                  for m in MISTAKES.values()},
        hidden_activations=list(HIDDEN_ACTIVATIONS),
        inits=INITS,
        optimizers=OPTIMIZERS,
        settings=setting_bounds(settings),
        thresholds=p.Thresholds(reached_labels=e.CONVERGED_ERROR, mean_label=MEAN_LABEL_TOLERANCE,
                                collapse_reported_from=e.COLLAPSE_CHECK_FROM + e.COLLAPSE_LASTS,
                                plateau_note_after=e.PLATEAU_NOTE_AFTER),
        frame_examples=MAX_OUTPUT_EXAMPLES,
        gradcheck_rule=p.GradcheckRule(relative_error=e.GRADCHECK_RELATIVE, max_abs_difference=e.GRADCHECK_ABSOLUTE),
        code=p.CodeView(**code_view(list(RUN_KINDS))),
        features=[p.FeatureInfo(**feature._asdict()) for feature in datasets.FEATURES],
        regularizations=regularizations(),
        weights=p.WeightsInfo(max_parameters=e.MAX_WEIGHT_PARAMETERS, every_frames=e.WEIGHTS_EVERY,
                              max_abs=PARAMETER_BOUND),
        neuron_maps=p.NeuronMapsInfo(max_hidden_units=e.MAX_NEURON_MAP_UNITS, size=e.NEURON_MAPS_SIZE,
                                     per_second=e.NEURON_MAPS_PER_SECOND),
    )
