"""The guided lessons: preset experiments with plain words, an equation and one thing to try (issue 8)."""

from app.lessons.catalog import LESSONS, RUN_IDS, lesson
from app.lessons.model import Claim, Lesson, TryThis

__all__ = ["LESSONS", "RUN_IDS", "Claim", "Lesson", "TryThis", "lesson"]
