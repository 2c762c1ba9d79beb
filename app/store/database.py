"""The database under the model store: URLs, engines, the schema and its migrations.

Why SQLAlchemy (2.x, Core, synchronous) with psycopg 3:
- One code path for SQLite (the default: a file, nothing to install or run) and PostgreSQL (when
  BACKPROP_LAB_DATABASE_URL names one). SQLAlchemy writes the dialect differences (types, RETURNING,
  autoincrement, LIMIT/OFFSET) and owns the connection pools; its URL form is the one the setting uses.
- Core, not the ORM: one table of plain rows, read and written in short transactions. The ORM's
  identity map and sessions would add nothing but a second model of the same row.
- Synchronous: the REST endpoints are plain `def` functions, which FastAPI runs in its threadpool, so a
  blocking driver is the natural fit; the live socket code calls the store through `asyncio.to_thread`.
- psycopg 3 (`psycopg[binary]`): the maintained PostgreSQL driver, a wheel with libpq inside (no compiler,
  no system library). SQLAlchemy's own default for `postgresql://` is the older psycopg2, so plain
  `postgresql://` URLs are translated to `postgresql+psycopg://` here.

Concurrency:
- SQLite runs in WAL mode (readers never wait for the writer) with a 30 s busy timeout, and every
  transaction that writes starts with BEGIN IMMEDIATE, so concurrent saves queue for the write lock
  instead of failing with "database is locked" when a read lock cannot be upgraded.
- PostgreSQL: saves and migrations take a transaction-scoped advisory lock, so the model-count limit is
  exact and two servers starting at once do not both create the tables.

Schema: the tables below, plus `schema_version` (one row). `migrate()` runs at start: a fresh database gets
the current schema; an older one runs MIGRATIONS[v] for each version v it is behind; a newer one is refused
rather than misread. Alembic would be the tool for many migrations or
branches; one table with a version row does not need it (docs/models.md).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from typing import Callable

from sqlalchemy import (Column, DateTime, Index, Integer, MetaData, String, Table, Text, create_engine, event,
                        select, text)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from app.store.errors import SchemaTooNew, StoreConfigError

SCHEMA_VERSION = 2

SQLITE_BUSY_TIMEOUT_S = 30.0
# Key of the PostgreSQL advisory lock that serialises migrations and saves: any constant 64-bit number.
PG_LOCK_KEY = 0x6270_6C61_6273  # "bplabs"
WRITE = "backprop_lab_write"  # execution option marking a transaction that writes (SQLite: BEGIN IMMEDIATE)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out; stored as a plain timestamp holding UTC everywhere."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store times as aware datetimes")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1: one row
    Column("version", Integer, nullable=False),
)

MAX_ID_LENGTH = 32

saved_models = Table(
    "saved_models", metadata,
    # 128 random bits as URL-safe text (app/store/keys.py): a link to one model cannot be turned into a list of
    # all of them. Models saved under schema 1 keep their number as text, so their old links still work.
    Column("id", String(MAX_ID_LENGTH), primary_key=True),
    Column("name", String(1000), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("source", String(32), nullable=False),
    Column("kind", String(64)),  # the run kind (softmax_ce, ...) or NULL for other output layers
    Column("layer_sizes", Text, nullable=False),  # JSON list, e.g. [2,8,2]
    Column("hidden_activation", String(32)),
    Column("output_activation", String(32), nullable=False),
    Column("loss", String(32), nullable=False),
    Column("parameter_count", Integer, nullable=False),
    Column("class_names", Text),  # JSON list of strings, or NULL
    # The model document as JSON text: Python writes each float as its shortest repr, which reads back
    # to the same bits, so the weights round-trip exactly through any database that stores text.
    Column("document", Text, nullable=False),
    # SHA-256 of the owner key that deleting needs (the key itself is only ever in the save's answer);
    # NULL for models saved before keys existed.
    Column("owner_key_hash", String(64)),
    # Who saved it, for the per-client save quota: a hash of the client's address, NULL when unknown.
    Column("client", String(64)),
    Index("ix_saved_models_client_created_at", "client", "created_at"),
)


def _ids_become_text(conn: Connection) -> None:
    """Schema 1 -> 2: integer ids become text ids (old ones keep their number, as text); owner and client columns.
    Column types cannot be changed in place in SQLite, so the table is rebuilt: renamed, copied, dropped."""
    conn.execute(text("DROP INDEX IF EXISTS ix_saved_models_created_at"))  # index names are global: free it
    conn.execute(text("ALTER TABLE saved_models RENAME TO saved_models_v1"))
    if conn.dialect.name == "postgresql":  # the primary key's index keeps its name too
        conn.execute(text("ALTER TABLE saved_models_v1 RENAME CONSTRAINT saved_models_pkey TO saved_models_v1_pkey"))
    saved_models.create(conn)
    kept = ", ".join(c.name for c in saved_models.c if c.name not in ("id", "owner_key_hash", "client"))
    conn.execute(text(f"INSERT INTO saved_models (id, {kept}) "
                      f"SELECT CAST(id AS VARCHAR({MAX_ID_LENGTH})), {kept} FROM saved_models_v1"))
    conn.execute(text("DROP TABLE saved_models_v1"))


# MIGRATIONS[v](conn) turns a version-v database into version v + 1, inside the migration transaction.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _ids_become_text}


def normalize_url(raw: str) -> URL:
    """The URL SQLAlchemy should open: postgresql:// goes through psycopg 3; only SQLite and PostgreSQL."""
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise StoreConfigError(
            f"the database URL {raw!r} is not in SQLAlchemy's form: use sqlite:///relative.db, "
            f"sqlite:////absolute/path.db or postgresql://user@host:port/dbname") from None
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        return url.set(drivername=f"postgresql+{driver or 'psycopg'}")
    if backend == "sqlite":
        return url
    raise StoreConfigError(f"the database URL names {backend!r}; the model store works with sqlite and "
                           f"postgresql only")


def is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        if is_memory_sqlite(url):
            # One shared connection, or each connection would see its own empty database.
            engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            engine = create_engine(url, pool_size=5, max_overflow=10, pool_timeout=60, connect_args={
                "check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S})
        _take_over_sqlite_transactions(engine, wal=not is_memory_sqlite(url))
        return engine
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=60)
    except ModuleNotFoundError as e:
        raise StoreConfigError(f"the database URL needs the Python package {e.name!r}, which is not installed; "
                               f"plain postgresql:// URLs use psycopg 3, which Backprop Lab installs") from None


def _take_over_sqlite_transactions(engine: Engine, wal: bool) -> None:
    """SQLAlchemy's documented recipe: pysqlite's own implicit BEGIN is switched off and we emit BEGIN
    ourselves, so DDL is transactional and writers can ask for the write lock up front."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        if wal:
            _use_wal(cursor)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def _use_wal(cursor) -> None:
    """Switch the file to WAL mode, which it then keeps. Only the first connections to a new file switch it,
    and when several do so at once the switch can fail with "database is locked" without waiting for the
    busy timeout: try again for a while."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def lock_for_writing(conn: Connection) -> None:
    """PostgreSQL: wait for the store's advisory lock, held until this transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})


def migrate(conn: Connection) -> int:
    """Create or upgrade the schema inside the caller's write transaction; returns the version now in place."""
    lock_for_writing(conn)
    dialect = conn.dialect
    has_version_table = dialect.has_table(conn, schema_version.name)
    version = conn.execute(select(schema_version.c.version)).scalar() if has_version_table else None
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaTooNew(f"the database holds schema version {version}, written by a newer Backprop Lab; "
                           f"this one knows versions up to {SCHEMA_VERSION}: upgrade Backprop Lab")
    if version is not None:
        for v in range(version, SCHEMA_VERSION):
            MIGRATIONS[v](conn)
    metadata.create_all(conn)  # creates only what is missing
    if version is None:
        conn.execute(schema_version.insert().values(id=1, version=SCHEMA_VERSION))
    elif version != SCHEMA_VERSION:
        conn.execute(schema_version.update().values(version=SCHEMA_VERSION))
    return SCHEMA_VERSION
