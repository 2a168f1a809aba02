"""What the plan dashboard shows, prepared from a snapshot so the template only lays it out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kpis import charts
from kpis.progress import expected_value
from kpis.snapshot import KPIStatus, PlanSnapshot, StageSummary
from kpis.templatetags.kpi_format import with_unit


@dataclass(frozen=True)
class KPICard:
    item: KPIStatus
    chart_id: str
    figure: dict[str, Any]
    sparkline: str
    summary: str  # the chart in one sentence, for screen readers and for a quick read


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


def kpi_summary(item: KPIStatus, snapshot: PlanSnapshot) -> str:
    kpi, result = item.kpi, item.progress
    plan = snapshot.plan
    target = f"Target {with_unit(kpi.target, kpi.unit)} by {plan.period_end:%-d %b %Y}"
    if result.latest is None or result.latest_date is None:
        return f"{kpi.name}: no actuals in this period. {target}."
    expected = expected_value(
        kpi.baseline, kpi.target, plan.period_start, plan.period_end, result.latest_date
    )
    return (
        f"{kpi.name}: {with_unit(result.latest, kpi.unit)} on {result.latest_date:%-d %b}, "
        f"expected {with_unit(expected, kpi.unit)} by then. {target}. "
        f"{result.status.label}; {len(item.measurements)} actuals shown."
    )


def build_dashboard(snapshot: PlanSnapshot) -> Dashboard:
    stages = [
        StagePanel(
            summary=stage,
            cards=[
                KPICard(
                    item=item,
                    chart_id=f"fig-kpi-{item.kpi.pk}",
                    figure=charts.figure_json(charts.kpi_figure(item, snapshot)),
                    sparkline=charts.sparkline_points(item.measurements),
                    summary=kpi_summary(item, snapshot),
                )
                for item in stage.kpis
            ],
        )
        for stage in snapshot.stages
    ]
    return Dashboard(
        snapshot=snapshot,
        stages=stages,
        funnel=charts.figure_json(charts.funnel_figure(snapshot.funnel)),
        budget_by_stage=charts.figure_json(charts.budget_by_stage_figure(snapshot)),
        budget_by_channel=charts.figure_json(charts.budget_by_channel_figure(snapshot)),
    )
