"""Saved models kept loaded for predict, so a request does not read and rebuild the network every time.

A saved model never changes (a new save gets a new id), so a loaded network stays right until the model
is deleted. This process forgets a model it deletes at once; one deleted by another worker process is
noticed within RECHECK_SECONDS, when the entry is checked against the database again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from app.nn import Network, from_document
from app.store import ModelStore, SavedModel

CAPACITY = 256
RECHECK_SECONDS = 2.0


@dataclass
class LoadedModel:
    net: Network
    record: SavedModel  # the summary: layer sizes, class names
    checked_at: float


class LoadedModels:
    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self._entries: OrderedDict[str, LoadedModel] = OrderedDict()

    def cached(self, model_id: str) -> LoadedModel | None:
        """The loaded model if it was checked recently enough to trust without the database, else None."""
        entry = self._entries.get(model_id)
        if entry is None or time.monotonic() - entry.checked_at > RECHECK_SECONDS:
            return None
        self._entries.move_to_end(model_id)
        return entry

    def load(self, store: ModelStore, model_id: str) -> LoadedModel:
        """Blocking (database): check or read the model, keep it loaded. ModelNotFound if it is gone."""
        entry = self._entries.get(model_id)
        if entry is not None and store.exists(model_id):
            entry.checked_at = time.monotonic()
        else:
            record = store.get(model_id)
            entry = LoadedModel(from_document(record.document), record, time.monotonic())
        self._entries[model_id] = entry
        self._entries.move_to_end(model_id)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        return entry

    def forget(self, model_id: str) -> None:
        self._entries.pop(model_id, None)
