"""Saved models belong to someone (issue 16, item 5): random ids, owner keys that deleting needs, a hosted list of
the caller's own models, a per-client save quota on REST and socket alike, and old databases still opening.
Against SQLite and a real PostgreSQL server where the store is involved."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, create_engine, select

from app.store import SCHEMA_VERSION, ModelStore, NotOwner, QuotaExceeded, normalize_url
from app.store.database import saved_models, schema_version
from app.web.app import create_app
from lab_settings import make_settings
from live_server import Transport
from models_support import model_doc, same_bits

BODY = {"name": "mine", "model": model_doc((2, 2))}


@pytest.fixture
def store(database_url):
    opened = ModelStore(database_url)
    yield opened
    opened.close()


def clients(database_url, **settings):
    """Two REST clients at different addresses on one app; both close with the app."""
    app = create_app(make_settings(database_url=database_url, **settings))
    return TestClient(app, client=("198.51.100.1", 5000)), TestClient(app, client=("203.0.113.5", 5000))


def _bits(text_id: str) -> bytes:
    return base64.urlsafe_b64decode(text_id + "==")


# --- ids and keys --------------------------------------------------------------------------------

def test_ids_and_owner_keys_are_128_random_bits_not_a_sequence(store):
    saved = [store.save(f"m{i}", model_doc()) for i in range(40)]
    for text in [m.id for m in saved] + [m.owner_key for m in saved]:
        assert len(text) == 22 and len(_bits(text)) == 16
    assert len({m.id for m in saved} | {m.owner_key for m in saved}) == 80
    numbers = [int.from_bytes(_bits(m.id), "big") for m in saved]
    assert len({b - a for a, b in zip(numbers, numbers[1:])}) == 39  # no step from one id to the next
    ones = sum(bin(n).count("1") for n in numbers) / (128 * len(numbers))
    assert 0.45 < ones < 0.55  # 5,120 bits: a fair coin's share of ones is within 0.5 ± 0.02 (3σ)


def test_the_store_keeps_only_a_hash_of_the_owner_key(store):
    saved = store.save("m", model_doc(), client="198.51.100.1")
    with store.engine.connect() as conn:
        row = conn.execute(select(saved_models).where(saved_models.c.id == saved.id)).mappings().one()
    assert saved.owner_key not in json.dumps({k: str(v) for k, v in row.items()})
    assert "198.51.100.1" not in str(row["client"])
    assert store.get(saved.id).owner_key is None and "owner_key" not in saved.summary()


def test_delete_needs_the_models_own_key(store):
    a, b = store.save("a", model_doc()), store.save("b", model_doc())
    for key in (None, "", b.owner_key, a.owner_key[:-1] + ("A" if a.owner_key[-1] != "A" else "B")):
        with pytest.raises(NotOwner):
            store.delete(a.id, key)
    store.delete(a.id, a.owner_key)
    assert [m.id for m in store.page().items] == [b.id]


# --- REST ----------------------------------------------------------------------------------------

def test_rest_delete_without_or_with_a_wrong_key_is_403_and_with_the_key_204(database_url):
    owner, other = clients(database_url)
    with owner, other:
        created = owner.post("/api/models", json=BODY)
        assert created.status_code == 201
        model_id, key = created.json()["id"], created.json()["owner_key"]
        assert created.headers["location"].endswith(f"/api/models/{model_id}") and len(key) == 22
        assert other.delete(f"/api/models/{model_id}").status_code == 403
        assert other.delete(f"/api/models/{model_id}", headers={"X-Owner-Key": "x" * 22}).status_code == 403
        assert owner.get(f"/api/models/{model_id}").status_code == 200
        assert other.delete(f"/api/models/{model_id}", headers={"X-Owner-Key": key}).status_code == 204
        assert owner.get(f"/api/models/{model_id}").status_code == 404
        assert owner.delete(f"/api/models/{model_id}", headers={"X-Owner-Key": key}).status_code == 404


def test_an_import_answers_with_an_owner_key_too(database_url):
    owner, _ = clients(database_url)
    with owner:
        files = {"file": ("m.json", json.dumps(model_doc((2, 2))).encode(), "application/json")}
        created = owner.post("/api/models/import", files=files).json()
        assert owner.delete(f"/api/models/{created['id']}").status_code == 403
        assert owner.delete(f"/api/models/{created['id']}",
                            headers={"X-Owner-Key": created["owner_key"]}).status_code == 204


def test_a_hosted_list_shows_only_the_callers_models(database_url):
    alice, bob = clients(database_url, mode="hosted")
    with alice, bob:
        mine = [alice.post("/api/models", json={**BODY, "name": f"a{i}"}).json() for i in range(3)]
        theirs = bob.post("/api/models", json={**BODY, "name": "b"}).json()
        keys = ", ".join(m["owner_key"] for m in mine)
        listed = alice.get("/api/models", headers={"X-Owner-Keys": keys}).json()
        assert [m["id"] for m in listed["items"]] == [m["id"] for m in reversed(mine)] and listed["total"] == 3
        assert all("owner_key" not in m for m in listed["items"])
        assert alice.get("/api/models").json() == {"items": [], "total": 0, "limit": 20, "offset": 0}
        assert [m["id"] for m in bob.get("/api/models", headers={"X-Owner-Keys": theirs["owner_key"]})
                .json()["items"]] == [theirs["id"]]
        too_many = alice.get("/api/models", headers={"X-Owner-Keys": ",".join(["k"] * 201)})
        assert too_many.status_code == 422 and too_many.json()["detail"][0]["field"] == "x-owner-keys"


def test_a_shared_link_works_read_only_for_anyone_who_has_the_id(database_url):
    alice, bob = clients(database_url, mode="hosted")
    with alice, bob:
        shared = alice.post("/api/models", json=BODY).json()
        url = f"/api/models/{shared['id']}"
        assert bob.get(url).json()["model"]["W"] == BODY["model"]["W"]
        assert bob.post(f"{url}/predict", json={"inputs": [[1, 0]]}).status_code == 200
        assert bob.get(f"{url}/export?format=safetensors").status_code == 200
        assert bob.delete(url).status_code == 403


def test_a_local_list_shows_every_model(database_url):
    alice, bob = clients(database_url)
    with alice, bob:
        ids = {alice.post("/api/models", json=BODY).json()["id"], bob.post("/api/models", json=BODY).json()["id"]}
        assert {m["id"] for m in bob.get("/api/models", headers={"X-Owner-Keys": "whatever"}).json()["items"]} == ids


def test_the_save_quota_is_per_client_and_a_429_with_retry_after(database_url):
    alice, bob = clients(database_url, save_quota=2)
    with alice, bob:
        first = alice.post("/api/models", json=BODY).json()
        assert alice.post("/api/models", json=BODY).status_code == 201
        refused = alice.post("/api/models", json=BODY)
        assert refused.status_code == 429 and 3500 <= int(refused.headers["retry-after"]) <= 3600
        files = {"file": ("m.json", json.dumps(model_doc((2, 2))).encode(), "application/json")}
        assert alice.post("/api/models/import", files=files).status_code == 429
        assert bob.post("/api/models", json=BODY).status_code == 201  # another address has its own quota
        # A deleted model gives its place back.
        owner = {"X-Owner-Key": first["owner_key"]}
        assert alice.delete(f"/api/models/{first['id']}", headers=owner).status_code == 204
        assert alice.post("/api/models", json=BODY).status_code == 201


def test_the_quota_counts_the_last_hour_only(store):
    store.save("a", model_doc(), client="c", quota=1)
    with pytest.raises(QuotaExceeded) as e:
        store.save("b", model_doc(), client="c", quota=1)
    assert 3590 < e.value.retry_after <= 3600
    with store.engine.begin() as conn:  # an hour and a minute later, as far as the quota can tell
        an_hour_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=61)
        conn.execute(saved_models.update().values(created_at=an_hour_ago))
    store.save("b", model_doc(), client="c", quota=1)
    assert store.count() == 2


# --- the socket ----------------------------------------------------------------------------------

@pytest.mark.parametrize("transport_kind", ["testclient", "uvicorn"])
def test_socket_saves_answer_an_owner_key_and_share_the_rest_quota(transport_kind, tmp_path):
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}", save_quota=2))
    transport = Transport(transport_kind, app)
    try:
        conn = transport.open()
        conn.recv_type("hello")
        conn.send_json({"type": "configure"})
        conn.recv_type("frame")
        conn.send_json({"type": "save", "run": "a"})
        saved = conn.recv_type("saved")
        key = saved["owner_key"]
        address = "testclient" if transport_kind == "testclient" else "127.0.0.1"  # the socket's, as the app sees it
        with TestClient(app, client=(address, 5000)) as rest:
            assert rest.post("/api/models", json=BODY).status_code == 201
            conn.send_json({"type": "save", "run": "b"})
            error = conn.recv_type("error")
            assert (error["code"], error["in_reply_to"]) == ("quota_exceeded", {"type": "save", "run": "b"})
            conn.send_json({"type": "step", "count": 1})
            assert conn.recv_type("state")["step"] == 1  # the session goes on
            url = f"/api/models/{saved['model']['id']}"
            assert rest.delete(url, headers={"X-Owner-Key": key}).status_code == 204
    finally:
        transport.close()


# --- an old database -----------------------------------------------------------------------------

def _schema_1(database_url: str, documents: list[dict]) -> None:
    """A database as schema 1 wrote it: integer ids, no owner or client columns."""
    engine = create_engine(normalize_url(database_url))
    old = MetaData()
    version = Table("schema_version", old, Column("id", Integer, primary_key=True, autoincrement=False),
                    Column("version", Integer, nullable=False))
    models = Table(
        "saved_models", old,
        Column("id", Integer, primary_key=True, autoincrement=True), Column("name", String(1000), nullable=False),
        Column("created_at", DateTime, nullable=False, index=True), Column("source", String(32), nullable=False),
        Column("kind", String(64)), Column("layer_sizes", Text, nullable=False),
        Column("hidden_activation", String(32)), Column("output_activation", String(32), nullable=False),
        Column("loss", String(32), nullable=False), Column("parameter_count", Integer, nullable=False),
        Column("class_names", Text), Column("document", Text, nullable=False), sqlite_autoincrement=True)
    with engine.begin() as conn:
        old.create_all(conn)
        conn.execute(version.insert().values(id=1, version=1))
        for i, doc in enumerate(documents):
            conn.execute(models.insert().values(
                name=f"old {i}", created_at=dt.datetime(2025, 1, 1, 12, i), source="api", kind="softmax_ce",
                layer_sizes=json.dumps(doc["layer_sizes"]), hidden_activation=doc["hidden_activation"],
                output_activation=doc["output_activation"], loss=doc["loss"], parameter_count=6,
                class_names=json.dumps(["x", "y"]) if i == 0 else None, document=json.dumps(doc)))
    engine.dispose()


def test_a_schema_1_database_still_opens_with_its_models_and_their_links(database_url, store):
    documents = [model_doc((2, 2), seed=i) for i in range(3)]
    _schema_1(database_url, documents)

    assert store.migrate() == SCHEMA_VERSION == 2
    old = store.get("2")  # the number an old link carries
    assert old.name == "old 1" and same_bits(old.document, documents[1])
    assert old.created_at == dt.datetime(2025, 1, 1, 12, 1, tzinfo=dt.timezone.utc)
    assert store.get("1").class_names == ["x", "y"]
    new = store.save("new", model_doc(), client="c", quota=5)
    assert [m.id for m in store.page().items] == [new.id, "3", "2", "1"]
    with store.engine.connect() as conn:
        assert conn.execute(select(schema_version.c.version)).scalars().all() == [2]
    with pytest.raises(NotOwner):  # saved before owner keys: nobody holds one
        store.delete("3", None)
    store.delete("3", None, unowned_ok=True)  # a laptop's own old models stay deletable
    assert ModelStore(database_url).migrate() == 2 and store.count() == 3


@pytest.mark.parametrize("quota", [0, 5])
def test_the_quotas_429_is_in_the_schema_only_where_it_can_happen(quota):
    with TestClient(create_app(make_settings(database_url="sqlite://", save_quota=quota))) as client:
        paths = client.get("/openapi.json").json()["paths"]
    documented = {(path, method) for path, item in paths.items() for method, op in item.items()
                  if "429" in op["responses"]}
    assert documented == ({("/api/models", "post"), ("/api/models/import", "post")} if quota else set())
    assert "403" in paths["/api/models/{model_id}"]["delete"]["responses"]
