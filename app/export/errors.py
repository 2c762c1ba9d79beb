"""Problems with a model file, pointing at the part of the file to fix."""

from __future__ import annotations


class FormatError(ValueError):
    """A file that is not a model Backprop Lab can read; `loc` is the place in the file (HTTP 422)."""

    def __init__(self, loc: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


class ExportUnavailable(RuntimeError):
    """A format whose optional packages are not installed (HTTP 501); the message says how to install them."""
