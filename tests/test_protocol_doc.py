"""docs/protocol.md names every message and field of the socket protocol's pydantic models, and no other.

Its section "Every field" lists, for each direction, one line per message and nested object:
"- `frame.runs[]`: `id`, `kind`, ...".
When this test fails, it prints the section as the models say it should read.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

from pydantic import BaseModel

from app.web import protocol as p

DOC = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"
CLIENT_MESSAGES = (p.Configure, p.Play, p.Pause, p.Step, p.Reset, p.Set, p.Gradcheck, p.History, p.Save, p.GetModel,
                   p.SetWeight)
LINE = re.compile(r"^- `([\w.\[\]{}]+)`: (.*)$")


def _nested(annotation, suffix: str = ""):
    """The models inside a field's type, each with how it is reached: "" (itself), "[]" (list), "{}" (dict)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield suffix, annotation
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list:
        yield from _nested(args[0], suffix + "[]")
    elif origin is dict:
        yield from _nested(args[1], suffix + "{}")
    elif origin in (typing.Union, types.UnionType, typing.Annotated):
        for arg in args if origin is not typing.Annotated else args[:1]:
            yield from _nested(arg, suffix)


def fields_of(model: type[BaseModel], path: str) -> dict[str, list[str]]:
    found = {path: list(model.model_fields)}
    for name, info in model.model_fields.items():
        for suffix, inner in _nested(info.annotation):
            found.update(fields_of(inner, f"{path}.{name}{suffix}"))
    return found


def _paths(models) -> dict[str, list[str]]:
    paths: dict[str, list[str]] = {}
    for model in models:
        paths.update(fields_of(model, model.model_fields["type"].annotation.__args__[0]))
    return paths


def expected() -> dict[str, dict[str, list[str]]]:
    """Both directions apart: `history` and `model` name a request and its reply."""
    return {"Client to server": _paths(CLIENT_MESSAGES), "Server to client": _paths(p.SERVER_MESSAGES)}


def documented() -> dict[str, dict[str, list[str]]]:
    text = DOC.read_text()
    section = text.split("\n## Every field", 1)[1].split("\n## ", 1)[0]
    found: dict[str, dict[str, list[str]]] = {}
    part = None
    for line in section.splitlines():
        if line.startswith("### "):
            part = found.setdefault(line[4:].strip(), {})
        elif (match := LINE.match(line)) and part is not None:
            part[match[1]] = re.findall(r"`(\w+)`", match[2])
    return found


def section() -> str:
    lines = []
    for direction, paths in expected().items():
        lines += ["", f"### {direction}"]
        lines += [f"- `{path}`: " + ", ".join(f"`{name}`" for name in names) for path, names in paths.items()]
    return "\n".join(lines)


def test_every_message_and_field_of_the_models_is_in_the_doc_and_no_other():
    assert documented() == expected(), "docs/protocol.md, section \"Every field\", should read:\n" + section()


def test_the_check_covers_what_the_page_relies_on():
    server = documented()["Server to client"]
    assert "in_reply_to" in server["error"] and "cause" in server["event"]
    assert {"hello.run_kinds{}", "frame.runs[]", "frame.runs[].output", "event.causes[]"} <= set(server)
