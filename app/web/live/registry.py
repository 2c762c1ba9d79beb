"""The open sessions of one app."""

from __future__ import annotations

from typing import Any


class SessionRegistry:
    """The open sessions of one app, so the cap can be enforced and tests can see that none leak."""

    def __init__(self) -> None:
        self.sessions: set[Any] = set()
