"""The open sessions of one app, with the client each came from."""

from __future__ import annotations

from typing import Any


class SessionRegistry:
    """The open sessions of one app (one worker process), so the caps can be enforced and tests can see that none
    leak. `sessions` maps each session to its client's address."""

    def __init__(self) -> None:
        self.sessions: dict[Any, str] = {}

    def refusal(self, client: str, max_sessions: int, max_per_client: int) -> str | None:
        """Why one more session from `client` cannot open (the close reason), or None when it can."""
        if len(self.sessions) >= max_sessions:
            return "the server is full; try again in a few minutes"
        if max_per_client and sum(1 for c in self.sessions.values() if c == client) >= max_per_client:
            return (f"this demo allows {max_per_client} open sessions per visitor; close another tab of the lab, "
                    "then try again")
        return None
