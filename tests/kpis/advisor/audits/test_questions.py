"""The question library: enough questions per area, valid unique keys, no empty text."""

from collections import Counter
from pathlib import Path

import pytest

from kpis.advisor.areas import Area, area_of
from kpis.advisor.audits.questions import (
    QUESTIONS,
    QUESTIONS_FILE,
    QuestionDataError,
    load_questions,
)


def test_every_area_has_at_least_five_questions() -> None:
    per_area = Counter(question.area for question in QUESTIONS)
    assert set(per_area) == set(Area)
    assert min(per_area.values()) >= 5
    assert len(QUESTIONS) >= 35


def test_keys_are_unique_and_name_their_area() -> None:
    keys = [question.key for question in QUESTIONS]
    assert len(keys) == len(set(keys))
    for question in QUESTIONS:
        assert area_of(question.key) is question.area
        assert question.key.count(".") == 1


def test_no_text_is_empty_and_levels_differ() -> None:
    for question in QUESTIONS:
        texts = (question.text, question.one, question.three, question.five)
        assert all(text.strip() for text in texts), question.key
        assert len({question.one, question.three, question.five}) == 3, question.key
        assert question.text.endswith("?"), question.key


def test_questions_come_in_area_order() -> None:
    order = list(Area)
    indexes = [order.index(question.area) for question in QUESTIONS]
    assert indexes == sorted(indexes)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "questions.toml"
    path.write_text(text)
    return path


def test_a_missing_level_is_refused(tmp_path: Path) -> None:
    text = QUESTIONS_FILE.read_text().replace(
        'five = "We meet the Core', 'fivx = "We meet the Core'
    )
    with pytest.raises(QuestionDataError, match=r"act\.site_experience: expected exactly"):
        load_questions(_write(tmp_path, text))


def test_an_unknown_area_is_refused(tmp_path: Path) -> None:
    text = (
        QUESTIONS_FILE.read_text()
        + '\n[sales.calls]\nquestion = "?"\none = "a"\nthree = "b"\nfive = "c"\n'
    )
    with pytest.raises(QuestionDataError, match="sales: not an area"):
        load_questions(_write(tmp_path, text))


def test_an_area_short_of_questions_is_refused(tmp_path: Path) -> None:
    text = QUESTIONS_FILE.read_text().replace("[engage.feedback]", "[governance.feedback]")
    with pytest.raises(QuestionDataError, match="engage: 4 questions, at least 5"):
        load_questions(_write(tmp_path, text))
