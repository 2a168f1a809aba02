"""Plotly figures built in Python from a plan snapshot.

Each figure exists twice: `*_figure_data` builds it as plain dicts, which the dashboard sends
(building plotly.py objects costs milliseconds a figure, too slow for hundreds on one page), and
`*_figure` wraps the same data in a `go.Figure` for the review PDF, which turns it into SVG with
kaleido. A KPI chart is a shared frame filled with the KPI's points (`kpi_frame`, `kpi_points`),
so the dashboard sends the frame once and only the points of each KPI (packing.py). Figures
stay small on purpose: no default template (plotly's own adds ~8 KB a figure), numbers rounded
to six significant digits, the pace line as its corner points only.

Plotly reads a subset of HTML in every text it draws (`<a href>`, `<span style>`, `<br>`, `<b>`
and entities), in the browser and in the PDF's renderer alike. Every piece of user text (KPI
names, tactic channels, the plan's currency) goes through `plotly_text` on its way into a
figure, so it shows as typed and is never a link, a style or a URL to fetch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from kpis.dashboards.funnel import FunnelStep
from kpis.dashboards.progress import expected_value
from kpis.dashboards.snapshot import KPIStatus, PlanSnapshot
from kpis.formatting import percent
from plans.models import Stage, Unit

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


SIX_DIGITS = "%.6g"  # what a chart's number keeps: `%` formats a Decimal through float() too


def num(value: Decimal | float | None) -> float | None:
    """A JSON-friendly number with at most six significant digits."""
    if value is None:
        return None
    return float(SIX_DIGITS % float(value))


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


def _pace_points(item: KPIStatus, snapshot: PlanSnapshot) -> tuple[list[date], list[float | None]]:
    """The expected-pace line inside the shown period: its corner points are enough."""
    plan = snapshot.plan
    corners = {snapshot.start, snapshot.end, plan.period_start, plan.period_end}
    days = sorted(d for d in corners if snapshot.start <= d <= snapshot.end)
    kpi = item.kpi
    values = [
        num(expected_value(kpi.baseline, kpi.target, plan.period_start, plan.period_end, d))
        for d in days
    ]
    return days, values


# A KPI chart is a frame (the look every KPI chart of a dashboard shares: traces without their
# points, the layout) filled with the KPI's points. The dashboard sends the frame once and each
# KPI's points as compact data (kpis/dashboards/packing.py); charts.js fills the frame exactly as
# `fill_kpi_frame` does here for the PDF.
KPI_TRACES = ("Target", "Expected pace", "Actual")


@dataclass(frozen=True)
class KPIPoints:
    unit: str  # the y axis title
    traces: list[tuple[list[date], list[float | None]]]  # (x, y) of each of KPI_TRACES


def kpi_frame(
    start: date,
    end: date,
    *,
    title: str | None = None,
    height: int = 240,
    legend: bool = True,
) -> Figure:
    """The traces (without points) and layout of a KPI chart over the period start..end.

    Without `legend` the chart is the dashboard's compact one: the page has one legend for all.
    """
    layout = _layout(
        height=height,
        hovermode="x unified",
        xaxis={"range": [start.isoformat(), end.isoformat()], "type": "date"},
        yaxis={"title": {"text": ""}},
    )
    if not legend:
        layout["showlegend"] = False
        layout["margin"] = {"l": 48, "r": 8, "t": 6, "b": 24}
        layout["xaxis"]["nticks"] = layout["yaxis"]["nticks"] = 4  # a small chart, few labels
    if title is not None:
        layout["title"] = {
            "text": plotly_text(title),
            "x": 0,
            "xanchor": "left",
            "font": {"size": 14},
        }
        layout["margin"] = {**layout["margin"], "t": 36}
    styles = (
        {"mode": "lines", "line": {"color": TARGET, "dash": "dot", "width": 1.5}},
        {"mode": "lines", "line": {"color": EXPECTED, "dash": "dash", "width": 1.5}},
        {"mode": "lines+markers", "line": {"color": ACTUAL, "width": 2}, "marker": {"size": 5}},
    )
    traces = [
        {"type": "scatter", "name": name, **style}
        for name, style in zip(KPI_TRACES, styles, strict=True)
    ]
    return {"data": traces, "layout": layout}


def axis_title(unit: str, unit_label: str, currency: str) -> str:
    """A KPI chart's value axis: the plan's currency for money ("EUR", not "Currency")."""
    if unit == "currency":
        return plotly_text(currency)
    return "%" if unit == "percent" else unit_label


_UNIT_LABELS = dict(Unit.choices)


def kpi_points(item: KPIStatus, snapshot: PlanSnapshot) -> KPIPoints:
    """What one KPI's chart shows: its target, its expected pace and its actuals."""
    kpi = item.kpi
    target = num(kpi.target)
    return KPIPoints(
        unit=axis_title(kpi.unit, _UNIT_LABELS.get(kpi.unit, kpi.unit), snapshot.plan.currency),
        traces=[
            ([snapshot.start, snapshot.end], [target, target]),
            _pace_points(item, snapshot),
            # num() of each value, in one C loop: a large dashboard has ten thousand of them.
            (item.dates, list(map(float, map(SIX_DIGITS.__mod__, item.values)))),
        ],
    )


def fill_kpi_frame(frame: Figure, points: KPIPoints) -> Figure:
    """A KPI chart: a copy of the frame with the KPI's points and unit in it."""
    layout = {
        **frame["layout"],
        "yaxis": {**frame["layout"]["yaxis"], "title": {"text": points.unit}},
    }
    traces = [
        {**trace, "x": [on.isoformat() for on in x], "y": y}
        for trace, (x, y) in zip(frame["data"], points.traces, strict=True)
    ]
    return {"data": traces, "layout": layout}


def kpi_figure_data(
    item: KPIStatus, snapshot: PlanSnapshot, *, title: bool = False, height: int = 240
) -> Figure:
    """Plain data of `kpi_figure` (no plotly.py objects, so fast)."""
    frame = kpi_frame(
        snapshot.start, snapshot.end, title=item.kpi.name if title else None, height=height
    )
    return fill_kpi_frame(frame, kpi_points(item, snapshot))


def kpi_figure(
    item: KPIStatus, snapshot: PlanSnapshot, *, title: bool = False, height: int = 240
) -> go.Figure:
    """Actuals against the expected pace line and the target, over the snapshot's period."""
    return to_figure(kpi_figure_data(item, snapshot, title=title, height=height))


def _step_label(step: FunnelStep) -> str:
    label = Stage(step.stage).label
    if not step.kpi_name:
        return label
    suffix = " (not a volume)" if step.not_a_volume else ""
    return f"{label}<br>{plotly_text(step.kpi_name)}{suffix}"


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
    shown = [s for s in steps if s.target is not None or s.actual is not None or s.not_a_volume]
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
