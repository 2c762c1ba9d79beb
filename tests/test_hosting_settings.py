"""Settings for hosting: every one from a BACKPROP_LAB_* variable, `MODE=hosted` tightens the defaults, explicit
values win, and docs/deploy.md shows every setting with both defaults (the table is generated, so it stays true)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.settings import HOSTED, Settings, markdown_table
from app.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "docs" / "deploy.md"


@pytest.fixture
def clean_env(monkeypatch):
    """No BACKPROP_LAB_* variable from the environment running the tests."""
    for name in list(os.environ):
        if name.startswith("BACKPROP_LAB_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_every_setting_the_issue_names_exists():
    fields = Settings.model_fields
    for name in ["mode", "max_sessions", "max_runs", "max_layers", "max_hidden_layers", "max_units", "max_parameters",
                 "max_live_parameters", "max_examples", "max_upload_bytes", "max_speed", "idle_timeout",
                 "max_message_bytes", "rate_limit", "allowed_origins", "database_url", "root_path"]:
        assert name in fields, name
        assert fields[name].description, f"{name} has no description for docs/deploy.md"


def test_docs_deploy_shows_every_setting_with_its_local_and_hosted_default():
    text = DEPLOY.read_text()
    assert markdown_table() in text, "docs/deploy.md's settings table is out of date: paste `python -m app.settings`"
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in text, name


def test_local_mode_is_the_laptop_default(clean_env):
    settings = Settings()
    assert settings.mode == "local"
    for name, field in Settings.model_fields.items():
        if field.default_factory is None:
            assert getattr(settings, name) == field.default, name
    assert settings.rate_limit == 0, "no rate limit on a laptop"


def test_hosted_mode_tightens_every_listed_default(clean_env):
    local, hosted = Settings(), Settings(mode="hosted")
    for name, value in HOSTED.items():
        assert getattr(hosted, name) == value, name
        before = getattr(local, name)
        if before == 0:  # 0 means "no limit"
            assert value > 0, name
        else:
            assert value < before, f"{name}: hosted {value} is not tighter than local {before}"
    for name in set(Settings.model_fields) - set(HOSTED) - {"mode"}:
        assert getattr(hosted, name) == getattr(local, name), name


def test_hosted_mode_from_the_environment_and_explicit_values_win(clean_env):
    clean_env.setenv("BACKPROP_LAB_MODE", "hosted")
    clean_env.setenv("BACKPROP_LAB_MAX_SPEED", "9000")
    clean_env.setenv("BACKPROP_LAB_IDLE_TIMEOUT", "1800")  # the same as the local default, but said out loud
    clean_env.setenv("BACKPROP_LAB_ALLOWED_ORIGINS", json.dumps(["https://lab.example.org"]))
    clean_env.setenv("BACKPROP_LAB_ROOT_PATH", "/lab")
    settings = Settings()
    assert settings.mode == "hosted"
    assert settings.max_speed == 9000
    assert settings.idle_timeout == 1800
    assert settings.max_hidden_layers == HOSTED["max_hidden_layers"]
    assert settings.allowed_origins == ["https://lab.example.org"]
    assert settings.root_path == "/lab"
    assert Settings(mode="hosted", rate_limit=0).rate_limit == 0, "the rate limit can be turned off explicitly"


def test_every_setting_is_read_from_its_environment_variable(clean_env):
    samples = {int: "7", float: "2.5", str: "/x"}
    for name, field in Settings.model_fields.items():
        if field.annotation in samples:
            clean_env.setenv(f"BACKPROP_LAB_{name.upper()}", samples[field.annotation])
    settings = Settings()
    for name, field in Settings.model_fields.items():
        if field.annotation in samples:
            assert getattr(settings, name) == field.annotation(samples[field.annotation]), name


@pytest.mark.parametrize("given, expected", [("", ""), ("/", ""), ("/lab", "/lab"), ("lab", "/lab"),
                                             ("/lab/", "/lab"), (" /a/b/ ", "/a/b")])
def test_the_root_path_is_normalised(clean_env, given, expected):
    assert Settings(root_path=given).root_path == expected


@pytest.mark.parametrize("name, value", [("mode", "cloud"), ("rate_limit", -1), ("rate_limit_burst", 0),
                                         ("training_threads", -2), ("boundary_rate", 0), ("default_frame_rate", 0),
                                         ("compute_processes", -1), ("default_speed", 0), ("max_speed", 0),
                                         ("max_frame_rate", 0), ("idle_timeout", 0)])
def test_impossible_values_are_refused(clean_env, name, value):
    with pytest.raises(ValidationError):
        Settings(**{name: value})


def test_the_hello_of_a_hosted_server_announces_its_limits(clean_env):
    clean_env.setenv("BACKPROP_LAB_MODE", "hosted")
    with TestClient(create_app(Settings(database_url="sqlite://"))) as client, \
            client.websocket_connect("/ws") as ws:
        limits = ws.receive_json()["limits"]
    for name in ["max_hidden_layers", "max_speed", "max_message_bytes", "idle_timeout", "max_frame_rate"]:
        assert limits[name] == HOSTED[name], name
    assert limits["max_parameters"] == HOSTED["max_live_parameters"]


def test_serve_with_an_impossible_setting_stops_with_one_line():
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    env["BACKPROP_LAB_MODE"] = "cloud"
    done = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--port", "1"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done
    assert "BACKPROP_LAB_MODE" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
