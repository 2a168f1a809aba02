"""What the audit pages show: the list of a user's audits by workspace, and one audit's result
(area scores against the previous audit, the weakest areas, the radar's figure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.db.models import Avg, Count

from kpis.advisor.areas import Area
from kpis.advisor.audit import (
    answer_scores,
    area_scores,
    mean_score,
    previous_audit,
    score_changes,
    scores_by_area,
    weakest_areas,
)
from kpis.advisor.audits.questions import QUESTIONS
from kpis.advisor.models import CapabilityAudit
from kpis.advisor.radar import radar_figure_data
from kpis.dashboards.charts import Figure
from plans.access import WRITE_ROLES
from plans.models import Membership, Workspace
from plans.quarters import Quarter

QUESTION_COUNT = len(QUESTIONS)


def quarter_label(day: date) -> str:
    quarter = Quarter.containing(day)
    return f"Q{quarter.number} {quarter.year}"


@dataclass
class WorkspaceAudits:
    workspace: Workspace
    can_edit: bool
    audits: list[CapabilityAudit] = field(default_factory=list)  # newest first, annotated
    this_quarter: CapabilityAudit | None = None


def audits_by_workspace(user: User, today: date) -> list[WorkspaceAudits]:
    """Each of the user's workspaces with its audits (answers counted, overall mean): two
    queries, whatever the number of workspaces and audits."""
    memberships = Membership.objects.filter(user=user).select_related("workspace")
    groups = {
        member.workspace_id: WorkspaceAudits(member.workspace, member.role in WRITE_ROLES)
        for member in memberships.order_by("workspace__name")
    }
    audits = (
        CapabilityAudit.objects.filter(workspace_id__in=groups)
        .select_related("created_by")
        .annotate(answered=Count("answers"), mean=Avg("answers__score"))
        .order_by("workspace_id", "-quarter_start")
    )
    current = Quarter.containing(today).start
    for audit in audits:
        group = groups[audit.workspace_id]
        audit.overall = _rounded(audit.mean)  # type: ignore[attr-defined]
        audit.quarter = quarter_label(audit.quarter_start)  # type: ignore[attr-defined]
        group.audits.append(audit)
        if audit.quarter_start == current:
            group.this_quarter = audit
    return list(groups.values())


def _rounded(mean: float | Decimal | None) -> Decimal | None:
    """The database's mean (a float on SQLite, a decimal on PostgreSQL) to one decimal."""
    if mean is None:
        return None
    return Decimal(str(mean)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class AreaRow:
    area: Area
    score: Decimal | None
    previous: Decimal | None
    change: Decimal | None


@dataclass(frozen=True)
class AuditResult:
    audit: CapabilityAudit
    previous: CapabilityAudit | None
    rows: list[AreaRow]
    answered: int
    overall: Decimal | None
    weakest: list[Area]
    figure: Figure | None  # None until a question is answered

    @property
    def total(self) -> int:
        return QUESTION_COUNT


def audit_result(audit: CapabilityAudit) -> AuditResult:
    """Two or three queries: the previous audit, and each audit's answers."""
    before = previous_audit(audit)
    answers = answer_scores(audit)
    scores = scores_by_area(answers)
    earlier = area_scores(before) if before else {}
    changes = score_changes(scores, earlier)
    rows = [AreaRow(area, scores.get(area), earlier.get(area), changes.get(area)) for area in Area]
    figure = None
    if scores:
        figure = radar_figure_data(
            scores,
            earlier or None,
            latest_name=quarter_label(audit.quarter_start),
            previous_name=quarter_label(before.quarter_start) if before else "Previous audit",
        )
    overall = mean_score([score for _, score in answers])
    return AuditResult(audit, before, rows, len(answers), overall, weakest_areas(scores), figure)
