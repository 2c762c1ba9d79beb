"""What can go wrong with the model store, as exceptions the REST layer and the socket turn into answers."""

from __future__ import annotations


class StoreError(Exception):
    """Anything the model store refuses or cannot do; `message` is a sentence for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StoreConfigError(StoreError):
    """The database URL cannot be used (wrong form, unsupported database, missing driver)."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or opened right now (HTTP 503)."""


class SchemaTooNew(StoreError):
    """The database was written by a newer version of Backprop Lab."""


class InvalidModel(StoreError):
    """The name, document or class names cannot be saved; `loc` points at the field (HTTP 422)."""

    def __init__(self, loc: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.loc = loc


class ModelNotFound(StoreError):
    """No saved model has this id (HTTP 404)."""

    def __init__(self, model_id: object):
        super().__init__(f"there is no saved model with id {model_id}")
        self.model_id = model_id


class StoreFull(StoreError):
    """The store holds its maximum number of models (HTTP 507)."""


class NotOwner(StoreError):
    """The owner key is missing or is not this model's (HTTP 403)."""


class QuotaExceeded(StoreError):
    """This client saved as many models as the quota allows for now (HTTP 429); `retry_after` in seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after
