"""One WebSocket connection is one live session: it owns an experiment and streams it to the browser.

`session.py` runs a session (receiver and driver tasks), `commands.py` obeys its commands, `parsing.py` turns
text into commands or errors, `pacing.py` decides how many steps each chunk takes and when frames are due,
`hello.py` is the catalogue sent first, `pool.py` the worker threads, `registry.py` the open sessions.
"""

from app.web.live.pacing import CHUNK_SECONDS
from app.web.live.pool import training_pool
from app.web.live.registry import SessionRegistry
from app.web.live.session import LiveSession

__all__ = ["CHUNK_SECONDS", "LiveSession", "SessionRegistry", "training_pool"]
