"""Saved models: a real database (SQLite by default, PostgreSQL by URL) behind one small API.

`ModelStore.save(name, document, source=...)` is what the REST API (app/web/routers/models.py) and the
live socket call; see docs/models.md.
"""

from app.store.database import SCHEMA_VERSION, normalize_url
from app.store.errors import (InvalidModel, ModelNotFound, NotOwner, QuotaExceeded, SchemaTooNew, StoreConfigError,
                              StoreError, StoreFull, StoreUnavailable)
from app.store.keys import possible_id
from app.store.store import ModelStore, Page, SavedModel, check_document

__all__ = [
    "SCHEMA_VERSION", "InvalidModel", "ModelNotFound", "ModelStore", "NotOwner", "Page", "QuotaExceeded", "SavedModel",
    "SchemaTooNew", "StoreConfigError", "StoreError", "StoreFull", "StoreUnavailable", "check_document",
    "normalize_url", "possible_id",
]
