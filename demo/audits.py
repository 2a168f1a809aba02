"""The demo workspace's two capability audits: last quarter's and this quarter's, so a new
user sees the radar with its overlay at once. The story: a team strong at getting found (Reach)
and improving at converting, but weak at keeping customers (Engage) and at measuring."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import User

from kpis.advisor.areas import Area
from kpis.advisor.audits.questions import questions_by_area
from kpis.advisor.models import AuditAnswer, CapabilityAudit
from plans.models import Workspace
from plans.quarters import Quarter

# Each area's scores in question order (questions.toml): last quarter's, then this quarter's.
SCORES: dict[Area, tuple[tuple[int, ...], tuple[int, ...]]] = {
    Area.PLAN: ((4, 3, 2, 3, 3), (4, 3, 2, 3, 4)),
    Area.REACH: ((4, 3, 3, 3, 2), (5, 4, 4, 4, 3)),
    Area.ACT: ((2, 3, 2, 3, 2), (3, 3, 3, 4, 2)),
    Area.CONVERT: ((3, 3, 2, 3, 3), (3, 3, 3, 3, 4)),
    Area.ENGAGE: ((2, 2, 2, 2, 2), (2, 2, 1, 2, 2)),
    Area.GOVERNANCE: ((3, 2, 3, 3, 4), (3, 3, 4, 3, 2)),
    Area.MEASUREMENT: ((2, 2, 2, 1, 2), (2, 3, 2, 2, 1)),
}
NOTES = {
    "reach.search": "Keyword plan by intent since spring; monthly ranking review in the team meeting.",
    "engage.loyalty": "We could not name our top 50 customers without a day in the spreadsheets.",
    "measurement.insight_to_action": "Reports go round by email; nobody writes down what we decided.",
    "convert.offers": "Reviews now on every product page; the guarantee is still hidden in the FAQ.",
}


def seed_audits(workspace: Workspace, author: User, today: date) -> int:
    """Both audits, unless the workspace has them already; how many were made."""
    this_quarter = Quarter.containing(today).start
    last_quarter = Quarter.containing(this_quarter - timedelta(days=1)).start
    made = 0
    for which, quarter_start in enumerate((last_quarter, this_quarter)):
        audit, created = CapabilityAudit.objects.get_or_create(
            workspace=workspace, quarter_start=quarter_start, defaults={"created_by": author}
        )
        if created:
            made += 1
            AuditAnswer.objects.bulk_create(
                AuditAnswer(
                    audit=audit,
                    question=question.key,
                    score=score,
                    note=NOTES.get(question.key, "") if quarter_start == this_quarter else "",
                )
                for area, questions in questions_by_area().items()
                for question, score in zip(questions, SCORES[area][which], strict=False)
            )
    return made
