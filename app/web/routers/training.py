"""Train a given network for a number of steps and return it: the learner's train.py, as a call."""

from __future__ import annotations

import time

import numpy as np
from fastapi import APIRouter, Request, Response

from app.nn import Trainer, make_optimizer, to_document
from app.nn.diagnostics import divergence_suggestion
from app.nn.training import largest_value
from app.nn.inference import classes_of, named_correctly
from app.settings import Settings
from app.web.bounds import json_bytes, within_answer_limit
from app.web.compute import UNAVAILABLE, answer, request_body
from app.web.errors import invalid
from app.web.jobs import job
from app.web.model_input import examples_from, finite_or_422, network_from, rows_from
from app.web.schemas import Stopped, TrainRequest, TrainResponse

router = APIRouter(prefix="/api", tags=["training"])

TIME_CHECK_EVERY = 16  # steps between looks at the clock


@router.post("/train", response_model=TrainResponse, responses={503: UNAVAILABLE},
             openapi_extra=request_body(TrainRequest))
async def train(request: Request) -> Response:
    """Train the model for `steps` updates and return it with the loss after every step.

    Plain sgd without batch_size is full-batch gradient descent on all inputs, exactly as in the
    reference cases. A run whose weights blow up is stopped, and `stopped` says when and why.
    With a `regularization` every step descends C + Ω; `loss_history` is still the data loss C, and `penalty`
    is Ω of the returned model.
    """
    return await answer(request, "train")


@job("train", TrainRequest, TrainResponse)
def train_answer(body: TrainRequest, settings: Settings) -> TrainResponse:
    net = network_from(body.model, settings)
    X, Y = examples_from(body, net, settings)
    if (body.test_inputs is None) != (body.test_labels is None):
        missing = "test_labels" if body.test_labels is None else "test_inputs"
        raise invalid(("body", missing), "give test_inputs and test_labels together, or neither")
    test = (None if body.test_inputs is None else
            rows_from(body.test_inputs, body.test_labels, net, settings, ("test_inputs", "test_labels")))
    if body.steps > settings.max_train_steps:
        raise invalid(("body", "steps"), f"at most {settings.max_train_steps:,} steps per call are allowed")
    work = body.steps * len(X) * net.parameter_count
    if work > settings.max_train_work:
        raise invalid(("body", "steps"), f"steps × examples × parameters is {work:.3g}; at most "
                                         f"{settings.max_train_work:.3g} is allowed per call: ask for fewer "
                                         f"steps (and call again to continue)")
    units = sum(net.layer_sizes[1:])
    within_answer_limit(  # per example its outputs; besides, the model and the loss after every step
        settings, examples=len(X), per_example=json_bytes(net.layer_sizes[-1], 1),
        rest=json_bytes(net.parameter_count + body.steps + 1, units + 2 * len(net.layer_sizes)),
        rest_loc=("body", "steps") if body.steps > net.parameter_count else ("body", "model"),
        rest_advice="ask for fewer steps" if body.steps > net.parameter_count else "use a smaller model")
    with np.errstate(all="ignore"):  # overflow is caught below and reported, not warned about
        return _train(net, X, Y, test, body, settings)


def _accuracy(net, outputs: np.ndarray, Y: np.ndarray) -> float | None:
    """The share of examples whose outputs name their label's class (a tie names none); None for a linear output
    (no classes)."""
    if net.output.activation == "linear":
        return None
    return float(np.mean(named_correctly(outputs, classes_of(Y))))


def _train(net, X, Y, test, body: TrainRequest, settings) -> TrainResponse:
    fwd = net.forward(X)
    finite_or_422(fwd.output, net.costs(fwd, Y))
    opt = body.optimizer
    trainer = Trainer(net, X, Y, make_optimizer(opt.name, opt.learning_rate, **opt.options()), body.batch_size,
                      body.seed, regularization=body.regularization, regularization_rate=body.regularization_rate)

    history: list[float] = []
    stopped = None
    started = time.thread_time()
    for k in range(body.steps):
        history.append(trainer.full_loss() if trainer.batch_size else trainer.step().loss)
        if trainer.batch_size:
            trainer.step()
        reason = trainer.divergence(history[-1])
        if reason:
            stopped = Stopped(step=k + 1, reason="diverged",
                              message=f"Training diverged at step {k + 1}: {reason}. "
                                      + divergence_suggestion(largest_value(X), opt.learning_rate))
            break
        if k % TIME_CHECK_EVERY == 0 and time.thread_time() - started > settings.train_time_limit:
            stopped = Stopped(step=k + 1, reason="time_limit",
                              message=f"Stopped after {settings.train_time_limit:g} s of CPU time; "
                                      f"call again with the returned model to go on.")
            break
    history = [v for v in history if np.isfinite(v)]  # only the step that diverged can be non-finite
    fwd = net.forward(X)
    final_loss = net.loss(fwd, Y)
    if not (np.isfinite(final_loss) and all(np.isfinite(p).all() for p in net.parameters)):
        # The weights themselves overflowed: nothing finite to return but the history.
        return TrainResponse(model=None, loss_history=history, outputs=None, stopped=stopped)
    scores = {"accuracy": _accuracy(net, fwd.output, Y)}
    if test is not None:
        test_fwd = net.forward(test[0])
        test_loss = net.loss(test_fwd, test[1])
        if np.isfinite(test_loss):  # test inputs far outside the training range may overflow: then null
            scores |= {"test_loss": test_loss, "test_accuracy": _accuracy(net, test_fwd.output, test[1])}
    return TrainResponse(model=to_document(net), loss_history=history + [final_loss],
                         outputs=fwd.output.tolist(), stopped=stopped, penalty=trainer.penalty(), **scores)
