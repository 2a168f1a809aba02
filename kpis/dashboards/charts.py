"""Plotly figures built in Python from a plan snapshot.

Each figure exists twice: `*_figure_data` builds it as plain dicts, which the dashboard embeds
with `json_script` (building plotly.py objects costs milliseconds a figure, too slow for 40 of
them on one page), and `*_figure` wraps the same data in a `go.Figure` for the review PDF, which
turns it into SVG with kaleido. Figures stay small on purpose: no default template (plotly's
own adds ~8 KB a figure), numbers rounded to six significant digits, the pace line as its
corner points only, and sparklines as tiny inline SVG rather than figures.

Plotly reads a subset of HTML in every text it draws (`<a href>`, `<span style>`, `<br>`, `<b>`
and entities), in the browser and in the PDF's renderer alike. Every piece of user text (KPI
names, tactic channels, the plan's currency) goes through `plotly_text` on its way into a
figure, so it shows as typed and is never a link, a style or a URL to fetch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from kpis.dashboards.funnel import FunnelStep
from kpis.dashboards.progress import expected_value
from kpis.dashboards.snapshot import KPIStatus, PlanSnapshot
from kpis.formatting import percent
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


def plotly_text(text: str) -> str:
    """User text for a Plotly label, title, legend or hover: shown literally, never markup.

    plotly.js splits text on `<…>`, turns the tags it knows into SVG (links, styled spans) and
    decodes entities only in the text between them; so `<`, `>` and `&` as entities show as
    themselves (`&` first, so "&lt;" typed by a user stays "&lt;" on screen).
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def num(value: Decimal | float | None) -> float | None:
    """A JSON-friendly number with at most six significant digits."""
    if value is None:
        return None
    return float(f"{float(value):.6g}")


Figure = dict[str, Any]  # {"data": [trace, ...], "layout": {...}}, as plotly.js takes it


def _layout(*, height: int, **extra: Any) -> dict[str, Any]:
    axis = {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID}
    layout: dict[str, Any] = {
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


def _no_data(layout: dict[str, Any], text: str) -> Figure:
    """An empty chart that says why it is empty, instead of bare axes."""
    layout["annotations"] = [
        {
            "text": text,
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "font": {"color": MUTED},
        }
    ]
    layout["xaxis"]["visible"] = False
    layout["yaxis"]["visible"] = False
    return {"data": [], "layout": layout}


def to_figure(data: Figure) -> go.Figure:
    """A plotly.py figure of plain figure data, without plotly's default theme."""
    return go.Figure(data=data["data"], layout={**data["layout"], "template": "none"})


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


def kpi_figure_data(
    item: KPIStatus, snapshot: PlanSnapshot, *, title: bool = False, height: int = 240
) -> Figure:
    """Plain data of `kpi_figure`: what the dashboard embeds (no plotly.py objects, so fast)."""
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
        layout["title"] = {
            "text": plotly_text(kpi.name),
            "x": 0,
            "xanchor": "left",
            "font": {"size": 14},
        }
        layout["margin"] = {**layout["margin"], "t": 36}
    traces = [
        {
            "type": "scatter",
            "name": "Target",
            "x": period,
            "y": [num(kpi.target)] * 2,
            "mode": "lines",
            "line": {"color": TARGET, "dash": "dot", "width": 1.5},
        },
        {
            "type": "scatter",
            "name": "Expected pace",
            "x": pace_x,
            "y": pace_y,
            "mode": "lines",
            "line": {"color": EXPECTED, "dash": "dash", "width": 1.5},
        },
        {
            "type": "scatter",
            "name": "Actual",
            "x": [d.isoformat() for d, _ in item.measurements],
            "y": [num(v) for _, v in item.measurements],
            "mode": "lines+markers",
            "line": {"color": ACTUAL, "width": 2},
            "marker": {"size": 5},
        },
    ]
    return {"data": traces, "layout": layout}


def kpi_figure(
    item: KPIStatus, snapshot: PlanSnapshot, *, title: bool = False, height: int = 240
) -> go.Figure:
    """Actuals against the expected pace line and the target, over the snapshot's period."""
    return to_figure(kpi_figure_data(item, snapshot, title=title, height=height))


def _step_label(step: FunnelStep) -> str:
    label = Stage(step.stage).label
    return f"{label}<br>{plotly_text(step.kpi_name)}" if step.kpi_name else label


def funnel_figure_data(steps: list[FunnelStep], *, height: int = 320) -> Figure:
    """Plain data of `funnel_figure`."""
    layout = _layout(
        height=height,
        barmode="group",
        margin={"l": 8, "r": 64, "t": 8, "b": 40},
        # Powers of ten only (1, 10, 100, 1k…): the 2s and 5s between them crowd a small chart.
        xaxis={"type": "log", "dtick": 1, "tickformat": "~s"},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    shown = [s for s in steps if s.target is not None or s.actual is not None]
    if not shown:
        return _no_data(layout, "Choose a primary KPI for each stage to see the funnel")
    labels = [_step_label(s) for s in shown]
    traces = []
    for name, colour, volumes, rates in (
        ("Target", PLANNED, [s.target for s in shown], [s.target_rate for s in shown]),
        ("Actual", ACTUAL, [s.actual for s in shown], [s.actual_rate for s in shown]),
    ):
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "y": labels,
                # Log axes cannot show zero or less; such volumes are left out of the bars.
                "x": [num(v) if v is not None and v > 0 else None for v in volumes],
                "marker": {"color": colour},
                "text": ["" if r is None else f"→ {percent(r)}" for r in rates],
                "textposition": "outside",
                "textfont": {"size": 11},
                # Keep the rates readable instead of shrinking them to the bar's height.
                "constraintext": "none",
                "cliponaxis": False,
                "hovertemplate": "%{x:,} %{text}",
            }
        )
    return {"data": traces, "layout": layout}


def funnel_figure(steps: list[FunnelStep], *, height: int = 320) -> go.Figure:
    """Target and actual volume per funnel stage, with the conversion rate from the stage before.

    Volumes shrink by orders of magnitude from Reach to Engage, so the value axis is logarithmic:
    on a linear axis the last stages would be invisible slivers.
    """
    return to_figure(funnel_figure_data(steps, height=height))


def _budget_bars(
    labels: Sequence[str],
    planned: Sequence[Decimal],
    spent: Sequence[Decimal],
    *,
    currency: str,
    horizontal: bool,
    height: int,
) -> Figure:
    value_axis = {"title": {"text": plotly_text(currency)}, "tickformat": ",.0f"}
    layout = _layout(height=height, barmode="group")
    layout["xaxis" if horizontal else "yaxis"].update(value_axis)
    if horizontal:
        layout["yaxis"].update({"autorange": "reversed", "automargin": True})
    if not labels or (not any(planned) and not any(spent)):
        return _no_data(layout, "No budget planned yet")
    traces = []
    for name, colour, values in (("Planned", PLANNED, planned), ("Spent", SPENT, spent)):
        numbers = [num(v) for v in values]
        trace: dict[str, Any] = {"type": "bar", "name": name, "marker": {"color": colour}}
        if horizontal:
            trace.update(y=list(labels), x=numbers, orientation="h")
        else:
            trace.update(x=list(labels), y=numbers)
        traces.append(trace)
    return {"data": traces, "layout": layout}


def budget_by_stage_figure_data(snapshot: PlanSnapshot, *, height: int = 260) -> Figure:
    return _budget_bars(
        [Stage(s.stage).label for s in snapshot.stages],
        [s.budget_planned for s in snapshot.stages],
        [s.budget_spent for s in snapshot.stages],
        currency=snapshot.plan.currency,
        horizontal=False,
        height=height,
    )


def budget_by_stage_figure(snapshot: PlanSnapshot, *, height: int = 260) -> go.Figure:
    """Planned against spent budget for each stage, in RACE order."""
    return to_figure(budget_by_stage_figure_data(snapshot, height=height))


def budget_by_channel_figure_data(snapshot: PlanSnapshot, *, height: int | None = None) -> Figure:
    rows = snapshot.budget_by_channel
    return _budget_bars(
        [plotly_text(name) for name, _, _ in rows],
        [planned for _, planned, _ in rows],
        [spent for _, _, spent in rows],
        currency=snapshot.plan.currency,
        horizontal=True,
        height=height or max(200, 70 + 34 * len(rows)),
    )


def budget_by_channel_figure(snapshot: PlanSnapshot, *, height: int | None = None) -> go.Figure:
    """Planned against spent budget for each channel, largest planned first."""
    return to_figure(budget_by_channel_figure_data(snapshot, height=height))


def figure_json(figure: go.Figure) -> dict[str, Any]:
    """A plotly.py figure as plain data for `json_script`: traces and layout, nothing else."""
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
