"""The lessons over HTTP: GET /api/lessons serves the very data the engine tests run, and the derivation page
has every section a lesson links to, with nothing the Content-Security-Policy would block."""

from __future__ import annotations

import re

from app.lessons import LESSONS


def test_api_lessons_serves_the_lessons_the_tests_run(client):
    response = client.get("/api/lessons")
    assert response.status_code == 200
    assert response.json() == [item.model_dump(mode="json") for item in LESSONS]
    first = response.json()[0]
    assert first["title"] == "Your network"
    assert first["preset"]["network"]["hidden_layers"] == [8]
    assert {"label", "change", "command"} <= set(first["try_this"])


def test_api_lessons_by_number(client):
    assert client.get("/api/lessons/6").json()["title"] == "When softmax does not help"
    missing = client.get("/api/lessons/9")
    assert missing.status_code == 404
    assert "lessons are numbered 1 to 7" in missing.json()["detail"]


def test_api_lessons_is_in_the_api_reference(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/lessons" in paths and "/api/lessons/{number}" in paths
    assert "/learn/softmax" not in paths  # a page, not an API


def test_derivation_page_has_every_section_a_lesson_links_to(client):
    response = client.get("/learn/softmax")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    for item in LESSONS:
        assert f'<section id="{item.derivation}"' in html
        assert f"#lesson={item.number}\"" in html  # …and each section links back to its lesson
    for section in ("softmax", "jacobian", "cross-entropy", "binary-cross-entropy", "quadratic-cost", "four-equations"):
        assert f'<section id="{section}"' in html


def test_derivation_page_needs_no_inline_script_or_style(client):
    html = client.get("/learn/softmax").text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all('src="' in tag for tag in scripts)
    assert not re.search(r"\son[a-z]+=", html)  # no event-handler attributes
    assert not re.search(r"\sstyle=", html) and "<style" not in html
    assert "/vendor/katex/katex.min.css" in html and "js/lessons-derivation.js" in html


def test_derivation_uses_the_learners_notation(client):
    html = client.get("/learn/softmax").text
    for tex in (r"w^L_{jk}", r"a^L_j", r"z^L_j", r"\tfrac12 \sum_k (a_k - y_k)^2", r"a_i(\delta_{ij} - a_j)",
                r"\boxed{\;\delta^L = a - y\;}", r"\sigma'(z^l)"):
        assert tex in html, tex


def test_dashboard_has_the_lessons_entry(client):
    html = client.get("/").text
    assert 'id="lessons-toggle"' in html and 'aria-controls="lessons"' in html
    found = re.search(r'data-lessons-url="([^"]+)"', html)
    assert found and found[1].endswith("/api/lessons")
    assert re.search(r'data-derivation-url="[^"]+/learn/softmax"', html)
