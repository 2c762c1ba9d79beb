"""Problems with a model file, pointing at the part of the file to fix."""

from __future__ import annotations

from app.nn import ModelError


class FormatError(ModelError):
    """A file that is not a model Backprop Lab can read; `loc` is the place in the file (HTTP 422)."""
