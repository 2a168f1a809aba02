"""The review's Advisor section: the plan's health score and open findings, the workspace's
latest capability audit (its radar with the audit before it, its area scores) and the plan's
90-day actions with their tactics' progress. Read in a fixed number of queries; the radar is
drawn with the review's other charts, by the worker's browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go

from kpis.advisor.areas import Area
from kpis.advisor.audit import area_scores, latest_audits
from kpis.advisor.health.report import HealthReport, health_report
from kpis.advisor.health.rules import Finding
from kpis.advisor.health.score import explanation
from kpis.advisor.models import CapabilityAudit, ImprovementAction
from kpis.advisor.radar import radar_figure
from plans.models import Plan, TacticStatus

FINDINGS_SHOWN = 12  # in the PDF; the rest are counted
FINISHED = (TacticStatus.DONE, TacticStatus.DROPPED)


@dataclass(frozen=True)
class AreaRow:
    area: Area
    latest: Decimal | None
    previous: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.latest is None or self.previous is None:
            return None
        return self.latest - self.previous


@dataclass(frozen=True)
class ActionRow:
    title: str
    area: str
    status: str  # the tactic's status in words, or that the tactic was deleted
    owner: str
    start: date | None
    end: date | None
    overdue: bool  # past its end date and neither done nor dropped


@dataclass(frozen=True)
class AdvisorReview:
    health: HealthReport
    explanation: str
    audit: CapabilityAudit | None
    previous: CapabilityAudit | None
    areas: list[AreaRow]
    actions: list[ActionRow]

    def findings(self, shown: int = FINDINGS_SHOWN) -> tuple[list[Finding], int]:
        """The first `shown` findings, most severe first, and how many more there are."""
        found = self.health.findings
        return found[:shown], max(len(found) - shown, 0)

    @property
    def shown_findings(self) -> list[Finding]:
        return self.findings()[0]

    @property
    def more_findings(self) -> int:
        return self.findings()[1]

    @property
    def lowest(self) -> list[AreaRow]:
        """The lowest-scoring areas of the latest audit (ties included), where to start."""
        scored = [row for row in self.areas if row.latest is not None]
        if not scored:
            return []
        low = min(row.latest for row in scored if row.latest is not None)
        return [row for row in scored if row.latest == low]

    @property
    def overdue(self) -> int:
        return sum(1 for action in self.actions if action.overdue)

    @property
    def has_radar(self) -> bool:
        """The latest audit has scores: the review draws its radar."""
        return any(row.latest is not None for row in self.areas)

    def radar(self, *, height: int) -> go.Figure | None:
        if not self.has_radar:
            return None
        latest = {row.area: row.latest for row in self.areas if row.latest is not None}
        previous = {row.area: row.previous for row in self.areas if row.previous is not None}
        return radar_figure(latest, previous or None, height=height)


def _action_row(action: ImprovementAction, today: date) -> ActionRow:
    tactic = action.tactic
    if tactic is None:
        return ActionRow(
            action.title, Area(action.area).label, "Tactic deleted", "", None, None, False
        )
    overdue = (
        tactic.end_date is not None and tactic.end_date < today and tactic.status not in FINISHED
    )
    return ActionRow(
        title=action.title,
        area=Area(action.area).label,
        status=tactic.get_status_display(),
        owner=tactic.owner,
        start=tactic.start_date,
        end=tactic.end_date,
        overdue=overdue,
    )


def advisor_review(plan: Plan, *, today: date, audience: str | None = None) -> AdvisorReview:
    """Nine queries: five for the health check, three for the audits, one for the actions."""
    audits = latest_audits(plan.workspace, 2)
    latest = area_scores(audits[0]) if audits else {}
    previous = area_scores(audits[1]) if len(audits) > 1 else {}
    areas = [
        AreaRow(area, latest.get(area), previous.get(area))
        for area in Area
        if area in latest or area in previous
    ]
    actions = ImprovementAction.objects.filter(plan=plan).select_related("tactic")
    return AdvisorReview(
        health=health_report(plan, today=today, editable=False, audience=audience),
        explanation=explanation(),
        audit=audits[0] if audits else None,
        previous=audits[1] if len(audits) > 1 else None,
        areas=areas,
        actions=[_action_row(action, today) for action in actions],
    )
