"""The audit's question library: questions.toml beside this module, read and checked at import.

Each question says what a 1, a 3 and a 5 look like, so a score means the same from one quarter
(and one person) to the next. Keys are "<area>.<name>" and are stored with the answers.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from kpis.advisor.areas import Area, area_of

QUESTIONS_FILE = Path(__file__).with_name("questions.toml")
MIN_PER_AREA = 5
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TEXTS = ("question", "one", "three", "five")


class QuestionDataError(ImproperlyConfigured):
    """questions.toml is unreadable or inconsistent; the message names the key."""


@dataclass(frozen=True)
class Question:
    key: str  # "reach.search"
    area: Area
    text: str  # the question itself
    one: str  # what a score of 1 looks like
    three: str
    five: str


def load_questions(path: Path = QUESTIONS_FILE) -> tuple[Question, ...]:
    """Every question in area order, then file order; QuestionDataError on the first problem."""
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise QuestionDataError(f"{path}: {error}") from error
    questions = []
    for area_key, entries in data.items():
        try:
            area = area_of(area_key)
        except ValueError:
            raise QuestionDataError(f"{path}: {area_key}: not an area") from None
        if not isinstance(entries, dict):
            raise QuestionDataError(f"{path}: {area_key}: expected tables of questions")
        questions += [_question(path, area, name, entry) for name, entry in entries.items()]
    for area in Area:
        count = sum(1 for question in questions if question.area is area)
        if count < MIN_PER_AREA:
            raise QuestionDataError(f"{path}: {area}: {count} questions, at least {MIN_PER_AREA}")
    order = list(Area)
    return tuple(sorted(questions, key=lambda question: order.index(question.area)))


def _question(path: Path, area: Area, name: str, entry: Any) -> Question:
    key = f"{area.value}.{name}"
    if not _NAME.match(name):
        raise QuestionDataError(f"{path}: {key}: a name is lower-case letters, digits and _")
    if not isinstance(entry, dict) or set(entry) != set(_TEXTS):
        raise QuestionDataError(f"{path}: {key}: expected exactly {', '.join(_TEXTS)}")
    for field in _TEXTS:
        if not isinstance(entry[field], str) or not entry[field].strip():
            raise QuestionDataError(f"{path}: {key}.{field}: expected some text")
    return Question(key, area, entry["question"], entry["one"], entry["three"], entry["five"])


QUESTIONS: tuple[Question, ...] = load_questions()
QUESTION_KEYS: frozenset[str] = frozenset(question.key for question in QUESTIONS)


def questions_by_area() -> dict[Area, list[Question]]:
    grouped: dict[Area, list[Question]] = {area: [] for area in Area}
    for question in QUESTIONS:
        grouped[question.area].append(question)
    return grouped
