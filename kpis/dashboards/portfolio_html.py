"""The portfolio table's rows as HTML, written in Python.

A page shows 25 plans of eight cells each; the template engine spent more time on those 200
cells (loops, lookups, `{% url %}` and filters per cell) than the page spends on everything
else. Here a row costs a few string joins: the dashboard link is reversed once per page and
every piece of text is escaped with `django.utils.html.escape`, as the template would.
The markup is the one the template wrote (tests/kpis/dashboards/test_portfolio*.py read it).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from kpis.dashboards.progress import Status
from kpis.dashboards.snapshot import PortfolioRow
from plans.models import Audience, PlanStatus

_MARK = "999999999999999999"  # a stand-in plan id: the URL is reversed once, then filled in


def _stage_cell(status: Status, count: int) -> str:
    if not count:
        return f'<td class="cell cell-{status}"><span class="muted">No KPIs</span></td>'
    kpis = f"{count} KPI{'' if count == 1 else 's'}"
    return (
        f'<td class="cell cell-{status}">{status.label}<br><span class="muted">{kpis}</span></td>'
    )


# A page's plans share a handful of days and labels: each text is made once per process and
# language (Django's date format and get_FOO_display were half the rows' time).
@lru_cache(maxsize=4096)
def _period_text(start: date, end: date, language: str | None) -> str:
    return f"{format_date(start, 'j M Y')} – {format_date(end, 'j M Y')}"


@lru_cache(maxsize=64)
def _state_text(status: str, audience: str, language: str | None) -> str:
    return f"{PlanStatus(status).label} · {Audience(audience).label}"


def _row(row: PortfolioRow, link: tuple[str, str]) -> str:
    plan = row.plan
    language = get_language()
    period = _period_text(plan.period_start, plan.period_end, language)
    state = _state_text(plan.status, plan.audience, language)
    cells = "".join(_stage_cell(status, count) for _, status, count in row.stages)
    overall = row.kpis
    return (
        "    <tr>\n"
        f'      <th scope="row"><a href="{link[0]}{plan.pk}{link[1]}">{escape(plan.name)}</a>'
        f'<br><span class="muted">{escape(state)}</span></th>\n'
        f'      <td class="col-wide">{escape(plan.workspace.name)}</td>\n'
        f'      <td class="col-wide">{escape(period)}</td>\n'
        f"      {cells}\n"
        f'      <td class="cell cell-{overall.status}">{escape(overall.label)}<br>'
        f'<span class="muted">{overall.status.label}</span></td>\n'
        "    </tr>\n"
    )


def table_rows(rows: list[PortfolioRow]) -> SafeString:
    """The `<tr>` of each plan: name and dashboard link, workspace, period, a cell per stage
    (its worst status and number of KPIs) and Overall (how many KPIs are on track)."""
    before, _, after = reverse("kpis-dashboard", args=[_MARK]).rpartition(_MARK)
    return mark_safe(
        "".join(_row(row, (before, after)) for row in rows)
    )  # each text escaped in _row
