"""The capability radar: the newest audit's area scores, the audit before it overlaid.

One figure for every place that shows it: `radar_figure_data` is plain dicts for the browser
(a Plotly polar chart), `radar_figure` the same as a `go.Figure` for the review's renderer.
"""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from kpis.advisor.areas import Area
from kpis.dashboards.charts import ACTUAL, EXPECTED, FONT, GRID, INK, Figure, num, to_figure

AreaScores = dict[Area, Decimal]


def _trace(scores: AreaScores, name: str, colour: str, *, filled: bool) -> dict[str, object]:
    areas = [area for area in Area if area in scores]
    # "Planning and governance" on two lines: on one it is cut off at the chart's edge.
    labels = [area.label.replace(" and ", " and<br>") for area in areas]
    values = [num(scores[area]) for area in areas]
    return {
        "type": "scatterpolar",
        "name": name,
        # Closed: the first point again at the end, so the outline meets itself.
        "r": [*values, values[0]] if values else [],
        "theta": [*labels, labels[0]] if labels else [],
        "mode": "lines+markers",
        "line": {"color": colour, "width": 2, "dash": "solid" if filled else "dot"},
        "fill": "toself" if filled else "none",
        "hovertemplate": "%{theta}: %{r}<extra>" + name + "</extra>",
    }


def radar_figure_data(
    latest: AreaScores,
    previous: AreaScores | None = None,
    *,
    latest_name: str = "This audit",
    previous_name: str = "Previous audit",
    height: int = 420,
) -> Figure:
    """The newest scores filled, the previous ones as a dotted outline beneath them."""
    data = [_trace(previous, previous_name, EXPECTED, filled=False)] if previous else []
    data.append(_trace(latest, latest_name, ACTUAL, filled=True))
    layout = {
        "height": height,
        "margin": {"l": 80, "r": 80, "t": 24, "b": 24},  # room for the area names
        "font": {"family": FONT, "size": 12, "color": INK},
        "paper_bgcolor": "#ffffff",
        "showlegend": bool(previous),
        "legend": {"orientation": "h", "y": -0.08, "x": 0},
        "polar": {
            "bgcolor": "#ffffff",
            "radialaxis": {"range": [0, 5], "tickvals": [1, 2, 3, 4, 5], "gridcolor": GRID},
            "angularaxis": {"gridcolor": GRID, "direction": "clockwise"},
        },
    }
    return {"data": data, "layout": layout}


def radar_figure(
    latest: AreaScores, previous: AreaScores | None = None, *, height: int = 420
) -> go.Figure:
    return to_figure(radar_figure_data(latest, previous, height=height))
