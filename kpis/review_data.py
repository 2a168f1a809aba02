"""Plan snapshot and chart figures for the review PDF.

Stand-in with the same shape as the dashboard's `kpis.snapshot` / `kpis.charts` contract
(plan_snapshot -> PlanSnapshot; kpi_figure, funnel_figure, budget_by_stage_figure,
budget_by_channel_figure -> go.Figure), so the exporter switches to the dashboard's modules
by changing one import.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go

from kpis.funnel import FUNNEL_STAGES, FunnelStep, build_funnel
from kpis.models import Measurement
from kpis.progress import Progress, Status, progress, summarise
from plans.models import KPI, Plan, Stage, Tactic

ZERO = Decimal("0")


@dataclass(frozen=True)
class KPIStatus:
    kpi: KPI
    measurements: list[tuple[date, Decimal]]
    progress: Progress


@dataclass
class StageSummary:
    stage: Stage
    status: Status
    kpis: list[KPIStatus] = field(default_factory=list)
    budget_planned: Decimal = ZERO
    budget_spent: Decimal = ZERO


@dataclass
class PlanSnapshot:
    plan: Plan
    today: date
    start: date
    end: date
    audience: str | None
    stages: list[StageSummary]
    funnel: list[FunnelStep]
    budget_by_channel: list[tuple[str, Decimal, Decimal]]  # (channel, planned, spent)


def _serves(item_audience: str, audience: str | None) -> bool:
    return audience is None or item_audience in ("all", audience)


def plan_snapshot(
    plan: Plan, *, today: date, start: date, end: date, audience: str | None = None
) -> PlanSnapshot:
    """Every KPI's progress, stage statuses, the funnel and budgets; three queries."""
    kpis = [k for k in plan.kpis.all() if _serves(k.audience, audience)]
    rows: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for kpi_id, on, value in Measurement.objects.filter(
        kpi__in=[k.pk for k in kpis], date__gte=start, date__lte=end
    ).values_list("kpi_id", "date", "value"):
        rows[kpi_id].append((on, value))
    by_stage: dict[str, StageSummary] = {
        s.value: StageSummary(stage=s, status=Status.NO_DATA) for s in Stage
    }
    for kpi in kpis:
        measured = sorted(rows[kpi.pk])
        prog = progress(
            baseline=kpi.baseline,
            target=kpi.target,
            direction=kpi.direction,
            start=start,
            end=end,
            measurements=measured,
            today=today,
        )
        by_stage[kpi.stage].kpis.append(KPIStatus(kpi=kpi, measurements=measured, progress=prog))
    channels: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    tactics: list[Tactic] = [t for t in plan.tactics.all() if _serves(t.audience, audience)]
    for tactic in tactics:
        summary = by_stage[tactic.stage]
        summary.budget_planned += tactic.budget_planned
        summary.budget_spent += tactic.budget_spent
        channel = channels[tactic.channel or "No channel"]
        channel[0] += tactic.budget_planned
        channel[1] += tactic.budget_spent
    for summary in by_stage.values():
        summary.status = summarise(item.progress.status for item in summary.kpis)
    primaries: dict[str, int | None] = {
        w.stage: w.primary_kpi_id for w in plan.worksheets.all() if w.stage in FUNNEL_STAGES
    }
    volumes: dict[str, tuple[str | None, Decimal | None, Decimal | None]] = {}
    for stage, primary_id in primaries.items():
        item = next((i for i in by_stage[stage].kpis if i.kpi.pk == primary_id), None)
        if item is not None:
            volumes[stage] = (item.kpi.name, item.kpi.target, item.progress.latest)
    return PlanSnapshot(
        plan=plan,
        today=today,
        start=start,
        end=end,
        audience=audience,
        stages=list(by_stage.values()),
        funnel=build_funnel(volumes),
        budget_by_channel=sorted(
            ((name, p, s) for name, (p, s) in channels.items()), key=lambda row: -row[1]
        ),
    )


_LAYOUT = {"template": "plotly_white", "margin": {"l": 50, "r": 20, "t": 40, "b": 40}}


def kpi_figure(item: KPIStatus, snapshot: PlanSnapshot) -> go.Figure:
    kpi = item.kpi
    fig = go.Figure()
    fig.add_scatter(
        x=[snapshot.start, snapshot.end],
        y=[float(kpi.baseline), float(kpi.target)],
        mode="lines",
        name="Plan",
        line={"dash": "dash", "color": "#8a96a3"},
    )
    fig.add_scatter(
        x=[on for on, _ in item.measurements],
        y=[float(v) for _, v in item.measurements],
        mode="lines+markers",
        name="Actual",
        line={"color": "#1f5f8b"},
    )
    fig.update_layout(title={"text": kpi.name}, showlegend=False, **_LAYOUT)
    return fig


def funnel_figure(steps: list[FunnelStep]) -> go.Figure:
    labels = [f"{s.stage.title()}: {s.kpi_name or 'no volume KPI'}" for s in steps]
    fig = go.Figure()
    fig.add_bar(y=labels, x=[float(s.target or 0) for s in steps], name="Target", orientation="h")
    fig.add_bar(y=labels, x=[float(s.actual or 0) for s in steps], name="Actual", orientation="h")
    fig.update_layout(title={"text": "Funnel"}, yaxis={"autorange": "reversed"}, **_LAYOUT)
    return fig


def budget_by_stage_figure(snapshot: PlanSnapshot) -> go.Figure:
    names = [s.stage.label for s in snapshot.stages]
    fig = go.Figure()
    fig.add_bar(x=names, y=[float(s.budget_planned) for s in snapshot.stages], name="Planned")
    fig.add_bar(x=names, y=[float(s.budget_spent) for s in snapshot.stages], name="Spent")
    fig.update_layout(title={"text": "Budget by stage"}, **_LAYOUT)
    return fig


def budget_by_channel_figure(snapshot: PlanSnapshot) -> go.Figure:
    rows = snapshot.budget_by_channel
    fig = go.Figure()
    fig.add_bar(
        y=[r[0] for r in rows], x=[float(r[1]) for r in rows], name="Planned", orientation="h"
    )
    fig.add_bar(
        y=[r[0] for r in rows], x=[float(r[2]) for r in rows], name="Spent", orientation="h"
    )
    fig.update_layout(
        title={"text": "Budget by channel"}, yaxis={"autorange": "reversed"}, **_LAYOUT
    )
    return fig
