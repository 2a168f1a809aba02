"""What the 90-day plan page shows: suggestions with their reasons, and the tracked actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kpis.advisor.actions.suggestions import AreaSuggestions, suggest
from kpis.advisor.actions.tracking import TrackedAction, summary, tracked_actions
from kpis.advisor.areas import Area
from kpis.advisor.audit import area_scores, latest_audits
from kpis.advisor.health.report import health_report
from plans.models import Plan
from plans.quarters import Quarter


def health_finding_areas(plan: Plan, today: date) -> list[Area]:
    """The area of each of the plan health check's open findings (five queries)."""
    report = health_report(plan, today=today, editable=False)
    return [finding.area for finding in report.findings]


@dataclass(frozen=True)
class ImprovePage:
    audit_name: str | None  # "Q4 2026's audit"; None when the workspace has not run one
    suggestions: list[AreaSuggestions]
    tracked: list[TrackedAction]
    summary: str


def improve_page(plan: Plan, today: date) -> ImprovePage:
    """Three queries: the newest audit, its answers, the plan's actions with their tactics."""
    audits = latest_audits(plan.workspace, 1)
    audit = audits[0] if audits else None
    quarter = Quarter.containing(audit.quarter_start) if audit else None
    audit_name = f"Q{quarter.number} {quarter.year}’s audit" if quarter else None
    tracked = tracked_actions(plan, today)
    suggestions = suggest(
        area_scores(audit) if audit else None,
        health_finding_areas(plan, today),
        {row.record.action for row in tracked},
        audit_name=audit_name or "the latest audit",
    )
    return ImprovePage(audit_name, suggestions, tracked, summary(tracked))
