"""POST /api/check: a learner's own numbers against the exact pass, and the classic mistake that gives them."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Request, Response

from app.check import YoursError, check_numbers, check_pairings
from app.check.pairings import LABELS_NOT_DISTRIBUTIONS, LABELS_OUTSIDE_0_1, ONE_OUTPUT_UNIT, PAIRINGS, unfit_labels
from app.check.work import check_work
from app.nn import OutputLayer, exact_numbers, parameter_count
from app.settings import Settings
from app.web.check_schemas import CheckRequest, CheckResponse
from app.web.compute import UNAVAILABLE, answer, request_body
from app.web.errors import invalid
from app.web.jobs import job
from app.web.model_input import BCE_RULE, CE_RULE, examples_from, finite_or_422, network_from

router = APIRouter(prefix="/api", tags=["backprop"])

UNFIT_LABELS = {
    LABELS_NOT_DISTRIBUTIONS: CE_RULE,
    LABELS_OUTSIDE_0_1: BCE_RULE,
    ONE_OUTPUT_UNIT: "a softmax output layer needs at least 2 units; for one output use sigmoid_bce",
}


@router.post("/check", response_model=CheckResponse, responses={503: UNAVAILABLE},
             openapi_extra=request_body(CheckRequest))
async def check(request: Request) -> Response:
    """Check your own backprop: compare your numbers with the exact ones and name the mistake behind a difference.

    Give any of your numbers in `yours` (shaped like /api/backprop's answer; column vectors, a transposed grad_W
    and Nielsen's nabla_b/nabla_w are read too, and reported as layout notes). The answer gives, per quantity, the
    largest absolute and relative difference; the first mismatch in the order the numbers are computed, with its
    equation (forward, cost, BP1, BP2, BP3, BP4); and `diagnosis`: every classic mistake whose numbers equal
    yours, with what it is and how to fix it. `unknown_mistake` is true when none does.
    """
    return await answer(request, "check")


@job("check", CheckRequest, CheckResponse)
def check_answer(body: CheckRequest, settings: Settings) -> dict:
    net = network_from(body.model, settings)
    X, Y = examples_from(body, net, settings)
    yours = body.yours.model_dump(exclude_none=True)
    again = body.yours_again.model_dump(exclude_none=True) if body.yours_again else None
    _within_work_limit(net, len(X), yours, again, body.pairing == "any", settings.max_check_work)
    if body.pairing not in (None, "any"):
        output = OutputLayer.from_kind(body.pairing)
        unfit = unfit_labels(output, Y)
        if unfit:
            raise invalid(("body", "pairing"), f"{body.pairing} does not fit these labels: {UNFIT_LABELS[unfit]}")
        net = net.with_output(output)
    with np.errstate(all="ignore"):  # overflow is reported below as a 422, not as a warning
        exact = exact_numbers(net, X, Y)
    finite_or_422(np.asarray(exact.loss), *exact.zs, *exact.activations, *exact.deltas, *exact.grad_W,
                  *exact.grad_b)
    try:
        if body.pairing == "any":
            search = check_pairings(net, X, Y, yours, body.learning_rate, again)
            return {**search.report.to_dict(), "pairing_search": search.to_dict()}
        return check_numbers(net, X, Y, yours, body.learning_rate, again).to_dict()
    except YoursError as e:
        raise invalid(("body", *e.loc), e.message) from None


def _within_work_limit(net, n_examples: int, yours: dict, again: dict | None, any_pairing: bool,
                       limit: float) -> None:
    """A 422 before any work when the check would take too long, naming what to leave out or reduce."""
    pairings = len(PAIRINGS) if any_pairing else 1
    work = check_work(n_examples, parameter_count(net.layer_sizes), net.layer_sizes, yours, again, pairings)
    if work <= limit:
        return
    over = f"This check would take about {work:.2g} units of work, over this server's {limit:.2g} " \
           f"(examples × parameters × candidate mistakes × readings × calls × pairings): "
    if again is not None:
        raise invalid(("body", "yours_again"), over + "check the second call's numbers on their own, without "
                                                      "yours_again")
    if any_pairing:
        raise invalid(("body", "pairing"), over + "name the output layer and loss you meant instead of \"any\"")
    raise invalid(("body", "inputs"), over + "send fewer examples (the first few show the same mistake)")
