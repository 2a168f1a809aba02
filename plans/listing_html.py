"""The plan list's rows as HTML, written in Python.

A page shows 25 plans of six cells each; the template engine spent half the page's time on
them (lookups, two `{% url %}`-like links, five `|date` filters and `timesince` a row). Here a
row costs a few string joins: the plan link is reversed once per page, every piece of text is
escaped with `django.utils.html.escape` as the template would, and days and labels are
formatted once per process and language. The markup is the one the template wrote
(tests/plans/test_plan_list_html.py compares them).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language

from plans.listing import PlanRow
from plans.models import Audience, PlanStatus

_MARK = "999999999999999999"  # a stand-in plan id: the URL is reversed once, then filled in
_NOTHING = '<span class="muted">—</span>'


# A page's plans share a handful of days and labels: each text is made once per process and
# language (Django's date format and get_FOO_display were a large part of a row's time).
@lru_cache(maxsize=4096)
def _period_text(start: date, end: date, language: str | None) -> str:
    return f"{format_date(start, 'j M Y')} – {format_date(end, 'j M Y')}"


@lru_cache(maxsize=64)
def _badges(audience: str, status: str, language: str | None) -> str:
    return (
        f'<span class="tag tag-{escape(audience)}">{escape(Audience(audience).label)}</span>\n'
        f'              <span class="badge status-{escape(status)}">'
        f"{escape(PlanStatus(status).label)}</span>"
    )


def _last_change(moment: datetime | None, now: datetime) -> str:
    """As `|date` (in the current time zone) and `|timesince` wrote it; — when never changed."""
    if moment is None:
        return _NOTHING
    local = timezone.localtime(moment)  # as the template showed it: USE_TZ is on
    ago = escape(timesince(moment, now))
    return (
        f'<time datetime="{escape(format_date(local, "c"))}" '
        f'title="{escape(format_date(local, "j M Y H:i"))}">{ago} ago</time>'
    )


def _summary(row: PlanRow) -> str:
    summary = row.summary
    if summary is None:
        return _NOTHING
    return (
        f'<span class="rollup rollup-{escape(summary.status)}">{escape(summary.label)}</span>'
        f'<br><span class="muted small">{escape(summary.status_label)}</span>'
    )


def _row(row: PlanRow, link: tuple[str, str], now: datetime, language: str | None) -> str:
    plan = row.plan
    gone = f"{row.elapsed} % of the period gone"
    return (
        "\n          <tr>\n"
        f'            <th scope="row"><a href="{link[0]}{plan.pk}{link[1]}">{escape(plan.name)}</a>'
        "<br>\n"
        f"              {_badges(plan.audience, plan.status, language)}</th>\n"
        f"            <td>{escape(plan.workspace.name)}</td>\n"
        f"            <td>{escape(row.owner)}</td>\n"
        '            <td class="nowrap">'
        f"{escape(_period_text(plan.period_start, plan.period_end, language))}\n"
        f'              <span class="period-bar" role="img" aria-label="{gone}">'
        f'<span style="width: {row.elapsed}%"></span></span>\n'
        f'              <span class="muted small">{gone}</span></td>\n'
        f'            <td class="nowrap">{_summary(row)}</td>\n'
        f'            <td class="nowrap">{_last_change(row.last_change, now)}</td>\n'
        "          </tr>\n        "
    )


def table_rows(rows: list[PlanRow]) -> SafeString:
    """The `<tr>` of each plan: its name, worksheet link, audience and state; workspace; owner;
    period and how much of it is gone; KPIs on track; how long ago it last changed."""
    before, _, after = reverse("plans-detail", args=[_MARK]).rpartition(_MARK)
    now, language = timezone.now(), get_language()
    return mark_safe(
        "".join(_row(row, (before, after), now, language) for row in rows)
    )  # each text escaped in _row
