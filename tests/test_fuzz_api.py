"""schemathesis against the app's own OpenAPI schema, in process: no 500s, no undocumented status codes, and every
response matches what the schema says (content type, headers, body).

Generated requests go to every operation under /api/, valid and invalid alike. The app runs with a small
model database of its own and tight work limits (so /api/train answers quickly), once with the laptop's
defaults and once with the rate limit on (then 429 is a documented answer too).
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra: scripts/setup test")
from hypothesis import HealthCheck, given  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.web.app import create_app  # noqa: E402
from lab_settings import make_settings  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
LIMITS = dict(max_train_steps=200, train_time_limit=0.5, max_examples=50, max_parameters=5_000, max_units=64,
              max_predict_rows=50, max_saved_models=200)


def _app(tmp_path_factory, **overrides):
    db = tmp_path_factory.mktemp("schemathesis") / "models.db"
    return create_app(make_settings(database_url=f"sqlite:///{db}", **LIMITS, **overrides))


@pytest.fixture(scope="module")
def local_app(tmp_path_factory):
    return _app(tmp_path_factory)


@pytest.fixture(scope="module")
def limited_app(tmp_path_factory):
    return _app(tmp_path_factory, rate_limit=600, rate_limit_burst=40)


@pytest.fixture(scope="module")
def local_openapi(local_app):
    return schemathesis.openapi.from_asgi("/openapi.json", local_app)


@pytest.fixture(scope="module")
def limited_openapi(limited_app):
    return schemathesis.openapi.from_asgi("/openapi.json", limited_app)


PATHS = create_app(make_settings(database_url="sqlite://")).openapi()["paths"]  # no database is touched
OPERATIONS = [(method.upper(), path) for path, item in PATHS.items() for method in item]
IDS = [f"{method} {path}" for method, path in OPERATIONS]
# Negative cases need something to get wrong: parameters or a body.
WITH_INPUT = [(m, p) for m, p in OPERATIONS
              if PATHS[p][m.lower()].get("parameters") or "requestBody" in PATHS[p][m.lower()]]
# schemathesis's own pytest plugin (schema.parametrize) does not work with pytest 9 yet: each operation is a
# test of ours, running Hypothesis over the operation's strategy.
SETTINGS = hsettings(max_examples=25, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                            HealthCheck.function_scoped_fixture])


def _fuzz(schema, method: str, path: str, examples: int, mode: str = "positive") -> list[int]:
    statuses: list[int] = []

    @hsettings(SETTINGS, max_examples=examples)
    @given(case=schema[path][method].as_strategy(GenerationMode(mode)))
    def run(case):
        response = case.call_and_validate(checks=CHECKS)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["retry-after"][0]) >= 1

    run()
    return statuses


@pytest.mark.parametrize("method, path", OPERATIONS, ids=IDS)
def test_every_operation_answers_as_documented(local_openapi, method, path):
    """Requests the schema allows."""
    assert _fuzz(local_openapi, method, path, 40), "schemathesis sent requests"


@pytest.mark.parametrize("method, path", WITH_INPUT, ids=[f"{m} {p}" for m, p in WITH_INPUT])
def test_every_operation_answers_bad_input_as_documented(local_openapi, method, path):
    """Requests the schema forbids: wrong types, missing fields, bodies that are not JSON, ..."""
    assert _fuzz(local_openapi, method, path, 40, "negative"), "schemathesis sent requests"


def test_the_rate_limited_app_answers_as_documented_with_429s(limited_openapi):
    """Every operation in turn, from one client, until the bucket runs dry: the 429s are documented too."""
    statuses = [status for method, path in OPERATIONS for status in _fuzz(limited_openapi, method, path, 8)]
    assert 429 in statuses, "the rate limit was reached"
