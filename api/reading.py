"""What the API reads: plain dicts in the shape of api/schemas.py, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from kpis.dashboards.progress import progress
from kpis.models import Measurement
from plans import access
from plans.models import KPI, Membership, Objective, Plan, PlanStatus, Tactic
from plans.worksheet.content import load_stages
from race_planner.numbers import VALUE_PLACES

PLACES = Decimal(1).scaleb(-VALUE_PLACES)  # values are stored with 4 decimal places


def number(value: Decimal | None) -> str | None:
    """A stored number as text, exactly; a computed one (the expected value) to 4 places."""
    return None if value is None else f"{value.quantize(PLACES).normalize():f}"


def workspaces(user: User) -> list[dict[str, Any]]:
    memberships = Membership.objects.filter(user=user).select_related("workspace")
    return [
        {"id": m.workspace.pk, "name": m.workspace.name, "slug": m.workspace.slug, "role": m.role}
        for m in memberships.order_by("workspace__name", "workspace_id")
    ]


def plans(user: User, *, workspace: int | None) -> QuerySet[Plan]:
    found = access.visible_plans(user)
    if workspace is not None:
        found = found.filter(workspace_id=workspace)
    return found.order_by("-period_start", "-id")


def plan_rows(user: User, page: Iterable[Plan]) -> list[dict[str, Any]]:
    """A page of plans; one more query for where the user may write."""
    writable = set(access.workspaces_for(user, writable=True).values_list("pk", flat=True))
    return [plan_row(plan, can_write=plan.workspace_id in writable) for plan in page]


def plan_row(plan: Plan, *, can_write: bool) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "workspace_id": plan.workspace_id,
        "name": plan.name,
        "audience": plan.audience,
        "status": plan.status,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "currency": plan.currency,
        "can_write": can_write and plan.status != PlanStatus.ARCHIVED,
        "summary": plan.summary,
    }


def kpi_row(kpi: KPI) -> dict[str, Any]:
    return {
        "id": kpi.pk,
        "stage": kpi.stage,
        "audience": kpi.audience,
        "name": kpi.name,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "baseline": number(kpi.baseline),
        "target": number(kpi.target),
        "definition": kpi.definition,
        "owner_id": kpi.owner_id,
        "cadence": kpi.cadence,
    }


def _objective_row(objective: Objective) -> dict[str, Any]:
    return {
        "id": objective.pk,
        "audience": objective.audience,
        "title": objective.title,
        "description": objective.description,
        "kpi_id": objective.kpi_id,
        "target_date": objective.target_date,
    }


def _tactic_row(tactic: Tactic) -> dict[str, Any]:
    return {
        "id": tactic.pk,
        "audience": tactic.audience,
        "title": tactic.title,
        "channel": tactic.channel,
        "media": tactic.media,
        "status": tactic.status,
        "owner": tactic.owner,
        "budget_planned": number(tactic.budget_planned),
        "budget_spent": number(tactic.budget_spent),
        "start_date": tactic.start_date,
        "end_date": tactic.end_date,
        "objective_id": tactic.objective_id,
    }


def stages(plan: Plan) -> list[dict[str, Any]]:
    """The plan's five stages in order, each with its objectives, tactics and KPIs: the
    worksheet's own loading, four queries."""
    return [
        {
            "stage": content.stage.value,
            "opportunity": content.worksheet.opportunity,
            "strategy": content.worksheet.strategy,
            "actions": content.worksheet.actions,
            "primary_kpi_id": content.worksheet.primary_kpi_id,
            "objectives": [_objective_row(objective) for objective in content.objectives],
            "tactics": [_tactic_row(tactic) for tactic in content.tactics],
            "kpis": [kpi_row(kpi) for kpi in content.kpis],
        }
        for content in load_stages(plan)
    ]


def actual_row(measurement: Measurement) -> dict[str, Any]:
    return {
        "kpi_id": measurement.kpi_id,
        "date": measurement.date,
        "value": number(measurement.value),
        "note": measurement.note,
        "source": measurement.source,
        "recorded_at": measurement.recorded_at,
    }


def kpi_detail(plan: Plan, kpi: KPI, *, today: date) -> dict[str, Any]:
    """The KPI, every actual, and its status judged as the plan dashboard judges it: by the
    actuals within the plan's period, as of today or the period's end (kpis/dashboards)."""
    measurements = list(Measurement.objects.filter(kpi=kpi).order_by("date"))
    judged = progress(
        baseline=kpi.baseline,
        target=kpi.target,
        direction=kpi.direction,
        start=plan.period_start,
        end=plan.period_end,
        measurements=[
            (m.date, m.value)
            for m in measurements
            if plan.period_start <= m.date <= plan.period_end
        ],
        today=min(today, plan.period_end),
    )
    status = {
        "status": judged.status.value,
        "label": judged.status.label,
        "expected": number(judged.expected),
        "latest": number(judged.latest),
        "latest_date": judged.latest_date,
    }
    return {
        **kpi_row(kpi),
        "plan_id": plan.pk,
        "status": status,
        "actuals": [actual_row(m) for m in measurements],
    }
