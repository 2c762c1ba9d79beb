"""The run ids the page gives each run kind (hello.run_kinds[kind].short_id) and the mistakes it labels runs with."""

from __future__ import annotations

from app.lessons import RUN_IDS
from app.nn import MISTAKES, RUN_KINDS
from app.sessions.config import RunSpec
from app.web.live.hello import hello
from lab_settings import make_settings


def test_every_kind_has_its_own_short_id_that_configure_accepts():
    kinds = hello(make_settings()).run_kinds
    ids = [info.short_id for info in kinds.values()]
    assert len(set(ids)) == len(RUN_KINDS)
    for kind, info in kinds.items():
        assert RunSpec(id=info.short_id, kind=kind).id == info.short_id  # at most 16 characters, no spaces


def test_a_mistake_kinds_id_starts_with_its_pairing_and_the_right_kinds_keep_the_lessons_ids():
    kinds = hello(make_settings()).run_kinds
    assert kinds["sigmoid_mse_examples_mixed"].short_id == "sig-mse-mixed"
    assert kinds["softmax_mse_bias_gradient_missing"].short_id == "smax-mse-no-bias"
    for kind, run_id in RUN_IDS.items():  # a lesson's preset is the very experiment the page configures
        assert kinds[kind].short_id == run_id


def test_hello_names_the_equation_each_mistake_kind_breaks():
    message = hello(make_settings())
    for kind, info in message.run_kinds.items():
        if info.mistake:
            assert message.mistakes[info.mistake].equation == MISTAKES[info.mistake].equation, kind
    assert message.mistakes["examples_mixed"].equation == "BP4"
    assert message.mistakes["sign_flipped"].equation == "BP1"
