"""Plotly figures built in Python from a plan snapshot.

The dashboard embeds them as JSON (`figure_json`) and draws them with plotly.js; the review PDF
turns the same figures into SVG with kaleido. Figures stay small on purpose: no default template
(`template="none"` saves ~8 KB a figure), numbers rounded to six significant digits, the pace
line as its corner points only, and sparklines as tiny inline SVG rather than figures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from kpis.funnel import FunnelStep
from kpis.progress import expected_value
from kpis.snapshot import KPIStatus, PlanSnapshot
from plans.models import Stage

# Colours follow static/css/app.css so charts and pages speak the same language.
INK = "#1d2733"
MUTED = "#5b6878"
GRID = "#dde3ea"
ACTUAL = "#1f5f8b"
EXPECTED = "#8a96a3"
TARGET = "#1a7f4b"
PLANNED = "#9bb7cf"
SPENT = "#1f5f8b"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"


def num(value: Decimal | float | None) -> float | None:
    """A JSON-friendly number with at most six significant digits."""
    if value is None:
        return None
    return float(f"{float(value):.6g}")


def _layout(*, height: int, **extra: Any) -> dict[str, Any]:
    axis = {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID}
    layout: dict[str, Any] = {
        "template": "none",
        "height": height,
        "margin": {"l": 56, "r": 12, "t": 8, "b": 36},
        "font": {"family": FONT, "size": 12, "color": INK},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "y": -0.2, "x": 0},
        "hovermode": "closest",
        "xaxis": dict(axis),
        "yaxis": dict(axis),
    }
    for key, value in extra.items():
        if key in ("xaxis", "yaxis"):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _no_data(layout: dict[str, Any], text: str) -> go.Figure:
    """An empty chart that says why it is empty, instead of bare axes."""
    figure = go.Figure(layout=layout)
    figure.add_annotation(
        text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"color": MUTED}
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def _pace_points(item: KPIStatus, snapshot: PlanSnapshot) -> tuple[list[str], list[float | None]]:
    """The expected-pace line inside the shown period: its corner points are enough."""
    plan = snapshot.plan
    corners = {snapshot.start, snapshot.end, plan.period_start, plan.period_end}
    days = sorted(d for d in corners if snapshot.start <= d <= snapshot.end)
    kpi = item.kpi
    values = [
        num(expected_value(kpi.baseline, kpi.target, plan.period_start, plan.period_end, d))
        for d in days
    ]
    return [d.isoformat() for d in days], values


def kpi_figure(
    item: KPIStatus, snapshot: PlanSnapshot, *, title: bool = False, height: int = 240
) -> go.Figure:
    """Actuals against the expected pace line and the target, over the snapshot's period."""
    kpi = item.kpi
    pace_x, pace_y = _pace_points(item, snapshot)
    period = [snapshot.start.isoformat(), snapshot.end.isoformat()]
    layout = _layout(
        height=height,
        hovermode="x unified",
        xaxis={"range": period, "type": "date"},
        yaxis={"title": {"text": kpi.get_unit_display()}},
    )
    if title:
        layout["title"] = {"text": kpi.name, "x": 0, "xanchor": "left", "font": {"size": 14}}
        layout["margin"] = {**layout["margin"], "t": 36}
    figure = go.Figure(layout=layout)
    figure.add_scatter(
        name="Target",
        x=period,
        y=[num(kpi.target)] * 2,
        mode="lines",
        line={"color": TARGET, "dash": "dot", "width": 1.5},
    )
    figure.add_scatter(
        name="Expected pace",
        x=pace_x,
        y=pace_y,
        mode="lines",
        line={"color": EXPECTED, "dash": "dash", "width": 1.5},
    )
    figure.add_scatter(
        name="Actual",
        x=[d.isoformat() for d, _ in item.measurements],
        y=[num(v) for _, v in item.measurements],
        mode="lines+markers",
        line={"color": ACTUAL, "width": 2},
        marker={"size": 5},
    )
    return figure


def percent(rate: Decimal | None) -> str:
    """A conversion rate as text: 0.025 -> "2.5 %"."""
    if rate is None:
        return "–"
    return f"{float(rate) * 100:.3g} %"


def _step_label(step: FunnelStep) -> str:
    label = Stage(step.stage).label
    return f"{label}<br>{step.kpi_name}" if step.kpi_name else label


def funnel_figure(steps: list[FunnelStep], *, height: int = 320) -> go.Figure:
    """Target and actual volume per funnel stage, with the conversion rate from the stage before.

    Volumes shrink by orders of magnitude from Reach to Engage, so the value axis is logarithmic:
    on a linear axis the last stages would be invisible slivers.
    """
    layout = _layout(
        height=height,
        barmode="group",
        margin={"l": 56, "r": 12, "t": 24, "b": 48},
        yaxis={"type": "log", "title": {"text": "Volume"}},
    )
    shown = [s for s in steps if s.target is not None or s.actual is not None]
    if not shown:
        return _no_data(layout, "Choose a primary KPI for each stage to see the funnel")
    labels = [_step_label(s) for s in shown]
    figure = go.Figure(layout=layout)
    for name, colour, volumes, rates in (
        ("Target", PLANNED, [s.target for s in shown], [s.target_rate for s in shown]),
        ("Actual", ACTUAL, [s.actual for s in shown], [s.actual_rate for s in shown]),
    ):
        figure.add_bar(
            name=name,
            x=labels,
            # Log axes cannot show zero or less; such volumes are left out of the bars.
            y=[num(v) if v is not None and v > 0 else None for v in volumes],
            marker={"color": colour},
            text=["" if r is None else f"→ {percent(r)}" for r in rates],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y:,} %{text}",
        )
    return figure


def _budget_bars(
    labels: Sequence[str],
    planned: Sequence[Decimal],
    spent: Sequence[Decimal],
    *,
    currency: str,
    horizontal: bool,
    height: int,
) -> go.Figure:
    value_axis = {"title": {"text": currency}, "tickformat": ",.0f"}
    layout = _layout(height=height, barmode="group")
    layout["xaxis" if horizontal else "yaxis"].update(value_axis)
    if horizontal:
        layout["yaxis"].update({"autorange": "reversed", "automargin": True})
    if not labels or (not any(planned) and not any(spent)):
        return _no_data(layout, "No budget planned yet")
    figure = go.Figure(layout=layout)
    for name, colour, values in (("Planned", PLANNED, planned), ("Spent", SPENT, spent)):
        numbers = [num(v) for v in values]
        if horizontal:
            figure.add_bar(
                name=name, y=list(labels), x=numbers, orientation="h", marker={"color": colour}
            )
        else:
            figure.add_bar(name=name, x=list(labels), y=numbers, marker={"color": colour})
    return figure


def budget_by_stage_figure(snapshot: PlanSnapshot, *, height: int = 260) -> go.Figure:
    """Planned against spent budget for each stage, in RACE order."""
    return _budget_bars(
        [Stage(s.stage).label for s in snapshot.stages],
        [s.budget_planned for s in snapshot.stages],
        [s.budget_spent for s in snapshot.stages],
        currency=snapshot.plan.currency,
        horizontal=False,
        height=height,
    )


def budget_by_channel_figure(snapshot: PlanSnapshot, *, height: int | None = None) -> go.Figure:
    """Planned against spent budget for each channel, largest planned first."""
    rows = snapshot.budget_by_channel
    return _budget_bars(
        [name for name, _, _ in rows],
        [planned for _, planned, _ in rows],
        [spent for _, _, spent in rows],
        currency=snapshot.plan.currency,
        horizontal=True,
        height=height or max(200, 70 + 34 * len(rows)),
    )


def figure_json(figure: go.Figure) -> dict[str, Any]:
    """The figure as plain data for `json_script`: traces and layout, nothing else."""
    data: dict[str, Any] = json.loads(figure.to_json(validate=False, engine="json"))
    return {"data": data["data"], "layout": data["layout"]}


def sparkline_points(
    measurements: Sequence[tuple[date, Decimal]], *, width: int = 120, height: int = 28
) -> str:
    """SVG polyline points for a card's sparkline; empty when there is nothing to draw."""
    if len(measurements) < 2:
        return ""
    first, last = measurements[0][0], measurements[-1][0]
    span_days = max((last - first).days, 1)
    values = [float(v) for _, v in measurements]
    low, high = min(values), max(values)
    spread = (high - low) or 1.0
    pad = 2
    points = []
    for (on, _), value in zip(measurements, values, strict=True):
        x = (on - first).days / span_days * width
        y = pad + (1 - (value - low) / spread) * (height - 2 * pad)
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)
