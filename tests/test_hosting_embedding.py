"""Embedding: no site may frame the dashboard unless BACKPROP_LAB_FRAME_ANCESTORS lists it; then the CSP's
frame-ancestors names exactly those origins and X-Frame-Options (which cannot list sites) is dropped. A value that
is not an origin (a wildcard, a path) stops the server at startup with a line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.settings import Settings
from app.web.app import create_app
from lab_settings import make_settings

ROOT = Path(__file__).resolve().parents[1]
SCHOOL = "https://school.example"
MOODLE = "https://moodle.school.example:8443"


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def headers_for(path: str, **settings) -> dict[str, str]:
    with TestClient(create_app(make_settings(database_url="sqlite://", **settings))) as client:
        response = client.get(path)
        assert response.status_code == 200
        return response.headers


@pytest.mark.parametrize("path", ["/", "/api/health", "/static/js/main.js"])
def test_framing_is_refused_by_default(path):
    headers = headers_for(path)
    assert directives(headers["content-security-policy"])["frame-ancestors"] == ["'none'"]
    assert headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/api/health", "/static/js/main.js"])
def test_listed_sites_may_frame_the_page_and_no_other(path):
    headers = headers_for(path, frame_ancestors=[SCHOOL, MOODLE])
    policy = directives(headers["content-security-policy"])
    assert policy["frame-ancestors"] == [SCHOOL, MOODLE]
    assert "x-frame-options" not in headers, "X-Frame-Options can only say DENY or SAMEORIGIN: it must go"
    assert policy["script-src"] == ["'self'"], "the rest of the policy is unchanged"
    assert headers["x-content-type-options"] == "nosniff"


def test_origins_are_written_the_way_browsers_compare_them():
    settings = Settings(frame_ancestors=["HTTPS://School.Example/", " http://[::1]:8000 "])
    assert settings.frame_ancestors == [SCHOOL, "http://[::1]:8000"]


@pytest.mark.parametrize("value", [
    "*", "https://*.school.example", "https://school.example/course", "school.example", "ftp://school.example",
    "https://school.example:port", "https://school.example?x=1", "https://teacher@school.example",
    "'self'", "https://school.example; script-src *",
])
def test_a_value_that_is_not_an_origin_is_refused(value):
    with pytest.raises(ValidationError) as error:
        Settings(frame_ancestors=[SCHOOL, value])
    assert [e["loc"] for e in error.value.errors()] == [("frame_ancestors",)]


def test_serve_stops_at_startup_naming_the_variable():
    env = {**os.environ, "BACKPROP_LAB_FRAME_ANCESTORS": '["*"]', "BACKPROP_LAB_DATABASE_URL": "sqlite://"}
    result = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--port", "0"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "BACKPROP_LAB_FRAME_ANCESTORS" in result.stderr
    assert "Traceback" not in result.stderr
