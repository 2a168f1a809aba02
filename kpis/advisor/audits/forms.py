"""The audit form: each question's score (1 to 5, or not yet answered) and a note.

Part of an audit can be saved: a question left unanswered stays so. The audit's version travels
with the form, so a save from a page opened before someone else's save is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict

from kpis.advisor.areas import Area
from kpis.advisor.audits.questions import QUESTIONS, Question, questions_by_area
from race_planner.forms import WholeNumberField

SCORES = (1, 2, 3, 4, 5)
NOTE_LENGTH = 500

Answers = dict[str, tuple[int, str]]  # question key -> (score, note)


def note_name(key: str) -> str:
    return f"note-{key}"


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    score: forms.BoundField
    note: forms.BoundField
    chosen: str  # the score ticked now, "" for none

    @property
    def choices(self) -> list[tuple[int, bool]]:
        return [(score, str(score) == self.chosen) for score in SCORES]


@dataclass(frozen=True)
class Section:
    area: Area
    rows: list[QuestionRow]


class AuditForm(forms.Form):
    version = WholeNumberField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, data: Any = None, *, version: int, answers: Answers) -> None:
        initial: dict[str, Any] = {"version": version}
        for key, (score, note) in answers.items():
            initial[key] = str(score)
            initial[note_name(key)] = note
        super().__init__(data, initial=initial)
        for question in QUESTIONS:
            self.fields[question.key] = forms.TypedChoiceField(
                label=question.text,
                choices=[(str(score), str(score)) for score in SCORES],
                coerce=int,
                required=False,
                empty_value=None,
                error_messages={"invalid_choice": "Choose a score from 1 to 5."},
            )
            self.fields[note_name(question.key)] = forms.CharField(
                label="Note", required=False, max_length=NOTE_LENGTH
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for question in QUESTIONS:
            # A note without a score would be lost on saving; an invalid score has its message.
            noted = data.get(note_name(question.key))
            if noted and data.get(question.key) is None and question.key not in self.errors:
                self.add_error(question.key, "Choose a score to keep this note.")
        return data

    @property
    def expected_version(self) -> int:
        return int(self.cleaned_data["version"])

    def answers(self) -> Answers:
        """The scored questions with their notes (valid forms only)."""
        data = self.cleaned_data
        return {
            question.key: (data[question.key], data[note_name(question.key)].strip())
            for question in QUESTIONS
            if data.get(question.key) is not None
        }

    def sections(self) -> list[Section]:
        return [
            Section(area, [self._row(question) for question in questions])
            for area, questions in questions_by_area().items()
        ]

    def _row(self, question: Question) -> QuestionRow:
        score = self[question.key]
        chosen = score.value()
        return QuestionRow(question, score, self[note_name(question.key)], str(chosen or ""))

    def show_current_version(self, version: int) -> None:
        """After a conflict: keep the user's input, let a second save replace the newer one."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        data["version"] = str(version)
        self.data = data
