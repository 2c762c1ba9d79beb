"""Exact forward and backward passes: check a hand-written backprop against ours, number by number."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Request, Response

from app.nn import gradient_check
from app.settings import Settings
from app.web.bounds import TOO_MUCH_WORK, gradcheck_work, json_bytes, within_answer_limit
from app.web.compute import UNAVAILABLE, answer, request_body
from app.web.errors import invalid
from app.web.jobs import job
from app.web.model_input import examples_from, finite_or_422, network_from
from app.web.schemas import BackpropRequest, BackpropResponse, GradcheckRequest, GradcheckResponse, LayerPass

router = APIRouter(prefix="/api", tags=["backprop"])


@router.post("/backprop", response_model=BackpropResponse, responses={503: UNAVAILABLE},
             openapi_extra=request_body(BackpropRequest))
async def backprop(request: Request) -> Response:
    """One exact forward and backward pass. This is the "check my hand-written backprop" endpoint.

    For every weight layer l (input side first) it returns, per example, z = W a_prev + b, a = σ(z) and
    δ = ∂c/∂z, and the gradients ∂C/∂W and ∂C/∂b averaged over the examples. C is the mean of the
    per-example costs; the quadratic cost is ½Σ(a−y)². Compare your numbers with these at rtol 1e-6.
    The answer grows with examples × units: past MAX_RESPONSE_BYTES a 422 says how many examples fit.
    """
    return await answer(request, "backprop")


@job("backprop", BackpropRequest, BackpropResponse)
def backprop_answer(body: BackpropRequest, settings: Settings) -> BackpropResponse:
    net = network_from(body.model, settings)
    X, Y = examples_from(body, net, settings)
    sizes, units = net.layer_sizes, sum(net.layer_sizes[1:])
    within_answer_limit(  # per example: its cost, its outputs, and z, a, δ in every layer
        settings, examples=len(X), per_example=json_bytes(1 + sizes[-1] + 3 * units, 1 + 3 * (len(sizes) - 1)),
        rest=json_bytes(net.parameter_count, units + len(sizes)))
    with np.errstate(all="ignore"):  # overflow is reported below as a 422, not as a warning
        fwd, bwd = net.gradients(X, Y)
        costs = net.costs(fwd, Y)
    finite_or_422(costs, *fwd.zs, *fwd.activations, *bwd.deltas, *bwd.grad_W, *bwd.grad_b)
    layers = [
        LayerPass(z=z.tolist(), a=a.tolist(), delta=d.tolist(), grad_W=gW.tolist(), grad_b=gb.tolist())
        for z, a, d, gW, gb in zip(fwd.zs, fwd.activations[1:], bwd.deltas, bwd.grad_W, bwd.grad_b)
    ]
    return BackpropResponse(loss=float(costs.mean()), costs=costs.tolist(), outputs=fwd.output.tolist(),
                            delta_rule=f"δᴸ = {net.output.delta_formula}", layers=layers)


@router.post("/gradcheck", response_model=GradcheckResponse, responses={503: UNAVAILABLE},
             openapi_extra=request_body(GradcheckRequest))
async def gradcheck(request: Request) -> Response:
    """Compare backprop's gradients with central differences (C(θ+h) − C(θ−h)) / 2h, layer by layer.

    A relative error below about 1e-6 means backprop is right; above 1e-2 something is wrong. Its work,
    2 × parameters² × examples, is bounded by MAX_GRADCHECK_WORK (a 422 says how many examples fit).
    With a `regularization`, the cost is C + Ω and the gradients checked include ∂Ω/∂W.
    """
    return await answer(request, "gradcheck")


@job("gradcheck", GradcheckRequest, GradcheckResponse)
def gradcheck_answer(body: GradcheckRequest, settings: Settings) -> GradcheckResponse:
    net = network_from(body.model, settings)
    if net.parameter_count > settings.max_gradcheck_parameters:
        raise invalid(("body", "model", "layer_sizes"),
                      f"a gradient check perturbs each parameter in turn; at most "
                      f"{settings.max_gradcheck_parameters:,} parameters are allowed, this model has "
                      f"{net.parameter_count:,}")
    X, Y = examples_from(body, net, settings)
    _within_gradcheck_work(net.parameter_count, len(X), settings.max_gradcheck_work)
    with np.errstate(all="ignore"):
        fwd = net.forward(X)
        finite_or_422(fwd.output, net.costs(fwd, Y))
        checks = gradient_check(net, X, Y, regularization=body.regularization,
                                regularization_rate=body.regularization_rate)
    if not np.isfinite([(c.relative_error, c.max_abs_difference) for c in checks]).all():
        raise invalid(("body", "model"), "the cost is not finite near these weights; use smaller weights")
    return GradcheckResponse(layers=[c.__dict__ for c in checks])


def _within_gradcheck_work(parameters: int, examples: int, limit: float) -> None:
    work = gradcheck_work(parameters, examples)
    if work > limit:
        fit = int(limit // gradcheck_work(parameters, 1))
        over = f"2 × parameters² × examples is {work:.3g}; at most {limit:.3g} is allowed per gradient check"
        if fit < 1:
            raise invalid(("body", "model", "layer_sizes"), f"{over}: use a smaller model", kind=TOO_MUCH_WORK)
        raise invalid(("body", "inputs"), f"{over}: send at most {fit:,} examples (a few show a wrong gradient as "
                                          f"well as many)", kind=TOO_MUCH_WORK)
