"""The dashboard's charts as one compact JSON document in the page.

Forty to two hundred KPI charts share their look and differ only in their points, so the page
carries one document instead of one figure per chart, each repeating its layout:

    {"figures": {chart id: figure},            # the funnel and budget charts, whole
     "kpi": {"frame": figure,                   # the look of every KPI chart, without points
             "start": "2026-07-06",             # day 0 of the shown period
             "days": [[0, 7, 14], [0, 90]],     # each distinct list of x values, as days from start
             "charts": {chart id: {"unit": "Count", "traces": [[days index, decimals, steps], ...]}}}}

Weekly check-ins give most KPIs the same dates, which are then sent once. A trace's values go as
whole-number steps: with decimals 2, steps [103550, 7712, 7713] are the values 1035.5, 1112.62
and 1189.75; the steps of a slowly moving KPI are short numbers. The values come back exactly
(a whole number divided by a power of ten is the nearest float to the decimal, as parsing is);
when a trace cannot be sent so (a missing value, whole numbers past 2^53) decimals is null and
the steps are the values themselves. static/js/charts.js unpacks a KPI chart exactly as
`unpack_kpi` does here; tests hold both to the PDF's figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate, repeat
from math import floor, gcd, log10
from operator import floordiv, mul, sub, truediv
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString

from kpis.dashboards.charts import Figure, KPIPoints, fill_kpi_frame

SCRIPT_ID = "dashboard-charts"
EXACT_WHOLE = 2**53  # floats hold every whole number up to this one, in JavaScript too


# What json_script escapes, so that no text in the document can end the <script> element.
# (str.replace: json_script's str.translate takes milliseconds over a document of 100 KB.)
_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))


@dataclass(frozen=True)
class PackedChart:
    """One KPI chart's traces packed: each its days after the start and its (decimals, steps)."""

    unit: str
    traces: tuple[tuple[tuple[int, ...], tuple[int | None, list[Any]]], ...]


class KPICharts:
    """The document's "kpi" part, one chart at a time, as the dashboard builds its cards: a
    chart's points go as soon as they are packed. (Held until the end, a large dashboard's
    thousands of small lists and tuples set the garbage collector off to walk them again.)"""

    def __init__(self, start: date) -> None:
        self.start = start
        self._day_zero = repeat(start.toordinal())
        self._day_lists: dict[tuple[int, ...], int] = {}
        self._charts: dict[str, dict[str, Any]] = {}

    def add(self, chart_id: str, points: KPIPoints) -> None:
        self.put(chart_id, self.packed(points))

    def packed(self, points: KPIPoints) -> PackedChart:
        """A chart's traces as days from the start and steps, ready to put in a document."""
        traces = tuple(
            (tuple(map(sub, map(date.toordinal, x), self._day_zero)), steps(y))
            for x, y in points.traces
        )
        return PackedChart(points.unit, traces)

    def put(self, chart_id: str, chart: PackedChart) -> None:
        """A packed chart in the document; charts with the same days share one list of them."""
        traces = [
            [self._day_lists.setdefault(days, len(self._day_lists)), *packed]
            for days, packed in chart.traces
        ]
        self._charts[chart_id] = {"unit": chart.unit, "traces": traces}

    def document(self, figures: dict[str, Figure], *, kpi_frame: Figure) -> dict[str, Any]:
        """The document described above."""
        return {
            "figures": figures,
            "kpi": {
                "frame": kpi_frame,
                "start": self.start.isoformat(),
                "days": [list(days) for days in self._day_lists],
                "charts": self._charts,
            },
        }


def pack(
    figures: dict[str, Figure],
    *,
    kpi_frame: Figure,
    start: date,
    kpi_points: dict[str, KPIPoints],
) -> dict[str, Any]:
    """The document described above, of every KPI chart's points at once."""
    kpi_charts = KPICharts(start)
    for chart_id, points in kpi_points.items():
        kpi_charts.add(chart_id, points)
    return kpi_charts.document(figures, kpi_frame=kpi_frame)


def steps(values: list[float | None]) -> tuple[int | None, list[Any]]:
    """(decimals, steps) of a trace's values, as described above; decimals is None when the
    values cannot come back exactly from whole numbers. (Hundreds of traces a page: each pass
    over the values is one builtin call: map over C functions, no Python loop.)"""
    if None in values:
        return None, values
    numbers: list[float] = values  # type: ignore[assignment]  # no None, as just checked
    # Values carry six significant digits (charts.num): the smallest one needs the most decimals.
    smallest = min(map(abs, filter(None, numbers)), default=0.0)
    decimals = max(0, 5 - floor(log10(smallest))) if smallest else 0
    scale = 10**decimals
    wholes = list(map(round, map(mul, numbers, repeat(scale))))
    common = gcd(*wholes)
    shift = 1
    while decimals and common and common % 10 == 0:  # no trailing zeros: shorter steps
        common //= 10
        shift *= 10
        decimals -= 1
    if shift > 1:
        scale //= shift
        wholes = list(map(floordiv, wholes, repeat(shift)))
    too_large = bool(wholes) and max(map(abs, wholes)) > EXACT_WHOLE
    if too_large or list(map(truediv, wholes, repeat(scale))) != numbers:
        return None, values
    return decimals, list(map(sub, wholes, [0, *wholes]))


def values(decimals: int | None, steps: list[Any]) -> list[float | None]:
    """The values of `steps(...)` back."""
    if decimals is None:
        return steps
    scale = 10**decimals
    return [total / scale for total in accumulate(steps)]


def unpack_kpi(document: dict[str, Any], chart_id: str) -> Figure:
    """One KPI chart's figure from the document: what charts.js does in the browser."""
    kpi = document["kpi"]
    start = date.fromisoformat(kpi["start"])
    chart = kpi["charts"][chart_id]
    traces = [
        ([start + timedelta(days=day) for day in kpi["days"][index]], values(decimals, steps))
        for index, decimals, steps in chart["traces"]
    ]
    return fill_kpi_frame(kpi["frame"], KPIPoints(unit=chart["unit"], traces=traces))


def as_script(document: dict[str, Any]) -> SafeString:
    """The document in a <script type="application/json"> (no inline script runs: CSP), as
    json_script writes it, without spaces after separators (a tenth of its bytes)."""
    text = json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":"))
    for character, escaped in _ESCAPES:
        text = text.replace(character, escaped)
    return SafeString(f'<script id="{SCRIPT_ID}" type="application/json">{text}</script>')
