"""What a live session does for each client command. Each handler obeys its command or raises ProtocolError,
which the session sends back as an `error` naming the command (`in_reply_to`)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from app.nn import to_document
from app.nn.mistakes import TAKES_LEARNING_RATE
from app.sessions.config import ConfigError, checked_data, start_network
from app.sessions.experiment import GRADCHECK_MAX_EXAMPLES, Experiment, RunUnavailable
from app.store import ModelNotFound, QuotaExceeded, StoreError
from app.web import protocol as p
from app.web.bounds import gradcheck_work
from app.web.ratelimit import client_address
from app.web.live.pacing import CHUNK_SECONDS
from app.web.live.parsing import ProtocolError

if TYPE_CHECKING:
    from app.web.live.session import LiveSession


def _check_rates(session: LiveSession, speed: Any, frame_rate: int | None) -> None:
    settings = session.settings
    if isinstance(speed, int) and speed > settings.max_speed:
        raise ProtocolError("invalid_value", f"at most {settings.max_speed} steps per second, or \"max\"", "speed")
    if frame_rate is not None and frame_rate > settings.max_frame_rate:
        raise ProtocolError("invalid_value", f"at most {settings.max_frame_rate} frames per second", "frame_rate")


def _check_run(exp: Experiment, run_id: str | None) -> None:
    if run_id is not None and run_id not in exp.run_ids:
        raise ProtocolError("unknown_run", f"there is no run {run_id!r}; runs: {', '.join(exp.run_ids)}", "run")


def _run_with_numbers(exp: Experiment, run_id: str):
    try:
        return exp.run_with_numbers(run_id)
    except RunUnavailable as e:
        raise ProtocolError(e.code, e.message, "run") from None


async def _start_document(session: LiveSession, config: p.ExperimentConfig) -> dict | None:
    """The model document the experiment starts from: inline, or read from the store (a blocking call)."""
    if config.start is None:
        return None
    if config.start.model is not None:
        return config.start.model
    model_id = config.start.model_id
    try:
        return (await asyncio.to_thread(session.store.get, model_id)).document
    except ModelNotFound:
        raise ProtocolError("invalid_value", f"there is no saved model {model_id}", "start.model_id") from None
    except StoreError as e:
        raise ProtocolError("store_failed", e.message, "start.model_id") from None


async def on_configure(session: LiveSession, command: p.Configure) -> None:
    _check_rates(session, command.speed, command.frame_rate)
    config = p.ExperimentConfig.model_validate(command.model_dump(exclude={"type", "speed", "frame_rate"}))
    document = await _start_document(session, config)
    try:
        data, split = await session.in_pool(checked_data, config, session.settings)
        start = None if document is None else await session.in_pool(start_network, document, config, data,
                                                                     session.settings)
    except ConfigError as e:
        raise ProtocolError("invalid_value", e.message, e.field) from None
    exp = session.experiment = await session.in_pool(Experiment, config, data, start, split)
    session.playing, session.pending_steps = False, 0
    session.speed = command.speed or session.speed
    session.frame_rate = command.frame_rate or session.frame_rate
    train, test = split.train, split.test
    features = None if config.dataset.features is None else exp.X.tolist()
    await session.send(p.Configured(config=config.model_dump(), layer_sizes=exp.layer_sizes,
                                    inputs=data.inputs[train].tolist(), labels=data.labels[train].tolist(),
                                    test_inputs=data.inputs[test].tolist(), test_labels=data.labels[test].tolist(),
                                    network_inputs=features,
                                    class_names=data.class_names, task=data.task, boundary=exp.boundary_info()))
    await session.send_state()
    await session.send_frame_now()


async def on_play(session: LiveSession, command: p.Play) -> None:
    session.playing, session.pending_steps = True, 0
    await session.send_state()


async def on_pause(session: LiveSession, command: p.Pause) -> None:
    session.playing, session.pending_steps = False, 0
    await session.send_state()
    await session.send_frame_now()


async def on_step(session: LiveSession, command: p.Step) -> None:
    if command.count > session.settings.max_steps_per_message:
        raise ProtocolError("invalid_value", f"at most {session.settings.max_steps_per_message} steps per message",
                            "count")
    session.playing = False
    session.pending_steps += command.count


async def on_reset(session: LiveSession, command: p.Reset) -> None:
    session.experiment = await session.in_pool(session.experiment.restarted)
    session.playing, session.pending_steps = False, 0
    await session.send_state()
    await session.send_frame_now()


async def on_set(session: LiveSession, command: p.Set) -> None:
    exp = session.experiment
    _check_rates(session, command.speed, command.frame_rate)
    _check_run(exp, command.run)
    if command.example is not None and command.example >= exp.example_count:
        raise ProtocolError("invalid_value", f"the dataset has {exp.example_count} examples; example must be below "
                                             "that", "example")
    if command.regularization_rate is not None and command.run is not None:
        raise ProtocolError("invalid_value", "the regularization rate is shared by every run; leave out run", "run")
    if command.regularization_rate is not None:  # first: it may be refused, and then nothing has changed
        try:
            exp.set_regularization_rate(command.regularization_rate)
        except ConfigError as e:
            raise ProtocolError("invalid_value", e.message, e.field) from None
    if command.learning_rate is not None:
        exp.set_learning_rate(command.learning_rate, command.run)
    if command.example is not None:
        exp.select_example(command.example)
    # A run that updates its output weights too early sends δ back through W − η∂C/∂W: a new η, a new δ.
    rate_shown = command.learning_rate is not None and any(
        run.trainer.mistake in TAKES_LEARNING_RATE for run in exp.runs if command.run in (None, run.id))
    if command.example is not None or command.regularization_rate is not None or rate_shown:
        session.forget_last_frame()  # other numbers at the same step: another example's, ∂(C + Ω)/∂W with λ, δ
    session.speed = command.speed or session.speed
    session.frame_rate = command.frame_rate or session.frame_rate
    await session.send_state()
    if not session.playing:
        await session.send_frame_now()


async def on_gradcheck(session: LiveSession, command: p.Gradcheck) -> None:
    exp = session.experiment
    _check_run(exp, command.run)
    largest = session.settings.max_gradcheck_parameters
    if exp.parameter_count > largest:
        raise ProtocolError("too_many_parameters", f"the network has too many parameters for a gradient check "
                                                   f"(at most {largest})")
    work = gradcheck_work(exp.parameter_count, min(exp.example_count, GRADCHECK_MAX_EXAMPLES))
    if work > session.settings.max_gradcheck_work:
        raise ProtocolError("too_many_parameters", f"a gradient check of this network is {work:.3g} units of work "
                                                   f"(2 × parameters² × examples); at most "
                                                   f"{session.settings.max_gradcheck_work:.3g} per run")
    # In parts of a training chunk's length, so other sessions' chunks run in between (issue 16).
    for run_id in [command.run] if command.run is not None else exp.run_ids:
        parts = exp.gradcheck_parts(run_id, CHUNK_SECONDS)
        while (events := await session.in_pool(next, parts, None)) is not None:
            for event in events:
                await session.send(event)


def history_reply(exp: Experiment) -> p.HistoryReply:
    steps, values, test_values = exp.loss_history()
    # A step taken has the loss its update saw (with mini-batches, its batch's); the current step, as in frames,
    # the training set's.
    measured_on = [exp.loss_measured_on if step < exp.step else "training_set" for step in steps]
    return p.HistoryReply(runs=exp.run_ids, steps=steps, stride=exp.history.stride, loss=values,
                          measured_on=measured_on, test_loss=test_values)


async def on_history(session: LiveSession, command: p.History) -> None:
    await session.send(await session.in_pool(history_reply, session.experiment))  # up to ~10,000 rows: off the loop


def _model_of_points(exp: Experiment, run_id: str, features: bool = False):
    """The run a `save` or `model` hands out as a model document, which takes the points themselves as inputs
    (predict, exports): refused for a run trained on input features, whose first layer reads those, unless the
    asker takes a model of the features (`features`: the check panel, which gives it configured.network_inputs)."""
    run = _run_with_numbers(exp, run_id)
    if exp.config.dataset.features is not None and not features:
        raise ProtocolError("invalid_value", "a model trained on input features cannot be given out as a model: "
                                             "model documents take the points themselves as inputs; train without "
                                             "features for one (the Python script export keeps the features)")
    return run


async def on_save(session: LiveSession, command: p.Save) -> None:
    exp = session.experiment
    run = _model_of_points(exp, command.run)
    name = command.name or exp.default_model_name(run)
    try:
        record = await asyncio.to_thread(session.store.save, name, to_document(run.net), source="socket",
                                         kind=run.spec.kind, class_names=exp.data.class_names or None,
                                         client=client_address(session.ws.scope), quota=session.settings.save_quota)
    except QuotaExceeded as e:
        raise ProtocolError("quota_exceeded", e.message) from None
    except StoreError as e:
        on_name = getattr(e, "loc", ("",))[0] == "name"
        raise ProtocolError("invalid_value" if on_name else "store_failed", e.message, "name" if on_name else None)
    await session.send(p.Saved(run=run.id, step=exp.step, model=record.as_json(), owner_key=record.owner_key))


async def on_model(session: LiveSession, command: p.GetModel) -> None:
    exp = session.experiment
    run = _model_of_points(exp, command.run, command.features)
    await session.send(p.ModelReply(run=run.id, step=exp.step, kind=run.spec.kind, model=to_document(run.net)))


async def on_set_weight(session: LiveSession, command: p.SetWeight) -> None:
    exp = session.experiment
    _check_run(exp, command.run)
    try:
        exp.set_weight(command.run, command.layer, command.j, command.k, command.value)
    except RunUnavailable as e:
        raise ProtocolError(e.code, e.message, "run") from None
    except ConfigError as e:
        raise ProtocolError("invalid_value", e.message, e.field) from None
    session.forget_last_frame()  # the same step, other numbers
    await session.send_state()
    if not session.playing:
        await session.send_frame_now()


HANDLERS = {"configure": on_configure, "play": on_play, "pause": on_pause, "step": on_step, "reset": on_reset,
            "set": on_set, "gradcheck": on_gradcheck, "history": on_history, "save": on_save, "model": on_model,
            "set_weight": on_set_weight}
