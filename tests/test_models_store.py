"""The model store itself, against SQLite and a real PostgreSQL server: what it keeps, how it refuses,
concurrency, and the schema's versioning."""

from __future__ import annotations

import datetime as dt
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, inspect, select

import app.store.database as database
from app.store import (SCHEMA_VERSION, InvalidModel, ModelNotFound, ModelStore, SchemaTooNew, StoreConfigError,
                       StoreFull, StoreUnavailable, normalize_url)
from app.store.database import saved_models, schema_version
from models_support import model_doc, same_bits


@pytest.fixture
def open_store(database_url):
    """ModelStore(database_url, **options), closed after the test."""
    opened = []

    def open_(url=None, **options):
        opened.append(ModelStore(url or database_url, **options))
        return opened[-1]

    yield open_
    for s in opened:
        s.close()


@pytest.fixture
def store(open_store):
    return open_store()


def test_a_saved_model_comes_back_bit_for_bit_with_its_summary(store):
    doc = model_doc((2, 5, 3), "softmax_ce", "tanh", seed=4)
    doc["W"][0][0][0] = -0.0
    doc["W"][0][1][1] = 5e-324  # the smallest subnormal
    doc["b"][1][2] = 1.7976931348623157e308
    doc["b"][0][0] = 0.1 + 0.2
    before = dt.datetime.now(dt.timezone.utc)
    saved = store.save("  tanh net ", doc, source="cli", class_names=["a", "b", "c"])
    after = dt.datetime.now(dt.timezone.utc)

    assert len(saved.id) == 22 and saved.name == "tanh net" and saved.source == "cli"
    assert before <= saved.created_at <= after and saved.created_at.tzinfo is not None
    got = store.get(saved.id)
    assert same_bits(got.document, doc) and got.document == doc
    assert str(got.document["W"][0][0][0]) == "-0.0"
    assert got.summary() == saved.summary()
    assert (got.layer_sizes, got.hidden_activation, got.output_activation, got.loss, got.kind) == \
           ([2, 5, 3], "tanh", "softmax", "cross_entropy", "softmax_ce")
    assert got.parameter_count == 3 * 5 + 6 * 3
    assert got.class_names == ["a", "b", "c"]
    as_json = saved.as_json()
    assert dt.datetime.fromisoformat(as_json["created_at"]) == saved.created_at and as_json["created_at"].endswith("Z")
    assert json.loads(json.dumps(as_json))["name"] == "tanh net"


def test_a_document_without_hidden_layers_and_every_kind_is_summarised(store):
    for kind in ("sigmoid_mse", "sigmoid_bce", "softmax_ce", "softmax_mse"):
        saved = store.save(kind, model_doc((2, 2), kind))
        assert saved.kind == kind and saved.hidden_activation is None
    linear = model_doc((3, 1), "sigmoid_mse")
    linear["output_activation"] = "linear"
    assert store.save("regression", linear).kind == "linear_mse"  # a regression set's run kind


def test_the_caller_may_name_the_run_kind_the_document_cannot_tell(store):
    doc = model_doc((2, 2), "softmax_mse")
    assert store.save("mistake", doc, source="socket", kind="softmax_mse_elementwise").kind == \
           "softmax_mse_elementwise"
    with pytest.raises(InvalidModel, match="sigmoid output") as e:
        store.save("x", doc, kind="sigmoid_bce")
    assert e.value.loc == ("kind",)
    with pytest.raises(InvalidModel, match="unknown run kind"):
        store.save("x", doc, kind="tanh_ce")


def test_a_pydantic_model_document_is_accepted(store):
    from app.web.schemas import ModelDocument

    doc = model_doc()
    assert store.get(store.save("p", ModelDocument(**doc)).id).document == doc


def test_pages_are_newest_first_with_the_total(store):
    ids = [store.save(f"m{i}", model_doc(seed=i)).id for i in range(7)]
    first = store.page(limit=3)
    assert first.total == 7 and [m.id for m in first.items] == ids[::-1][:3]
    assert all(m.document is None for m in first.items)
    assert [m.id for m in store.page(limit=3, offset=3).items] == ids[::-1][3:6]
    assert [m.id for m in store.page(limit=3, offset=6).items] == ids[:1]
    assert store.page(limit=3, offset=50).items == [] and store.page(limit=3, offset=50).total == 7


def test_delete_with_the_owner_key_removes_and_ids_are_never_reused(store):
    a, b = store.save("a", model_doc()), store.save("b", model_doc())
    store.delete(b.id, b.owner_key)
    with pytest.raises(ModelNotFound):
        store.get(b.id)
    with pytest.raises(ModelNotFound, match=f"no saved model with id {b.id}"):
        store.delete(b.id, b.owner_key)
    c = store.save("c", model_doc())
    assert c.id not in (a.id, b.id) and store.count() == 2
    assert [m.id for m in store.page().items] == [c.id, a.id]


@pytest.mark.parametrize("bad_id", [0, 1, "", "x" * 33, "a/b", "../1", True, None])
def test_ids_that_cannot_exist_are_not_found(store, bad_id):
    with pytest.raises(ModelNotFound):
        store.get(bad_id)
    with pytest.raises(ModelNotFound):
        store.delete(bad_id, "key")
    assert not store.exists(bad_id)


@pytest.mark.parametrize("name, message", [
    ("", "empty"), ("   ", "empty"), ("x" * 201, "at most 200"), ("two\nlines", "control"), (12, "text"),
])
def test_bad_names_are_refused(store, name, message):
    with pytest.raises(InvalidModel, match=message) as e:
        store.save(name, model_doc())
    assert e.value.loc == ("name",)
    assert store.count() == 0


def _broken(**changes):
    doc = model_doc()
    doc.update(changes)
    return doc


@pytest.mark.parametrize("document, loc", [
    ("not a dict", ("model",)),
    ({"layer_sizes": [2, 2]}, ("model", "output_activation")),
    (_broken(layer_sizes=[2]), ("model", "layer_sizes")),
    (_broken(layer_sizes=[2, 0, 2]), ("model", "layer_sizes")),
    (_broken(W=[[[1.0, 2.0]]]), ("model", "W")),
    (_broken(b=[[0.0, 0.0, 0.0], [0.0]]), ("model", "b", 1)),
    (_broken(hidden_activation="swish"), ("model", "hidden_activation")),
    (_broken(loss="cross_entropy", output_activation="sigmoid"), ("model", "loss")),
    (_broken(b=[[0.0, float("nan"), 0.0], [0.0, 0.0]]), ("model", "b", 0, 1)),
    (_broken(W=[[[float("inf"), 0.0]] * 3, [[0.0] * 3] * 2]), ("model", "W", 0, 0, 0)),
])
def test_documents_that_are_not_networks_are_refused(store, document, loc):
    with pytest.raises(InvalidModel) as e:
        store.save("x", document)
    assert e.value.loc == loc, e.value.message
    assert store.count() == 0


@pytest.mark.parametrize("names, message", [
    (["a"], "3 outputs and 1 names"), ("abc", "a list"), (["a", "", "c"], "1 to 100"), (["a", 2, "c"], "1 to 100"),
])
def test_bad_class_names_are_refused(store, names, message):
    with pytest.raises(InvalidModel, match=message):
        store.save("x", model_doc((2, 3)), class_names=names)


def test_bad_sources_are_refused(store):
    with pytest.raises(InvalidModel) as e:
        store.save("x", model_doc(), source="Not A Source!")
    assert e.value.loc == ("source",)


def test_a_full_store_refuses_more_until_one_is_deleted(open_store):
    store = open_store(max_models=2)
    first = store.save("a", model_doc())
    store.save("b", model_doc())
    with pytest.raises(StoreFull, match="holds 2 models"):
        store.save("c", model_doc())
    store.delete(first.id, first.owner_key)
    store.save("c", model_doc())
    assert store.count() == 2


def test_fifty_concurrent_saves_lose_nothing(store):
    barrier = threading.Barrier(50)

    def save(i: int):
        barrier.wait()
        return store.save(f"model {i}", model_doc(seed=i)).id

    with ThreadPoolExecutor(max_workers=50) as pool:
        ids = list(pool.map(save, range(50)))
    assert len(set(ids)) == 50 and store.count() == 50
    for i, model_id in enumerate(ids):
        got = store.get(model_id)
        assert got.name == f"model {i}" and same_bits(got.document, model_doc(seed=i))


def test_fifty_concurrent_saves_through_separate_stores_lose_nothing(open_store):
    """Like several server processes on one database: each store has its own engine and pool."""
    stores = [open_store() for _ in range(5)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        ids = list(pool.map(lambda i: stores[i % 5].save(f"m{i}", model_doc(seed=i)).id, range(50)))
    assert len(set(ids)) == 50 and stores[0].count() == 50
    times = [m.created_at for m in stores[0].page(limit=50).items]
    assert len(set(times)) == 50  # no two saves share a creation time: it orders them


def test_the_full_store_limit_holds_under_concurrency(open_store):
    store = open_store(max_models=10)

    def save(i):
        try:
            return store.save(f"m{i}", model_doc()).id
        except StoreFull:
            return None

    with ThreadPoolExecutor(max_workers=30) as pool:
        ids = [i for i in pool.map(save, range(30)) if i is not None]
    assert len(ids) == 10 and store.count() == 10


# --- the schema -----------------------------------------------------------------------------------

def test_the_schema_is_created_at_first_use_with_its_version(database_url, open_store):
    engine = create_engine(normalize_url(database_url))
    assert not inspect(engine).has_table("saved_models")
    store = open_store()
    assert not inspect(engine).has_table("saved_models")  # opening touches nothing
    assert store.migrate() == SCHEMA_VERSION
    assert store.migrate() == SCHEMA_VERSION  # again: nothing to do
    assert inspect(engine).has_table("saved_models")
    with engine.connect() as conn:
        assert conn.execute(select(schema_version.c.version)).scalars().all() == [SCHEMA_VERSION]
    assert open_store().migrate() == SCHEMA_VERSION  # a second server on the same database
    engine.dispose()


def test_models_survive_reopening_the_database(open_store):
    first = open_store()
    saved = first.save("kept", model_doc(seed=9))
    first.close()
    second = open_store()
    assert same_bits(second.get(saved.id).document, model_doc(seed=9))
    assert second.get(saved.id).created_at == saved.created_at


def test_an_older_schema_is_migrated_once(open_store, monkeypatch):
    open_store().save("old", model_doc())
    calls = []
    monkeypatch.setattr(database, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(database.MIGRATIONS, SCHEMA_VERSION, lambda conn: calls.append(conn.dialect.name))
    assert open_store().migrate() == SCHEMA_VERSION + 1
    assert open_store().migrate() == SCHEMA_VERSION + 1
    assert len(calls) == 1
    assert open_store().count() == 1


def test_a_schema_from_a_newer_version_is_refused(database_url, open_store):
    open_store().migrate()
    engine = create_engine(normalize_url(database_url))
    with engine.begin() as conn:
        conn.execute(schema_version.update().values(version=SCHEMA_VERSION + 5))
    engine.dispose()
    with pytest.raises(SchemaTooNew, match="newer Backprop Lab"):
        open_store().migrate()
    with pytest.raises(SchemaTooNew):
        open_store().count()


def test_concurrent_first_use_creates_the_schema_once(database_url, open_store):
    stores = [open_store() for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(lambda s: s.migrate(), stores)) == [SCHEMA_VERSION] * 6
    engine = create_engine(normalize_url(database_url))
    with engine.connect() as conn:
        assert conn.execute(select(schema_version.c.version)).scalars().all() == [SCHEMA_VERSION]
    engine.dispose()


def test_the_document_is_stored_as_json_text(store):
    saved = store.save("t", model_doc((2, 2)))
    with store.engine.connect() as conn:
        text = conn.execute(select(saved_models.c.document).where(saved_models.c.id == saved.id)).scalar_one()
    assert text.startswith('{"layer_sizes":[2,2]')


# --- URLs and unreachable databases (no server needed) -------------------------------------------

@pytest.mark.parametrize("url, driver", [
    ("postgresql://u@h/db", "postgresql+psycopg"),
    ("postgres://u:secret@h:5433/db", "postgresql+psycopg"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
    ("sqlite:///relative.db", "sqlite"),
    ("sqlite:////absolute/path.db", "sqlite"),
    ("sqlite://", "sqlite"),
])
def test_urls_in_sqlalchemy_form_are_accepted(url, driver):
    assert normalize_url(url).drivername == driver


def test_a_relative_sqlite_path_is_relative_to_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = ModelStore("sqlite:///here.db")
    store.save("x", model_doc())
    store.close()
    assert (tmp_path / "here.db").exists()


@pytest.mark.parametrize("url, message", [
    ("not a url", "not in SQLAlchemy's form"),
    ("mysql://u@h/db", "sqlite and postgresql only"),
])
def test_unusable_urls_are_refused_when_the_store_opens(url, message):
    with pytest.raises(StoreConfigError, match=message):
        ModelStore(url)


def test_an_unreachable_server_is_a_clear_error_that_hides_the_password():
    store = ModelStore("postgresql://someone:hunter2@127.0.0.1:1/nothing")
    with pytest.raises(StoreUnavailable, match="cannot be used") as e:
        store.count()
    assert "hunter2" not in e.value.message and "***" in e.value.message
    store.close()


def test_a_missing_folder_is_a_clear_error(tmp_path):
    store = ModelStore(f"sqlite:///{tmp_path}/no/such/folder/models.db")
    with pytest.raises(StoreUnavailable, match="unable to open database file"):
        store.save("x", model_doc())
    store.close()


def test_an_in_memory_database_is_shared_by_threads():
    store = ModelStore("sqlite://")
    with ThreadPoolExecutor(max_workers=10) as pool:
        ids = list(pool.map(lambda i: store.save(f"m{i}", model_doc()).id, range(20)))
    assert len(set(ids)) == 20 and store.count() == 20
    store.close()
