"""The pages: the dashboard, the guided lessons (their data and the printable derivation), and the API reference."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import __version__
from app.export.script.parts import SOFTMAX_ANSWER
from app.lessons import LESSONS, Lesson, lesson

ROOT = Path(__file__).resolve().parents[3]  # the project folder, holding templates/
templates = Jinja2Templates(directory=ROOT / "templates")

router = APIRouter(tags=["lessons"])


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)  # HEAD: for uptime checks
def index(request: Request):
    """The dashboard."""
    return templates.TemplateResponse(request, "index.html", {"version": __version__})


@router.get("/api/lessons", response_model=list[Lesson])
def list_lessons() -> list[Lesson]:
    """The dashboard's lessons in order: each a preset `configure` (the same fields), a few plain sentences,
    its equations in TeX, what will happen (each claim is checked by a test that runs the preset), the
    speed to play it at, which live numbers to show, one action to try, and its section of /learn/softmax."""
    return LESSONS


@router.get("/api/lessons/{number}", response_model=Lesson,
            responses={404: {"description": "there is no lesson with this number"}})
def get_lesson(number: int) -> Lesson:
    """One lesson, by its number (1 to 7)."""
    try:
        return lesson(number)
    except KeyError:
        raise HTTPException(404, f"there is no lesson {number}; lessons are numbered 1 to {len(LESSONS)}") from None


@router.get("/learn/softmax", response_class=HTMLResponse, include_in_schema=False)
def learn_softmax(request: Request):
    """The derivation, step by step, in the learner's notation; printable."""
    by_section = {item.derivation: item for item in LESSONS}
    return templates.TemplateResponse(request, "learn_softmax.html",
                                      {"version": __version__, "lesson_for": by_section,
                                       "softmax_code": SOFTMAX_ANSWER})


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def swagger_ui_html(request: Request):  # the name FastAPI gives its own /docs route
    """The interactive API reference: Swagger UI from npm, served here like the dashboard's other libraries."""
    return templates.TemplateResponse(request, "api_docs.html", {
        "version": __version__, "openapi_url": request.url_for("openapi").path})
