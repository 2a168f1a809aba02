"""What the plan dashboard shows, prepared from a snapshot so the template only lays it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from kpis.dashboards import charts
from kpis.dashboards.funnel import FunnelStep
from kpis.dashboards.progress import expected_value
from kpis.dashboards.snapshot import KPIStatus, PlanSnapshot, StageSummary
from kpis.formatting import with_unit


@dataclass(frozen=True)
class KPICard:
    item: KPIStatus
    chart_id: str
    figure: dict[str, Any]
    sparkline: str
    summary: str  # the chart in one sentence, for screen readers and for a quick read
    latest: str  # formatted here once rather than through template filters, 40 times a page
    target: str


@dataclass(frozen=True)
class StagePanel:
    summary: StageSummary
    cards: list[KPICard]


@dataclass(frozen=True)
class Dashboard:
    snapshot: PlanSnapshot
    stages: list[StagePanel]
    funnel: dict[str, Any]
    budget_by_stage: dict[str, Any]
    budget_by_channel: dict[str, Any]
    calculator_query: str  # the reverse calculator, filled in from this plan's funnel targets
    periods: list[tuple[str, str]]  # (label, query) of quick period choices


def calculator_query(steps: list[FunnelStep]) -> str:
    """Query string for the reverse calculator: the Convert target and the planned rates."""
    by_stage = {step.stage: step for step in steps}
    act, convert = by_stage.get("act"), by_stage.get("convert")
    params: dict[str, str] = {"target_kind": "customers"}
    if convert and convert.target is not None:
        params["customers"] = format(convert.target.normalize(), "f")
    if convert and convert.target_rate is not None and 0 < convert.target_rate <= 1:
        params["lead_to_customer"] = f"{float(convert.target_rate) * 100:.3f}".rstrip("0").rstrip(
            "."
        )
    if act and act.target_rate is not None and 0 < act.target_rate <= 1:
        params["visitor_to_lead"] = f"{float(act.target_rate) * 100:.3f}".rstrip("0").rstrip(".")
    return urlencode(params)


def period_choices(snapshot: PlanSnapshot) -> list[tuple[str, str]]:
    """Quick periods: the whole plan, its months, and the last four weeks up to today."""
    plan = snapshot.plan
    choices = [("Whole plan", "")]
    month = date(plan.period_start.year, plan.period_start.month, 1)
    while month <= plan.period_end and len(choices) < 7:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        start = max(month, plan.period_start)
        end = min(following - timedelta(days=1), plan.period_end)
        choices.append((f"{month:%b %Y}", urlencode({"start": start, "end": end})))
        month = following
    today = min(snapshot.today, plan.period_end)
    if today >= plan.period_start:
        start = max(plan.period_start, today - timedelta(days=27))
        choices.append(("Last 4 weeks", urlencode({"start": start, "end": today})))
    return choices


def kpi_summary(item: KPIStatus, snapshot: PlanSnapshot) -> str:
    kpi, result = item.kpi, item.progress
    plan = snapshot.plan
    target = f"Target {with_unit(kpi.target, kpi.unit)} by {plan.period_end:%-d %b %Y}"
    if result.latest is None or result.latest_date is None:
        return f"{kpi.name}: no actuals in this period. {target}."
    count = len(item.measurements)
    expected = expected_value(
        kpi.baseline, kpi.target, plan.period_start, plan.period_end, result.latest_date
    )
    return (
        f"{kpi.name}: {with_unit(result.latest, kpi.unit)} on {result.latest_date:%-d %b}, "
        f"expected {with_unit(expected, kpi.unit)} by then. {target}. "
        f"{result.status.label}; {count} actual{'' if count == 1 else 's'} shown."
    )


def build_dashboard(snapshot: PlanSnapshot) -> Dashboard:
    stages = [
        StagePanel(
            summary=stage,
            cards=[
                KPICard(
                    item=item,
                    chart_id=f"fig-kpi-{item.kpi.pk}",
                    figure=charts.kpi_figure_data(item, snapshot),
                    sparkline=charts.sparkline_points(item.measurements),
                    summary=kpi_summary(item, snapshot),
                    latest=with_unit(item.progress.latest, item.kpi.unit),
                    target=with_unit(item.kpi.target, item.kpi.unit),
                )
                for item in stage.kpis
            ],
        )
        for stage in snapshot.stages
    ]
    return Dashboard(
        snapshot=snapshot,
        stages=stages,
        funnel=charts.funnel_figure_data(snapshot.funnel),
        budget_by_stage=charts.budget_by_stage_figure_data(snapshot),
        budget_by_channel=charts.budget_by_channel_figure_data(snapshot),
        calculator_query=calculator_query(snapshot.funnel),
        periods=period_choices(snapshot),
    )
