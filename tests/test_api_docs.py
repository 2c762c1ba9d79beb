"""The API documents itself: /openapi.json, /docs, the page at /, and /api/health."""

from __future__ import annotations

import json

from app import __version__
from app.web.app import BAD_BODY
from app.web.security import CROSS_SITE_WRITE, HOST_REFUSED


def test_openapi_lists_every_endpoint(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, method in [("/api/backprop", "post"), ("/api/train", "post"), ("/api/gradcheck", "post"),
                         ("/api/datasets", "get"), ("/api/datasets/{name}", "get"), ("/api/datasets/csv", "post"),
                         ("/api/health", "get")]:
        assert method in paths.get(path, {}), f"{method.upper()} {path} missing from {sorted(paths)}"


def test_backprop_is_documented_as_the_place_to_check_a_hand_written_backprop(client):
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/backprop"]["post"]
    text = f"{operation.get('summary', '')} {operation.get('description', '')}".lower()
    assert "hand-written backprop" in text
    assert "rtol" in text or "number by number" in text
    assert "/api/backprop" in schema["info"]["description"]


def test_the_schemas_explain_the_conventions(client):
    components = client.get("/openapi.json").json()["components"]["schemas"]
    model = components["ModelDocument"]["properties"]
    assert "n_out" in model["W"]["description"] and "n_in" in model["W"]["description"]
    assert "½" in model["loss"]["description"]
    assert "averaged" in components["LayerPass"]["properties"]["grad_W"]["description"]
    train = components["TrainRequest"]["properties"]
    assert "full batch" in json.dumps(train["batch_size"])


def test_the_schemas_carry_runnable_examples(client):
    """The example bodies shown at /docs are accepted by the endpoints they document."""
    components = client.get("/openapi.json").json()["components"]["schemas"]
    backprop_example = components["BackpropRequest"]["examples"][0]
    assert client.post("/api/backprop", json=backprop_example).status_code == 200
    assert client.post("/api/gradcheck", json=backprop_example).status_code == 200
    train_example = components["TrainRequest"]["examples"][0]
    assert client.post("/api/train", json=train_example).status_code == 200


def test_the_home_page_is_html(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>Backprop Lab</title>" in response.text


def test_the_interactive_docs_are_served(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text


def test_health_is_ok_with_the_version(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_the_site_checks_answers_are_documented(client):
    """SiteCheckMiddleware's 400 (a Host this server does not answer to) on every operation, its 403 (a write from
    another site's page) on every write, beside what the operation already says under those codes."""
    paths = client.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "400" in responses, f"{method.upper()} {path}"
            assert ("403" in responses) == (method in {"post", "put", "patch", "delete"}), f"{method.upper()} {path}"
    health = paths["/api/health"]["get"]["responses"]
    assert health["400"]["description"] == HOST_REFUSED["description"]
    backprop = paths["/api/backprop"]["post"]["responses"]
    for answer in (HOST_REFUSED, BAD_BODY):  # the unreadable body's 400 is still listed beside the Host's
        assert answer["description"] in backprop["400"]["description"]
    assert backprop["403"]["description"] == CROSS_SITE_WRITE["description"]
    delete = paths["/api/models/{model_id}"]["delete"]["responses"]["403"]["description"]
    assert "X-Owner-Key" in delete and CROSS_SITE_WRITE["description"] in delete
