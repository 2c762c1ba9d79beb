"""The `backprop-lab` command: serve the dashboard, train a network, run a saved one."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from app.cli_types import count, hidden_sizes, positive_float

# Errors a user can fix are printed as one line (no traceback) and exit with these codes.
EXIT_ERROR = 1  # something went wrong while running: a file, the database, a diverged run
EXIT_USAGE = 2  # the command line itself (as argparse does)

TRAIN_EXAMPLES = """examples:
  backprop-lab train --dataset two-points --kind softmax_ce --hidden 8 --steps 2000 --save model.json
  backprop-lab train --dataset xor --hidden 4 --activation tanh --optimizer adam --lr 0.05 --steps 3000
  backprop-lab train --dataset moons --param noise=0.2 --hidden 16,8 --save moons.safetensors"""

EXPORT_SCRIPT_EXAMPLES = """examples:
  backprop-lab export-script --dataset two-points --kinds sigmoid_mse,softmax_ce -o experiment.py
  backprop-lab export-script --dataset xor --hidden 4 --optimizer adam --lr 0.05 --batch-size 2 --every 50"""

PREDICT_EXAMPLES = """examples:
  backprop-lab predict model.json 1,0
  backprop-lab predict model.json 1,0 0,1 --json
  printf '1 0\\n0 1\\n' | backprop-lab predict model.safetensors"""


class CLIError(Exception):
    """`field`: the dotted path to the part of a model file that is wrong, as the REST API's `field`."""

    def __init__(self, message: str, code: int = EXIT_ERROR, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


# --- serve --------------------------------------------------------------------------------------

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread() -> None:
    """One BLAS thread per process, unless the environment already chose: the lab's matrices are small, sessions
    already share the cores, and a multi-threaded BLAS collapses when both cores are busy (docs/benchmarks.md)."""
    import os

    import threadpoolctl

    if any(name in os.environ for name in BLAS_THREAD_VARIABLES):
        return
    for name in BLAS_THREAD_VARIABLES:
        os.environ[name] = "1"  # for worker processes started from here, before they import NumPy
    threadpoolctl.threadpool_limits(1)  # for this process, where NumPy is loaded already


def large_arrays_returned() -> None:
    """Restart this command once with MALLOC_MMAP_THRESHOLD_ fixed at 128 KiB (unless the environment already chose).
    glibc raises that threshold after the first large free, so later arrays (a session's workspaces) come from its
    arenas, which keep freed memory: RSS stayed ~60-130% up after heavy sessions closed; with the threshold fixed,
    arrays are mapped and unmapped and RSS returns to within ~5% (tests/test_hosting_memory.py; MALLOC_ARENA_MAX=2
    was not reliable). glibc reads the variable only when a process starts, hence the exec, before any thread."""
    import os
    import threading

    if "MALLOC_MMAP_THRESHOLD_" in os.environ or not sys.platform.startswith("linux") or threading.active_count() > 1:
        return
    os.environ["MALLOC_MMAP_THRESHOLD_"] = str(128 * 1024)
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


def _serve(args: argparse.Namespace) -> None:
    import os

    import uvicorn
    from pydantic import ValidationError

    from app.store import StoreError
    from app.web.app import create_app

    large_arrays_returned()
    one_blas_thread()
    if args.root_path is not None:
        # As the setting, so that every worker process (each builds its app from the environment) has it.
        os.environ["BACKPROP_LAB_ROOT_PATH"] = args.root_path
    try:
        app = create_app()
        app.state.store.migrate()  # a wrong BACKPROP_LAB_DATABASE_URL fails here, not at the first save
    except ValidationError as e:
        problems = "; ".join(f"BACKPROP_LAB_{'_'.join(map(str, err['loc'])).upper()}: {err['msg']}"
                             for err in e.errors(include_input=False, include_url=False))
        raise CLIError(f"settings: {problems}", EXIT_USAGE) from None
    except StoreError as e:
        raise CLIError(f"saved models: {e.message}") from None
    settings = app.state.settings
    print(f"Backprop Lab on http://{args.host}:{args.port}/  (API reference: /docs)", flush=True)
    if settings.root_path:
        print(f"Behind a reverse proxy at {settings.root_path}/ (docs/deploy.md)", flush=True)
    print(f"Saved models: {app.state.store.display_url}", flush=True)
    print(f"Mode: {settings.mode}; {args.workers} worker process{'es' if args.workers > 1 else ''}", flush=True)
    # Compression makes large WebSocket frames 10-30x slower, and frames here are small and frequent.
    # uvicorn's own frame limit (default 16 MiB) would read a huge message before the app could refuse it.
    # Proxy headers: from the addresses in --forwarded-allow-ips, X-Forwarded-For/-Proto name the real client
    # (the rate limit counts per client) and scheme (links on https pages).
    options = dict(host=args.host, port=args.port, ws_per_message_deflate=False,
                   ws_max_size=2 * settings.max_message_bytes, log_level="info",
                   proxy_headers=args.proxy_headers, forwarded_allow_ips=args.forwarded_allow_ips)
    if args.workers > 1:
        # Each worker process builds its own app (sessions, session cap, rate limit); saved models are shared
        # through the database.
        app.state.store.close()
        uvicorn.run("app.web.app:create_app", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(app, **options)


# --- train --------------------------------------------------------------------------------------

def _dataset_params(pairs: list[str], dataset: str) -> dict:
    from app import datasets

    text = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise CLIError(f"--param {pair!r}: write it as NAME=VALUE, e.g. noise=0.2", EXIT_USAGE)
        text[key] = raw
    return datasets.params_from_text(datasets.DATASETS[dataset], text)


def _fmt(values, limit: int | None = None) -> str:
    """Numbers for people: 6 significant digits; rows longer than `limit` abbreviated."""
    values = list(values)
    if limit is not None and len(values) > limit:
        shown = ", ".join(f"{float(v):.6g}" for v in values[:limit - 2])
        return f"[{shown}, ... {float(values[-1]):.6g}] ({len(values)} numbers)"
    return "[" + ", ".join(f"{float(v):.6g}" for v in values) + "]"



def _scale_hint(dataset: str, params: dict) -> str | None:
    """How to scale this dataset's inputs from the command line, when it has a "scaled" switch that is off."""
    from app import datasets

    return "here: --param scaled=true" if datasets.inputs_unscaled(datasets.DATASETS[dataset], params) else None


def _optimizer_spec(args: argparse.Namespace):
    """The optimizer as the API and the dashboard describe it (OptimizerSpec), so its settings are theirs."""
    from pydantic import ValidationError

    from app.spec import OptimizerSpec

    try:
        return OptimizerSpec(name=args.optimizer, learning_rate=args.lr, momentum=args.momentum)
    except ValidationError as e:
        error = e.errors(include_input=False, include_url=False)[0]
        option = {"learning_rate": "lr"}.get(str(error["loc"][0]), str(error["loc"][0]))
        raise CLIError(f"--{option}: {error['msg']}", EXIT_USAGE) from None


def _train(args: argparse.Namespace) -> None:
    import numpy as np
    from tqdm import tqdm

    from app import datasets
    from app.nn.inference import classes_of, ties
    from app.nn import Network, OutputLayer, Trainer, diagnose, make_optimizer, run_kind, to_document
    from app.nn.diagnostics import INPUT_SCALE_LIMIT, collapse_message, divergence_suggestion
    from app.nn.training import largest_value

    params = _dataset_params(args.param, args.dataset)
    try:
        data = datasets.load(args.dataset, seed=args.seed, **params)
    except datasets.DatasetError as e:
        raise CLIError(f"dataset {args.dataset}: {e.message}", EXIT_USAGE) from None
    X, Y = data.inputs, data.labels
    if data.task == "regression" and run_kind(args.kind).activation != "linear":
        raise CLIError(f"--kind {args.kind}: {args.dataset} is a regression set (a number per example, not a class); "
                       "use --kind linear_mse", EXIT_USAGE)
    scale_hint = _scale_hint(args.dataset, params)
    input_scale = largest_value(X)
    advice = divergence_suggestion(input_scale, args.lr, scale_hint)
    if input_scale <= INPUT_SCALE_LIMIT:
        advice += f" Here: --lr {args.lr / 10:.3g}."
    sizes = [X.shape[1], *args.hidden, Y.shape[1]]
    output = OutputLayer.from_kind(args.kind)
    net = Network.create(sizes, args.activation, output, init=args.init, seed=args.seed)
    spec = _optimizer_spec(args)
    optimizer = make_optimizer(spec.name, spec.learning_rate, **spec.options())
    trainer = Trainer(net, X, Y, optimizer, args.batch_size, args.seed, mistake=run_kind(args.kind).trained_mistake)

    hidden = f"{args.activation} hidden layers {args.hidden}" if args.hidden else "no hidden layer"
    print(f"Training {'-'.join(map(str, sizes))} ({hidden}, {args.kind}) on {args.dataset} ({len(X)} examples): "
          f"{args.optimizer}, η = {args.lr:g}, {args.steps} steps", flush=True)
    chunk = max(1, args.steps // 200)  # progress-bar updates: at most ~200
    with np.errstate(all="ignore"), tqdm(total=args.steps, unit="step", file=sys.stderr, disable=args.quiet,
                                         desc="training", dynamic_ncols=True) as bar:
        for k in range(args.steps):
            loss = trainer.step().loss
            if (k + 1) % chunk == 0 or k + 1 == args.steps:
                reason = trainer.divergence(loss)
                if reason:
                    bar.close()
                    raise CLIError(f"training diverged by step {k + 1}: {reason}. {advice}")
                bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
                bar.update((k + 1) - bar.n)
        final_loss = trainer.full_loss()
        outputs = net.predict(X)
    if not (math.isfinite(final_loss) and np.isfinite(outputs).all()):
        raise CLIError(f"training diverged: the loss is {final_loss}. {advice}")

    print(f"final loss: {final_loss:.6g}")
    if data.task == "regression":  # targets, not classes: how far each output is from its target
        for x, a, y in zip(X[:args.show], outputs[:args.show], Y[:args.show]):
            print(f"  {_fmt(x, limit=8)} → {_fmt(a)}  (target {_fmt(y)})")
        if len(X) > args.show:
            print(f"  ... and {len(X) - args.show} more examples (--show to see more)")
        print(f"largest error |a − y|: {float(np.abs(outputs - Y).max()):.4g}")
        if args.save:
            _save(args.save, to_document(net), None, args.kind)
        return
    names = data.class_names or [str(i) for i in range(Y.shape[1])]
    predicted, wanted, tie_rows = classes_of(outputs), classes_of(Y), ties(outputs).tolist()
    shown = min(len(X), args.show)
    for x, a, p, w, tie in zip(X[:shown], outputs[:shown], predicted[:shown], wanted[:shown], tie_rows[:shown]):
        answer = "tie (no class)" if tie else f"class {names[p]} {'✓' if p == w else '✗'}"
        print(f"  {_fmt(x, limit=8)} → {_fmt(a)}  {answer} (label {names[w]})")
    if len(X) > shown:
        print(f"  ... and {len(X) - shown} more examples (--show to see more)")
    correct = sum(p == w and not tie for p, w, tie in zip(predicted, wanted, tie_rows))
    tied = f"; {sum(tie_rows)} tie{'s' if sum(tie_rows) != 1 else ''}, counted as wrong" if any(tie_rows) else ""
    print(f"accuracy: {correct}/{len(X)} ({100 * correct / len(X):.1f}%){tied}")
    diagnosis = diagnose(net, X, Y, scale_hint=scale_hint)
    if diagnosis.collapsed and diagnosis.cause_list:  # as the dashboard's `collapsed` event says it
        print(f"diagnosis: {collapse_message(diagnosis)}")
        for cause in diagnosis.cause_list[1:]:
            print(f"  also: {cause.message}")
        print(f"what to try: {diagnosis.cause_list[0].suggestion}")
    if args.save:
        _save(args.save, to_document(net), data.class_names or None, args.kind)


def _export_script(args: argparse.Namespace) -> None:
    from app import datasets
    from app.export.script import experiment_script
    from app.nn import RUN_KINDS
    from app.sessions.config import ConfigError, ExperimentConfig

    kinds = args.kinds or [args.kind]
    unknown = [kind for kind in kinds if kind not in RUN_KINDS]
    if unknown:
        raise CLIError(f"--kinds: {', '.join(unknown)} is not a run kind; choose from {', '.join(RUN_KINDS)}",
                       EXIT_USAGE)
    params = _dataset_params(args.param, args.dataset)
    try:
        data = datasets.load(args.dataset, seed=args.seed, **params)
    except datasets.DatasetError as e:
        raise CLIError(f"dataset {args.dataset}: {e.message}", EXIT_USAGE) from None
    config = ExperimentConfig(  # as `train` runs it: one seed for the data, the weights and the batch order
        dataset={"name": args.dataset, "params": params, "seed": args.seed},
        network={"hidden_layers": args.hidden, "hidden_activation": args.activation, "init": args.init,
                 "seed": args.seed},
        runs=[{"id": chr(ord("a") + i), "kind": kind} for i, kind in enumerate(kinds)],
        optimizer=_optimizer_spec(args), batch_size=args.batch_size)
    try:
        text = experiment_script(config, data, args.steps, args.every,
                                 args.output.name if args.output else "experiment.py")
    except ConfigError as e:
        raise CLIError(e.message, EXIT_USAGE) from None
    if args.output is None:
        sys.stdout.write(text)
        return
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise CLIError(f"cannot write {args.output}: {e.strerror or e}") from None
    print(f"wrote the script to {args.output}: run it with `python {args.output}`")


def _save(path: Path, document: dict, class_names: list[str] | None, kind: str) -> None:
    from app.export import to_json, to_safetensors

    if path.suffix.lower() == ".safetensors":
        data, what = to_safetensors(document, name=path.stem, class_names=class_names, kind=kind), "safetensors"
    else:
        data, what = to_json(document, kind), "model JSON"
    try:
        path.write_bytes(data)
    except OSError as e:
        raise CLIError(f"cannot write {path}: {e.strerror or e}") from None
    print(f"saved the model ({what}) to {path}")


# --- predict ------------------------------------------------------------------------------------

def _parse_row(text: str, where: str) -> list[float]:
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        row = [float(p) for p in parts]
    except ValueError:
        raise CLIError(f"{where} {text.strip()!r} is not a list of numbers such as 1,0", EXIT_USAGE) from None
    if not row:
        raise CLIError(f"{where} is empty; give numbers such as 1,0", EXIT_USAGE)
    if not all(math.isfinite(v) for v in row):
        raise CLIError(f"{where} {text.strip()!r}: every number must be finite (no NaN or Infinity)", EXIT_USAGE)
    return row


def load_model(path: Path):
    """The network in a model file and what the file says about it; CLIError (with the field) if it is not one."""
    from app.export import FormatError, read_model
    from app.nn import from_document

    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CLIError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        model_file = read_model(raw, path.name)  # checked as every model is (app/nn/model_doc.py)
    except FormatError as e:
        raise CLIError(f"{path}: {e.message}", field=".".join(map(str, e.loc)) or None) from None
    return from_document(model_file.document), model_file


def _predict(args: argparse.Namespace) -> None:
    import numpy as np

    from app.nn.inference import predict

    net, model_file = load_model(args.model)
    if args.inputs:
        rows = [_parse_row(text, f"input {i + 1}") for i, text in enumerate(args.inputs)]
    else:
        lines = [line for line in sys.stdin.read().splitlines() if line.strip()]
        if not lines:
            raise CLIError("give inputs such as 1,0 after the model file, or one row per line on standard input",
                           EXIT_USAGE)
        rows = [_parse_row(text, f"line {i + 1}") for i, text in enumerate(lines)]
    width = net.layer_sizes[0]
    for i, row in enumerate(rows):
        if len(row) != width:
            raise CLIError(f"input {i + 1} ({','.join(f'{v:g}' for v in row)}) has {len(row)} numbers; the model "
                           f"expects {width}", EXIT_USAGE)

    outputs, classes = predict(net, np.array(rows))
    if not np.isfinite(outputs).all():
        raise CLIError("these inputs are so large that the model's outputs overflow; use smaller inputs")
    names = model_file.class_names
    if args.json:
        result = {"outputs": outputs.tolist(), "classes": classes}
        if names and classes is not None:
            result["class_names"] = [None if c is None else names[c] for c in classes]
        print(json.dumps(result))
        return
    if classes is None:  # a linear output (regression): the outputs are the prediction, there is no class
        for row, a in zip(rows, outputs):
            print(f"{_fmt(row)} → {_fmt(a)}")
        return
    for row, a, c in zip(rows, outputs, classes):
        if c is None:
            print(f"{_fmt(row)} → {_fmt(a)}  no class (the outputs tie)")
            continue
        label = f" ({names[c]})" if names else ""
        print(f"{_fmt(row)} → {_fmt(a)}  class {c}{label}")


# --- the parser ---------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    from app import datasets
    from app.nn import HIDDEN_ACTIVATIONS, INITS, OPTIMIZERS, RUN_KINDS

    parser = argparse.ArgumentParser(prog="backprop-lab", description="Watch backpropagation work.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the dashboard and the API",
                                description="Run the dashboard and the REST API with uvicorn. Saved models go "
                                            "to the database named by BACKPROP_LAB_DATABASE_URL (default: "
                                            "sqlite:///backprop-lab.db in the working folder).")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    serve.add_argument("--workers", type=count(1), default=1, metavar="N",
                       help="worker processes (default: %(default)s); each has its own live sessions and rate "
                            "limits, saved models are shared through the database (docs/deploy.md)")
    serve.add_argument("--root-path", default=None, metavar="PATH",
                       help="the path prefix a reverse proxy serves the app under, e.g. /lab (sets "
                            "BACKPROP_LAB_ROOT_PATH)")
    serve.add_argument("--proxy-headers", action=argparse.BooleanOptionalAction, default=True,
                       help="trust X-Forwarded-For and X-Forwarded-Proto from --forwarded-allow-ips "
                            "(default: on)")
    serve.add_argument("--forwarded-allow-ips", default=None, metavar="IPS",
                       help="comma-separated addresses of trusted proxies, or '*' (default: the "
                            "FORWARDED_ALLOW_IPS variable, else 127.0.0.1)")
    serve.set_defaults(run=_serve)

    # The experiment's options, shared by `train` and `export-script`.
    experiment = argparse.ArgumentParser(add_help=False)
    experiment.add_argument("--dataset", default="two-points", choices=list(datasets.DATASETS), metavar="NAME",
                            help=f"the dataset: {', '.join(datasets.DATASETS)} (default: %(default)s)")
    experiment.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                            help="a dataset parameter, e.g. noise=0.2 (repeatable; see GET /api/datasets for each "
                                 "dataset's parameters and bounds)")
    experiment.add_argument("--kind", default="softmax_ce", choices=list(RUN_KINDS), metavar="KIND",
                            help=f"output layer and loss: {', '.join(RUN_KINDS)} (default: %(default)s)")
    experiment.add_argument("--hidden", type=hidden_sizes, default=[8], metavar="SIZES",
                            help="units per hidden layer, comma-separated, e.g. 8 or 16,8; 'none' for no hidden "
                                 "layer (default: 8)")
    experiment.add_argument("--activation", default="sigmoid", choices=list(HIDDEN_ACTIVATIONS), metavar="NAME",
                            help=f"hidden-layer activation: {', '.join(HIDDEN_ACTIVATIONS)} (default: %(default)s)")
    experiment.add_argument("--init", default="normal", choices=list(INITS), metavar="NAME",
                            help=f"starting weights: {', '.join(INITS)} (default: %(default)s)")
    experiment.add_argument("--optimizer", default="sgd", choices=list(OPTIMIZERS), metavar="NAME",
                            help=f"update rule: {', '.join(OPTIMIZERS)} (default: %(default)s)")
    experiment.add_argument("--lr", type=positive_float, default=0.5, metavar="η",
                            help="learning rate (default: %(default)s)")
    experiment.add_argument("--momentum", type=float, default=0.9, metavar="μ",
                            help="momentum, for --optimizer momentum (default: %(default)s)")
    experiment.add_argument("--batch-size", type=count(1), default=None, metavar="N",
                            help="examples per step (default: all of them, full-batch gradient descent)")
    experiment.add_argument("--steps", type=count(0), default=1000, metavar="N",
                            help="training steps (updates) (default: %(default)s)")
    experiment.add_argument("--seed", type=count(0), default=0, metavar="N",
                            help="seeds the dataset, the starting weights and the batch order (default: %(default)s)")
    train = commands.add_parser(
        "train", help="train a network on a dataset and print its loss and outputs",
        description="Train a network on one of the lab's datasets, with a progress bar on stderr; then print "
                    "the final loss and the network's output for each example, and optionally save the model.",
        parents=[experiment], epilog=TRAIN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    train.add_argument("--save", type=Path, default=None, metavar="PATH",
                       help="write the trained model here: model JSON, or safetensors when PATH ends in "
                            ".safetensors (either can be imported with POST /api/models/import)")
    train.add_argument("--show", type=count(0), default=10, metavar="N",
                       help="examples whose outputs are printed (default: %(default)s)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=_train)

    export = commands.add_parser(
        "export-script", help="write the experiment as a standalone Python + NumPy script",
        description="Write one readable script, plain Python and NumPy only, that trains the experiment as the "
                    "lab does (same data, starting weights, update rule and batches) and prints each run's loss "
                    "every K steps and its final outputs: the lab's numbers (docs/script.md).",
        parents=[experiment], epilog=EXPORT_SCRIPT_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("--kinds", type=lambda text: text.split(","), default=None, metavar="KINDS",
                        help="several runs side by side, comma-separated, e.g. sigmoid_mse,softmax_ce "
                             "(default: the one --kind)")
    export.add_argument("--every", type=count(1), default=100, metavar="K",
                        help="print the loss every K steps (default: %(default)s)")
    export.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                        help="write the script here (default: standard output)")
    export.set_defaults(run=_export_script)

    predict = commands.add_parser(
        "predict", help="run a saved model on inputs",
        description="Run a saved model (model JSON or safetensors, e.g. from `train --save` or "
                    "GET /api/models/{id}/export) on rows of inputs; print each row's outputs and class "
                    "(the index of the largest output; with one output unit, 1 when it is above 0.5); "
                    "outputs that tie name no class.",
        epilog=PREDICT_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    predict.add_argument("model", type=Path, metavar="MODEL", help="a .json or .safetensors model file")
    predict.add_argument("inputs", nargs="*", metavar="INPUTS",
                         help="one row of inputs per argument, numbers separated by commas, e.g. 1,0; without "
                              "any, rows are read from standard input, one per line")
    predict.add_argument("--json", action="store_true",
                         help='print {"outputs": [...], "classes": [...]} as JSON, at full precision')
    predict.set_defaults(run=_predict)
    from app.check.command import add_check_command

    add_check_command(commands)  # `backprop-lab check PATH.py`: the learner's own backprop, diagnosed
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except CLIError as e:
        print(f"backprop-lab {args.command}: error: {e.message}", file=sys.stderr)
        sys.exit(e.code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
