"""What a request will cost, estimated from the request before any work, so that one too big for this server is
refused at once with a 422 naming what to reduce: the size of its JSON answer (MAX_RESPONSE_BYTES) and the work
of a gradient check (MAX_GRADCHECK_WORK). The `type` of these 422s is `answer_too_large` or `too_much_work`."""

from __future__ import annotations

from typing import Sequence

from app.settings import Settings
from app.web.errors import invalid

# Upper bounds, so that an answer under the estimate is under the limit: "-1.2345678901234567e-308," is the longest
# a float64 gets in JSON; each list of numbers adds "[", "]" and a comma; keys and short strings stay under the rest.
BYTES_PER_NUMBER = 25
BYTES_PER_ROW = 3
BYTES_FIXED = 1_000

ANSWER_TOO_LARGE = "answer_too_large"
TOO_MUCH_WORK = "too_much_work"


def json_bytes(numbers: int, rows: int = 0, *, per_number: int = BYTES_PER_NUMBER) -> int:
    """At most how many bytes `numbers` numbers in `rows` lists take in JSON."""
    return numbers * per_number + rows * BYTES_PER_ROW


def within_answer_limit(settings: Settings, *, examples: int, per_example: int, rest: int,
                        examples_loc: Sequence[str | int] = ("body", "inputs"), unit: str = "examples",
                        rest_loc: Sequence[str | int] = ("body", "model"), rest_advice: str = "use a smaller model"
                        ) -> None:
    """A 422 unless `examples` × `per_example` + `rest` (+ BYTES_FIXED) bytes fit MAX_RESPONSE_BYTES: at the
    examples, saying how many fit, or at `rest_loc` when even one example is too many."""
    limit = settings.max_response_bytes
    fixed = rest + BYTES_FIXED
    size = examples * per_example + fixed
    if size <= limit:
        return
    over = f"the answer would be up to {size:,} bytes, over this server's limit of {limit:,} " \
           f"(BACKPROP_LAB_MAX_RESPONSE_BYTES)"
    fit = (limit - fixed) // max(per_example, 1)
    if fit >= 1:
        raise invalid(examples_loc, f"{over}: send at most {fit:,} {unit} at a time (this request has "
                                    f"{examples:,})", kind=ANSWER_TOO_LARGE)
    raise invalid(rest_loc, f"{over} even for one of the {unit}: {rest_advice}", kind=ANSWER_TOO_LARGE)


def gradcheck_work(parameters: int, examples: int) -> float:
    """Each parameter is nudged up and down, and each nudge is a forward pass over every example."""
    return 2.0 * parameters * parameters * max(examples, 1)
