"""A client's text message as a command of the protocol, or the `error` that answers it."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from app.spec import unicode_text
from app.web import protocol as p
from app.web.errors import plain_message

UNION_TAGS = {"int", "float", "str", "bool", "none", "list", "dict"}


class ProtocolError(Exception):
    """What cannot be obeyed, as the `error` message says it; `answer()` adds the command it answers."""

    def __init__(self, code: p.ErrorCode, message: str, field: str | None = None,
                 in_reply_to: p.InReplyTo | None = None):
        super().__init__(message)
        self.code, self.message, self.field, self.in_reply_to = code, message, field, in_reply_to

    def answer(self, command: BaseModel | None = None) -> p.Error:
        in_reply_to = self.in_reply_to or (reply_to(command) if command is not None else None)
        return p.Error(code=self.code, message=self.message, field=self.field, in_reply_to=in_reply_to)


def reply_to(command: BaseModel | dict[str, Any]) -> p.InReplyTo:
    """The command an error answers: its type, and its run where it names one."""
    get = command.get if isinstance(command, dict) else lambda name: getattr(command, name, None)
    run = get("run")
    try:
        run = unicode_text(run) if isinstance(run, str) else None
    except ValueError:
        run = None  # a lone surrogate cannot be sent back
    return p.InReplyTo(type=get("type"), run=run)


def _reject_constant(name: str) -> float:
    raise ValueError("NaN and Infinity are not allowed; every number must be finite")


def field_path(loc: tuple) -> str:
    """The dotted path of the field a learner wrote, without pydantic's tags for union members."""
    parts = list(loc[1:])  # loc[0] is the message type, the tag of the discriminated union
    for i, part in enumerate(parts):
        if isinstance(part, str) and (not part.isidentifier() or part in UNION_TAGS):
            parts = parts[:i]
            break
    return ".".join(str(part) for part in parts)


def parse(text: str) -> BaseModel:
    """The command this text holds; ProtocolError when it holds none."""
    try:
        raw = json.loads(text, parse_constant=_reject_constant)
    except ValueError as e:
        raise ProtocolError("invalid_message", f"not valid JSON: {e}") from None
    except RecursionError:  # '[[[[…' nested a thousand deep: no message of the protocol looks like that
        raise ProtocolError("invalid_message", "not valid JSON: nested too deeply") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise ProtocolError("invalid_message",
                            'every message is a JSON object with a "type"; allowed types: ' + ", ".join(p.CLIENT_TYPES))
    if raw["type"] not in p.CLIENT_TYPES:
        raise ProtocolError("invalid_message", f"unknown message type {raw['type']!r}; allowed: "
                                               f"{', '.join(p.CLIENT_TYPES)}", "type")
    try:
        return p.client_message.validate_python(raw)
    except ValidationError as e:
        first = e.errors(include_input=False, include_url=False)[0]
        field = field_path(first["loc"]) or None
        raise ProtocolError("invalid_value", plain_message(first), field, reply_to(raw)) from None
