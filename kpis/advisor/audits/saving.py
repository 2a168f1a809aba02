"""Starting an audit and saving its answers, refused when someone saved it meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction

from kpis.advisor.audits.forms import Answers, AuditForm
from kpis.advisor.audits.questions import QUESTIONS
from kpis.advisor.models import AuditAnswer, CapabilityAudit
from plans.models import Workspace
from plans.quarters import Quarter
from plans.versioning import read_again, save_if_unchanged


def start_audit(workspace: Workspace, user: User, today: date) -> tuple[CapabilityAudit, bool]:
    """This quarter's audit of the workspace, made now unless it exists (one a quarter)."""
    return CapabilityAudit.objects.get_or_create(
        workspace=workspace,
        quarter_start=Quarter.containing(today).start,
        defaults={"created_by": user},
    )


def stored_answers(audit: CapabilityAudit) -> Answers:
    rows = AuditAnswer.objects.filter(audit=audit).values_list("question", "score", "note")
    return {question: (score, note) for question, score, note in rows}


def save_answers(audit: CapabilityAudit, answers: Answers, *, expected_version: int) -> bool:
    """Replace the audit's answers if it is still at `expected_version`; False when it is not."""
    with transaction.atomic():
        if not save_if_unchanged(audit, expected_version=expected_version, fields=()):
            return False
        AuditAnswer.objects.filter(audit=audit).delete()
        AuditAnswer.objects.bulk_create(
            AuditAnswer(audit=audit, question=key, score=score, note=note)
            for key, (score, note) in answers.items()
        )
    return True


@dataclass
class Outcome:
    form: AuditForm
    saved: bool = False
    conflict: list[tuple[str, str]] | None = None  # each question they answered otherwise

    @property
    def context(self) -> dict[str, object]:
        conflicted = self.conflict is not None
        return {"form": self.form, "conflict": self.conflict or [], "conflicted": conflicted}


def _shown(answer: tuple[int, str] | None) -> str:
    if answer is None:
        return "not answered"
    score, note = answer
    return f"{score} ({note})" if note else str(score)


def edit_audit(audit: CapabilityAudit, data: object) -> Outcome:
    """Validate and save the form's answers, or say whose newer answers stopped it."""
    form = AuditForm(data, version=audit.version, answers={})
    if not form.is_valid():
        return Outcome(form)
    mine = form.answers()
    if save_answers(audit, mine, expected_version=form.expected_version):
        return Outcome(form, saved=True)
    read_again(audit)  # 404 when it was deleted meanwhile
    theirs = stored_answers(audit)
    conflict = [
        (question.text, _shown(theirs.get(question.key)))
        for question in QUESTIONS
        if theirs.get(question.key) != mine.get(question.key)
    ]
    form.show_current_version(audit.version)
    return Outcome(form, conflict=conflict)
