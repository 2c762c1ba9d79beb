"""ModelStore: save, list, fetch and delete networks, each as its model document plus a few summary columns.

    store = ModelStore("sqlite:///backprop-lab.db")
    record = store.save("xor, 4 hidden", to_document(net), source="socket", kind="softmax_ce")
    store.get(record.id).document == to_document(net)   # bit for bit
    store.delete(record.id, record.owner_key)           # the key is in the save's answer, and only there

Every method is synchronous and thread-safe (call it from a worker thread in async code). Each one is a
short transaction of its own. The schema is created or migrated by `migrate()`, which the first call
runs by itself if nobody called it before; `backprop-lab serve` calls it at start so a wrong URL fails
there, while apps built by tests that never save a model never touch the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, true
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.export import to_json
from app.nn import RUN_KINDS, ModelError, check_model, parameter_count, to_document
from app.spec import unicode_text
from app.store.database import (WRITE, is_memory_sqlite, lock_for_writing, make_engine, migrate,
                                normalize_url, saved_models)
from app.store.errors import InvalidModel, ModelNotFound, NotOwner, QuotaExceeded, StoreFull, StoreUnavailable
from app.store.keys import client_hash, key_hash, key_matches, new_id, new_owner_key, possible_id

SOURCE_PATTERN = re.compile(r"[a-z][a-z0-9_-]{0,31}")  # api, import, socket, dashboard, cli, ...
MAX_CLASS_NAME = 100
QUOTA_WINDOW = dt.timedelta(hours=1)  # a client's quota counts the models it saved in the last hour (and kept)
TICK = dt.timedelta(microseconds=1)

SUMMARY_COLUMNS = [c for c in saved_models.c if c.name not in ("document", "owner_key_hash", "client")]


@dataclass(frozen=True)
class SavedModel:
    """One saved model. `document` is None in listings, which carry only the summary; `owner_key` is set only
    on the record `save` returns (the store keeps its hash)."""

    id: str
    name: str
    created_at: dt.datetime  # aware, UTC
    source: str
    kind: str | None
    layer_sizes: list[int]
    hidden_activation: str | None
    output_activation: str
    loss: str
    parameter_count: int
    class_names: list[str] | None = None
    document: dict[str, Any] | None = field(default=None, repr=False)
    owner_key: str | None = field(default=None, repr=False)

    def summary(self) -> dict[str, Any]:
        """Everything but the weights, as plain values (created_at stays a datetime)."""
        return {k: getattr(self, k) for k in (
            "id", "name", "created_at", "source", "kind", "layer_sizes", "hidden_activation",
            "output_activation", "loss", "parameter_count", "class_names")}

    def as_json(self) -> dict[str, Any]:
        """The summary ready for json.dumps (a socket message): created_at as ISO 8601 text ending in Z."""
        return {**self.summary(), "created_at": self.created_at.isoformat().replace("+00:00", "Z")}


@dataclass(frozen=True)
class Page:
    items: list[SavedModel]
    total: int
    limit: int
    offset: int


def check_document(document: Any) -> dict[str, Any]:
    """The model document in canonical form (every number a float64), or InvalidModel saying what is wrong.

    check_model (app/nn/model_doc.py) decides, as for every way a model comes in. Accepts a dict as
    `to_document` writes it, or a pydantic model with `model_dump()` (ModelDocument).
    """
    try:
        return to_document(check_model(document))
    except ModelError as e:
        raise InvalidModel(e.loc, e.message) from None


class ModelStore:
    def __init__(self, url: str, *, max_models: int = 10_000, max_name_length: int = 200):
        self.url = normalize_url(url)
        self.max_models = max_models
        self.max_name_length = max_name_length
        self.engine = make_engine(self.url)
        # An in-memory SQLite database is one shared connection: one transaction at a time.
        self._serial = threading.RLock() if is_memory_sqlite(self.url) else None
        self._migrated = False
        self._version: int | None = None
        self._migrate_lock = threading.Lock()

    @property
    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    def __repr__(self) -> str:
        return f"ModelStore({self.display_url!r})"

    # --- connections ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self, write: bool) -> Iterator[Connection]:
        if not self._migrated:
            self.migrate()
        with self._db_errors(), (self._serial or contextlib.nullcontext()):
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(**{WRITE: True})
                with conn.begin():
                    yield conn

    @contextlib.contextmanager
    def _db_errors(self) -> Iterator[None]:
        try:
            yield
        except (DBAPIError, SQLAlchemyError) as e:
            orig = getattr(e, "orig", None) or e
            reason = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
            raise StoreUnavailable(f"the model database ({self.display_url}) cannot be used: {reason}") from e

    def migrate(self) -> int:
        """Create the tables or bring them to the current schema version; safe to call again."""
        with self._migrate_lock:
            if self._migrated:
                return self._version
            with self._db_errors(), (self._serial or contextlib.nullcontext()):
                with self.engine.connect() as conn:
                    conn.execution_options(**{WRITE: True})
                    with conn.begin():
                        self._version = migrate(conn)
            self._migrated = True
            return self._version

    def close(self) -> None:
        self.engine.dispose()

    # --- the API ------------------------------------------------------------------------------

    def save(self, name: str, document: Any, *, source: str = "api", kind: str | None = None,
             class_names: Sequence[str] | None = None, client: str | None = None, quota: int = 0) -> SavedModel:
        """Store a copy of the model under `name`; returns the record with its new id, creation time and owner key.

        `document` is a model document (dict or ModelDocument); `kind` names the run kind when the caller
        knows it (e.g. softmax_mse_elementwise, which the document alone cannot tell from softmax_mse);
        `class_names`, one per output unit, label predictions. `client` (an address) with `quota` > 0 allows that
        client at most `quota` models saved in the last hour and still kept. Raises InvalidModel (its loc starts
        with "name", "model", "class_names", "kind" or "source"), QuotaExceeded, StoreFull or StoreUnavailable.
        """
        name = self._check_name(name)
        try:
            doc = check_document(document)
        except InvalidModel as e:
            raise InvalidModel(("model", *e.loc), e.message) from None
        if not isinstance(source, str) or not SOURCE_PATTERN.fullmatch(source):
            raise InvalidModel(("source",), "source is a short lower-case word such as api, socket or cli")
        kind = self._check_kind(kind, doc)
        names = self._check_class_names(class_names, doc["layer_sizes"][-1])
        sizes = doc["layer_sizes"]
        owner_key = new_owner_key()
        row = {
            "id": new_id(),
            "name": name,
            "source": source,
            "kind": kind,
            "layer_sizes": json.dumps(sizes),
            "hidden_activation": doc["hidden_activation"],
            "output_activation": doc["output_activation"],
            "loss": doc["loss"],
            "parameter_count": parameter_count(sizes),
            "class_names": None if names is None else json.dumps(names, ensure_ascii=False),
            "document": to_json(doc).decode(),
            "owner_key_hash": key_hash(owner_key),
            "client": None if client is None else client_hash(client),
        }
        with self._transaction(write=True) as conn:
            lock_for_writing(conn)
            now = dt.datetime.now(dt.timezone.utc)
            if quota > 0 and client is not None:
                self._check_quota(conn, row["client"], quota, now)
            count = conn.execute(select(func.count()).select_from(saved_models)).scalar_one()
            if count >= self.max_models:
                raise StoreFull(f"the model store is full: it holds {count:,} models, the most it keeps; "
                                f"delete some before saving more")
            # Under the write lock and strictly after the latest, so creation times order the saves (ids cannot).
            latest = conn.execute(select(func.max(saved_models.c.created_at))).scalar()
            row["created_at"] = now if latest is None or now > latest else latest + TICK
            conn.execute(saved_models.insert().values(**row))
        return _record(row, with_document=False, document=doc, owner_key=owner_key)

    @staticmethod
    def _check_quota(conn: Connection, client: str, quota: int, now: dt.datetime) -> None:
        recent = (saved_models.c.client == client) & (saved_models.c.created_at > now - QUOTA_WINDOW)
        count, oldest = conn.execute(select(func.count(), func.min(saved_models.c.created_at)).where(recent)).one()
        if count >= quota:
            retry_after = max(1.0, (oldest + QUOTA_WINDOW - now).total_seconds())
            raise QuotaExceeded(f"one client may save {quota} models an hour; try again in "
                                f"{math.ceil(retry_after / 60)} min, or delete some of yours", retry_after)

    def get(self, model_id: str) -> SavedModel:
        """The saved model with its document; ModelNotFound if there is none."""
        if not possible_id(model_id):
            raise ModelNotFound(model_id)
        with self._transaction(write=False) as conn:
            row = conn.execute(select(saved_models).where(saved_models.c.id == model_id)).mappings().first()
        if row is None:
            raise ModelNotFound(model_id)
        return _record(row, with_document=True)

    def exists(self, model_id: str) -> bool:
        """Whether a model with this id is saved: one indexed lookup, without reading the weights."""
        if not possible_id(model_id):
            return False
        with self._transaction(write=False) as conn:
            return conn.execute(select(saved_models.c.id).where(saved_models.c.id == model_id)).first() is not None

    def page(self, *, limit: int = 20, offset: int = 0, owner_keys: Sequence[str] | None = None) -> Page:
        """Newest first: `limit` summaries (no weights) after skipping `offset`, and the total count. With
        `owner_keys`, only the models those keys own."""
        if limit < 1 or offset < 0:
            raise ValueError("limit must be 1 or more and offset 0 or more")
        where = true() if owner_keys is None else saved_models.c.owner_key_hash.in_([key_hash(k) for k in owner_keys])
        query = (select(*SUMMARY_COLUMNS).where(where)
                 .order_by(saved_models.c.created_at.desc(), saved_models.c.id.desc()).limit(limit).offset(offset))
        with self._transaction(write=False) as conn:
            total = conn.execute(select(func.count()).select_from(saved_models).where(where)).scalar_one()
            rows = conn.execute(query).mappings().all()
        return Page([_record(r, with_document=False) for r in rows], total, limit, offset)

    def count(self) -> int:
        with self._transaction(write=False) as conn:
            return conn.execute(select(func.count()).select_from(saved_models)).scalar_one()

    def delete(self, model_id: str, owner_key: str | None, *, unowned_ok: bool = False) -> None:
        """Remove a saved model: ModelNotFound if there is none, NotOwner unless `owner_key` is its key. A model
        saved before keys existed has none: `unowned_ok` lets anyone delete it (a laptop), else nobody may."""
        if not possible_id(model_id):
            raise ModelNotFound(model_id)
        with self._transaction(write=True) as conn:
            found = conn.execute(select(saved_models.c.owner_key_hash).where(saved_models.c.id == model_id)).first()
            if found is None:
                raise ModelNotFound(model_id)
            if not (key_matches(owner_key, found.owner_key_hash) or (unowned_ok and found.owner_key_hash is None)):
                raise NotOwner("deleting a model needs the owner key its save answered with (header X-Owner-Key)")
            conn.execute(delete(saved_models).where(saved_models.c.id == model_id))

    # --- checks -------------------------------------------------------------------------------

    def _check_name(self, name: Any) -> str:
        if not isinstance(name, str):
            raise InvalidModel(("name",), "name must be text")
        name = name.strip()
        if not name:
            raise InvalidModel(("name",), "give the model a name (it is empty)")
        if len(name) > self.max_name_length:
            raise InvalidModel(("name",), f"a name has at most {self.max_name_length} characters; "
                                          f"this one has {len(name)}")
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
            raise InvalidModel(("name",), "a name cannot hold control characters such as newlines or tabs")
        try:
            unicode_text(name)  # a lone surrogate from a JSON escape, which the database cannot encode
        except ValueError as e:
            raise InvalidModel(("name",), str(e)) from None
        return name

    @staticmethod
    def _check_kind(kind: str | None, doc: dict[str, Any]) -> str | None:
        pairing = (doc["output_activation"], doc["loss"])
        if kind is None:  # the right kind of the pairing: a document cannot say it was trained under a mistake
            return next((k for k, v in RUN_KINDS.items() if (v.activation, v.loss) == pairing and not v.mistake), None)
        if kind not in RUN_KINDS:
            raise InvalidModel(("kind",), f"unknown run kind {kind!r}; allowed: {', '.join(RUN_KINDS)}")
        spec = RUN_KINDS[kind]
        if (spec.activation, spec.loss) != pairing:
            raise InvalidModel(("kind",), f"run kind {kind} has a {spec.activation} output with "
                                          f"{spec.loss}, but the model has {pairing[0]} with {pairing[1]}")
        return kind

    @staticmethod
    def _check_class_names(names: Sequence[str] | None, n_out: int) -> list[str] | None:
        if names is None:
            return None
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise InvalidModel(("class_names",), "class_names is a list of names, one per output unit")
        names = list(names)
        if len(names) != n_out:
            raise InvalidModel(("class_names",), f"class_names needs one name per output unit: the model has "
                                                 f"{n_out} outputs and {len(names)} names were given")
        for i, n in enumerate(names):
            if not isinstance(n, str) or not n or len(n) > MAX_CLASS_NAME:
                raise InvalidModel(("class_names", i), f"each class name is text of 1 to {MAX_CLASS_NAME} characters")
            try:
                unicode_text(n)
            except ValueError as e:
                raise InvalidModel(("class_names", i), str(e)) from None
        return names


def _record(row: Mapping[str, Any] | RowMapping, *, with_document: bool,
            document: dict[str, Any] | None = None, owner_key: str | None = None) -> SavedModel:
    created = row["created_at"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.timezone.utc)
    if with_document:
        document = json.loads(row["document"])
    return SavedModel(
        id=row["id"], name=row["name"], created_at=created, source=row["source"], kind=row["kind"],
        layer_sizes=json.loads(row["layer_sizes"]), hidden_activation=row["hidden_activation"],
        output_activation=row["output_activation"], loss=row["loss"], parameter_count=int(row["parameter_count"]),
        class_names=None if row["class_names"] is None else json.loads(row["class_names"]),
        document=document, owner_key=owner_key,
    )
