"""An experiment as one standalone, readable NumPy script that reproduces the lab's numbers.

The data and the starting weights are written into the script as exact literals (the repr of a float64 reads back
as the same number); the script builds the network in Nielsen's conventions, trains each run with the lab's update
rule and batch order (the same seeded shuffle as app/nn/training.py's Trainer) and prints the loss over all
examples at steps 0, K, 2K, ... and at the end. The script is built in memory: nothing here touches a file.
"""

from __future__ import annotations

import textwrap

import numpy as np

from app.datasets import Data
from app.datasets import FEATURES
from app.export.script.parts import (BACKPROP_LINES, COSTS, FEATURE_ROWS, HIDDEN, MISTAKES, OUTPUT_FUNCTIONS, PAIRINGS,
                                     REGULARIZATION_LINES, UPDATES, kind_parts)
from app.nn.init import initialize
from app.nn.network import Network
from app.sessions.config import ConfigError, ExperimentConfig, input_count

MAX_SCRIPT_BYTES = 200_000  # a script to read, not a data file
SHOWN_EXAMPLES = 10  # examples whose final outputs the script prints
LITERAL_WIDTH = 110
Run = tuple[str, str, "str | None"]  # (kind, pairing, mistake id or None)

HEADER = '''"""{title}

Exported from Backprop Lab. Plain Python and NumPy, nothing else: `python {filename}`.
{description}
It starts from the lab's data and starting weights (written out below, exactly), trains each run the
same way (update rule, batches, seed) and prints its loss over all examples every {every} steps, then its
outputs: the same numbers as the lab's, to at least 9 significant digits.

Conventions, as in Nielsen's network.py: one example per column, so X is (n_in, N) and Y is (n_out, N);
weights[l] is (n_out, n_in), like w_jk; biases[l] is a column (n_out, 1). The cost C is the mean of the
examples' costs c, so every gradient is a mean over the examples.

The four equations of backpropagation, in backprop() below:
    (BP1) δᴸ = ∂c/∂zᴸ                       decided by the output layer and the cost together: delta_*()
    (BP2) δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)
    (BP3) ∂C/∂bˡ = mean over the examples of δˡ
    (BP4) ∂C/∂wˡ = mean over the examples of δˡ (aˡ⁻¹)ᵀ
"""

{imports}import numpy as np

STEPS = {steps}  # updates per run
EVERY = {every}  # print the loss every EVERY steps
BATCH_SIZE = {batch_size}  # {batch_note}
SEED = {seed}  # seeds the batch order, as in the lab
{regularization}'''

NETWORK = '''

def hidden(z):  # the hidden layers' activation: {activation}{unused}
    return {hidden_fn}


def hidden_prime(z, a):  # its derivative σ'(z), given a = hidden(z)
    return {hidden_prime}
'''

FEEDFORWARD = '''

def feedforward(weights, biases, x, output):
    """Every layer's z and a for the examples in the columns of x: z = w a + b, then a = σ(z)."""
    zs, activations = [], [x]
    for l, (w, b) in enumerate(zip(weights, biases)):
        zs.append(w @ activations[-1] + b)
        activations.append(output(zs[-1]) if l == len(weights) - 1 else hidden(zs[-1]))
    return zs, activations
'''

BACKPROP = '''

def {name}(weights, biases, x, y, output, delta_L{eta}):
    """∂C/∂w and ∂C/∂b of every layer, averaged over the examples in the columns of x{how}."""
    zs, activations = feedforward(weights, biases, x, output)
    n = x.shape[1]
    nabla_w, nabla_b = [None] * len(weights), [None] * len(weights)
    {BP1}
    {early}
    for l in range(len(weights) - 1, -1, -1):
        {BP4}
        {BP3}
        if l > 0:
            {BP2}
    return nabla_w, nabla_b
'''

TRAIN = '''

def train(run, output, cost, delta_L, backprop, update, **settings):
    """Train a copy of the starting weights; print the loss every EVERY steps, then the outputs."""
    weights, biases = [w.copy() for w in WEIGHTS], [b.copy() for b in BIASES]
    state = {{}}  # the update rule's memory (momentum's v, adam's m and v)
{batch_setup}
    def report(step):
        zs, activations = feedforward(weights, biases, X, output)
        loss = float(cost(zs[-1], activations[-1], Y))  # over all the examples
        print(f"run {{run}} step {{step}} loss {{loss}}")  # every digit: the exact float64

    for step in range(STEPS):
        if step % EVERY == 0:
            report(step)
{batch}
        nabla_w, nabla_b = backprop(weights, biases, x, y, output, delta_L)
{penalty}        update(weights + biases, nabla_w + nabla_b, state, **settings)
    report(STEPS)
    a = feedforward(weights, biases, X, output)[1][-1]
    for i in range(min(X.shape[1], {shown})):
        print(f"run {{run}} example {{i}} input {{X[:, i].tolist()}} output {{a[:, i].tolist()}} "
              f"label {{Y[:, i].tolist()}}")
'''

FULL_BATCH = "        x, y = X, Y  # every example in every step"
BATCH_SETUP = '''    rng = np.random.default_rng(SEED)  # the lab's batch order: a seeded shuffle, again every epoch
    order, cursor = np.arange(X.shape[1]), X.shape[1]
'''
MINI_BATCH = '''        if cursor >= len(order):  # a new epoch
            rng.shuffle(order)
            cursor = 0
        batch = order[cursor:cursor + BATCH_SIZE]  # the last batch of an epoch may be shorter
        cursor += BATCH_SIZE
        x, y = X[:, batch], Y[:, batch]'''


def _number(value: float) -> str:
    return repr(float(value))  # the shortest text that reads back as exactly this float64


def _matrix(rows: np.ndarray, indent: str) -> str:
    """One row per line (long rows wrapped), as a list of lists."""
    lines = []
    for row in rows:
        text = "[" + ", ".join(_number(v) for v in row) + "],"
        lines += textwrap.wrap(text, LITERAL_WIDTH, initial_indent=indent, subsequent_indent=indent + " ",
                               break_on_hyphens=False)
    return "\n".join(lines)


def _packed(rows: np.ndarray, indent: str) -> str:
    """As many rows per line as fit in LITERAL_WIDTH, so that hundreds of examples take tens of lines."""
    lines: list[str] = []
    for row in rows:
        text = "[" + ", ".join(_number(v) for v in row) + "],"
        if lines and len(lines[-1]) + 1 + len(text) <= LITERAL_WIDTH:
            lines[-1] += " " + text
        else:
            lines += textwrap.wrap(text, LITERAL_WIDTH, initial_indent=indent, subsequent_indent=indent + " ",
                                   break_on_hyphens=False)
    return "\n".join(lines)


def _data(X: np.ndarray, Y: np.ndarray, features: list[str] | None = None) -> str:
    text = (f"\n# The data, {len(X)} examples: one per row here (several to a line), turned into columns by .T\n"
            f"X = np.array([\n{_packed(X, '    ')}\n]).T\n"
            f"Y = np.array([\n{_packed(Y, '    ')}\n]).T\n")
    if features:
        labels = {f.id: f.label for f in FEATURES}
        text += ("\n# The network's inputs are these input features of each point (X₁, X₂), one row each:\n"
                 f"X = np.vstack([{', '.join(FEATURE_ROWS[f] for f in features)}])  "
                 f"# {', '.join(labels[f] for f in features)}\n")
    return text


def _penalty(config: ExperimentConfig) -> str:
    """train()'s lines that add the regularisation's ∂Ω/∂w to BP4's ∂C/∂w (none without one)."""
    if config.regularization is None or config.regularization_rate == 0:
        return ""
    return (f"        for l in range(len(weights)):  # {config.regularization}, λ = LAMBDA; the loss printed is "
            f"still the data's C\n            {REGULARIZATION_LINES[config.regularization]}\n")


def _weights(W: list[np.ndarray], b: list[np.ndarray], init: str, seed: int, given: bool = False) -> str:
    weights = "".join(f"    np.array([  # layer {l + 1}: {w.shape[0]} × {w.shape[1]}\n"
                      f"{_matrix(w, '        ')}\n    ]),\n" for l, w in enumerate(W))
    biases = "\n".join("\n".join(textwrap.wrap(f"np.array([{', '.join(_number(v) for v in column)}])[:, None],",
                                               LITERAL_WIDTH, initial_indent="    ", subsequent_indent="        "))
                       for column in b)
    origin = "from the model the experiment started from" if given else f"init \"{init}\", seed {seed}"
    return (f"\n# The starting weights ({origin}), the same for every run.\n"
            f"WEIGHTS = [\n{weights}]\nBIASES = [  # columns\n{biases}\n]\n")


def _output_layers(runs: list[Run]) -> str:
    """The output activations, the costs, and every δᴸ function the runs use, right ones first."""
    outputs = sorted({PAIRINGS[pairing][0] for _, pairing, _ in runs})
    losses = sorted({PAIRINGS[pairing][1] for _, pairing, _ in runs})
    text = "".join("\n" + OUTPUT_FUNCTIONS[name] for name in outputs)
    text += "\n\n# The cost C: the mean over the examples (the columns of y) of each example's cost c.\n"
    text += "".join(f"\n\ndef cost_{loss}(z, a, y):\n    n = y.shape[1]\n    return {COSTS[loss]}\n"
                    for loss in losses)
    text += "\n\n# δᴸ = ∂c/∂zᴸ (BP1), decided by the output layer and the cost together.\n"
    mistaken = sorted({run for run in runs if _own_delta(run[2])})
    rights = [pairing for _, pairing, mistake in runs if not _own_delta(mistake)]
    rights += [pairing for _, pairing, mistake in mistaken if "{right}" in MISTAKES[mistake].delta]
    for pairing in dict.fromkeys(rights):
        text += f"\n\ndef delta_{pairing}(z, a, y):\n    {PAIRINGS[pairing][2]}\n"
    for kind, pairing, mistake in mistaken:
        body = MISTAKES[mistake].delta.replace("{right}", f"delta_{pairing}")
        text += f"\n\ndef delta_{kind}(z, a, y):\n    {body}\n"
    return text


def _own_delta(mistake: str | None) -> bool:
    return bool(mistake and MISTAKES[mistake].delta)


def _own_backprop(mistake: str | None) -> bool:
    return bool(mistake and MISTAKES[mistake].lines)


def _backprops(runs: list[Run]) -> str:
    """The right backprop, and one more for each mistake that changes its lines."""
    text = FEEDFORWARD
    variants = dict.fromkeys(mistake if _own_backprop(mistake) else None for _, _, mistake in runs)
    for mistake in sorted(variants, key=lambda m: m is not None):  # the right one first
        lines = {**BACKPROP_LINES, **(MISTAKES[mistake].lines if mistake else {})}
        code = BACKPROP.format(name=f"backprop_{mistake}" if mistake else "backprop",
                               eta=", eta" if mistake and MISTAKES[mistake].needs_eta else "",
                               how=f",\n    as a learner who made the mistake {mistake} computes them" if mistake
                               else "", **lines)
        text += "\n".join(line for line in code.split("\n") if line.strip() or not line)  # drop empty slots
    return text


def _settings(config: ExperimentConfig, run) -> tuple[str, dict[str, float]]:
    """The run's update rule and its settings, as the lab resolves them (a run's own rate or optimizer first)."""
    spec = run.optimizer or config.optimizer
    eta = run.learning_rate or spec.learning_rate
    settings = {"sgd": {}, "momentum": {"mu": spec.momentum},
                "adam": {"beta1": spec.beta1, "beta2": spec.beta2}}[spec.name]
    return spec.name, {"eta": eta, **settings}


def _describe(config: ExperimentConfig, sizes: list[int]) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in config.dataset.params.items())
    hidden = f"{config.network.hidden_activation} hidden units" if len(sizes) > 2 else "no hidden layer"
    batch = f"batches of {config.batch_size}" if config.batch_size else "full batch"
    features = f", input features {', '.join(config.dataset.features)}" if config.dataset.features else ""
    penalty = (f"; {config.regularization} regularisation, λ = {config.regularization_rate:g}"
               if config.regularization and config.regularization_rate else "")
    return (f"Dataset {config.dataset.name}{f' ({params})' if params else ''}, data seed {config.dataset.seed}"
            f"{features}; network {'-'.join(map(str, sizes))}, {hidden}; {batch}{penalty}.")


def _check(config: ExperimentConfig) -> list[Run]:
    """Each run's (kind, pairing, mistake); ConfigError for what a script cannot reproduce."""
    if config.network.dtype != "float64":
        raise ConfigError("network.dtype", "exported scripts compute in float64, as the numbers they reproduce "
                                           "must; choose float64")
    runs = []
    for i, run in enumerate(config.runs):
        parts = kind_parts(run.kind)
        if parts is None:
            raise ConfigError(f"runs.{i}.kind", f"run kind {run.kind!r} cannot be exported as a script yet")
        runs.append((run.kind, *parts))
    return runs


def experiment_script(config: ExperimentConfig, data: Data, steps: int, every: int,
                      filename: str = "experiment.py", start: Network | None = None) -> str:
    """The script for `config` on `data` (as check_limits or datasets.load gave it), `steps` updates per run;
    from `start`'s weights when the experiment starts from a model (config.start, as start_network read it).
    ConfigError (with the field to change) when it cannot be exported or would exceed MAX_SCRIPT_BYTES."""
    runs = _check(config)
    X, Y = np.asarray(data.inputs, np.float64), np.asarray(data.labels, np.float64)
    sizes = [input_count(config.dataset, data), *config.network.hidden_layers, Y.shape[1]]
    if start is None:
        W, b = initialize(sizes, config.network.init, config.network.seed)
    else:
        W, b = [w.astype(np.float64) for w in start.W], [v.astype(np.float64) for v in start.b]
    mini = config.batch_size is not None and config.batch_size < len(X)
    rules = [_settings(config, run) for run in config.runs]
    stale = any(mistake and MISTAKES[mistake].needs_eta for _, _, mistake in runs)
    names = ", ".join(f"{run.id} ({run.kind})" for run in config.runs)
    head = HEADER.format(title=f"Backprop Lab: run{'s' if len(runs) > 1 else ''} {names} on "
                               f"{config.dataset.name}, {steps} steps.",
                         filename=filename, description=_describe(config, sizes), every=every, steps=steps,
                         batch_size=config.batch_size if mini else None, seed=config.network.seed,
                         batch_note="examples per step" if mini else "None: every example in every step",
                         imports="from functools import partial\n\n" if stale else "",
                         regularization=f"LAMBDA = {_number(config.regularization_rate)}  # the "
                                        f"{config.regularization} regularisation rate λ\n" if _penalty(config) else "")
    data_text = _data(X, Y, config.dataset.features)
    weights_text = _weights(W, b, config.network.init, config.network.seed, start is not None)
    hidden_fn, hidden_prime = HIDDEN[config.network.hidden_activation]
    network = NETWORK.format(activation=config.network.hidden_activation, hidden_fn=hidden_fn,
                             hidden_prime=hidden_prime, unused=" (unused: no hidden layer)" if len(sizes) == 2 else "")
    train = TRAIN.format(batch_setup=BATCH_SETUP if mini else "", batch=MINI_BATCH if mini else FULL_BATCH,
                         shown=SHOWN_EXAMPLES, penalty=_penalty(config))
    calls = ""
    for run, (kind, pairing, mistake), (rule, settings) in zip(config.runs, runs, rules):
        values = ", ".join(f"{k}={_number(v)}" for k, v in settings.items())
        delta = f"delta_{kind}" if _own_delta(mistake) else f"delta_{pairing}"
        backprop = f"backprop_{mistake}" if _own_backprop(mistake) else "backprop"
        if mistake and MISTAKES[mistake].needs_eta:
            backprop = f"partial({backprop}, eta={_number(settings['eta'])})"
        calls += (f"    train(\"{run.id}\", {PAIRINGS[pairing][0]}, cost_{PAIRINGS[pairing][1]}, {delta}, {backprop}, "
                  f"{rule}, {values})\n")
    script = (head + data_text + weights_text + network + _output_layers(runs) + _backprops(runs)
              + "".join("\n" + UPDATES[rule] for rule in dict.fromkeys(rule for rule, _ in rules)) + train
              + f"\n\nif __name__ == \"__main__\":\n{calls}")
    _check_size(script, len(data_text), len(weights_text))
    return script


def _check_size(script: str, data_bytes: int, weight_bytes: int) -> None:
    size = len(script.encode())
    if size <= MAX_SCRIPT_BYTES:
        return
    field, advice = (("dataset.params", "use fewer examples (the dataset's n) or fewer input features")
                     if data_bytes >= weight_bytes else ("network.hidden_layers", "use fewer or smaller hidden layers"))
    raise ConfigError(field, f"the script would be {size / 1000:.0f} KB, over the {MAX_SCRIPT_BYTES / 1000:.0f} KB "
                             f"a readable script allows (data {data_bytes / 1000:.0f} KB, starting weights "
                             f"{weight_bytes / 1000:.0f} KB): {advice}")
