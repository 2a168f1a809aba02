"""Where other parts of the app add to the planning side's pages without it importing them.

The planning side knows plans, stages and their items, nothing of what is measured against
them. The measuring side (`kpis`) registers here in its `AppConfig.ready()`: the buttons it
adds to a plan's header, what it deletes along with a plan, what the plan list and the
worksheet's KPI rows say of how the KPIs are doing. History kinds register with
`plans.history.register_kind`; changes to a plan's life are announced by `plans.signals`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q
from django.template.defaultfilters import pluralize
from django.urls import reverse

from plans import access
from plans.models import KPI, Plan


@dataclass(frozen=True)
class PlanLink:
    label: str  # says what it does: "Export PDF"
    url_name: str  # a URL name that takes the plan's id
    writers_only: bool = False  # shown to the workspace's editors and admins only


@dataclass(frozen=True)
class Link:
    label: str
    url: str


_plan_links: list[PlanLink] = []
# Each returns sentences such as "42 recorded actuals" for the plan delete page.
_delete_summaries: list[Callable[[Plan], list[str]]] = []


def add_plan_link(label: str, url_name: str, *, writers_only: bool = False) -> None:
    link = PlanLink(label, url_name, writers_only)
    if link not in _plan_links:  # ready() may run more than once in tests
        _plan_links.append(link)


def plan_links(plan: Plan) -> list[Link]:
    """The buttons other features add to a plan's header, in the order they registered; those
    for writers only when the plan was fetched for one (`plans.access`)."""
    writer = access.is_writer(plan)
    return [
        Link(link.label, reverse(link.url_name, args=[plan.pk]))
        for link in _plan_links
        if writer or not link.writers_only
    ]


def add_delete_summary(summary: Callable[[Plan], list[str]]) -> None:
    if summary not in _delete_summaries:
        _delete_summaries.append(summary)


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{pluralize(count)}"


def _own_rows(plan: Plan) -> list[str]:
    """The plan's objectives, tactics and KPIs; deleted KPIs that could still come back too."""
    kpis = KPI.with_deleted.filter(plan=plan).aggregate(
        live=Count("id", filter=Q(deleted_at__isnull=True)),
        deleted=Count("id", filter=Q(deleted_at__isnull=False)),
    )
    items = ", ".join(
        [
            _counted(plan.objectives.count(), "objective"),
            _counted(plan.tactics.count(), "tactic"),
        ]
    )
    lines = [f"{items} and {kpis['live']} KPI{pluralize(kpis['live'])}"]
    if kpis["deleted"]:
        deleted = _counted(kpis["deleted"], "deleted KPI")
        lines.append(f"{deleted} that could still be restored from the history")
    return lines


def delete_summary(plan: Plan) -> list[str]:
    """What goes with the plan when it is deleted, one line a kind of thing."""
    lines = ["the notes of its five stage worksheets", *_own_rows(plan)]
    for summary in _delete_summaries:
        lines.extend(summary(plan))
    return lines


@dataclass(frozen=True)
class PlanSummary:
    """What another feature says of a plan in the plan list (the measuring side: its KPIs)."""

    label: str  # "14 of 17 on track"
    status: str  # a CSS key for its colour: "on_track", "at_risk", "off_track", "no_data"
    status_label: str  # the colour in words: "On track"
    last_change: datetime | None = None  # the newest change the planning side cannot see


# Each takes a page of plans and answers for those of them it knows, in a fixed number of queries.
_plan_summaries: list[Callable[[list[Plan]], dict[int, PlanSummary]]] = []


def add_plan_summaries(summaries: Callable[[list[Plan]], dict[int, PlanSummary]]) -> None:
    if summaries not in _plan_summaries:
        _plan_summaries.append(summaries)


def plan_summaries(plans: list[Plan]) -> dict[int, PlanSummary]:
    """The summaries of a page of plans by plan id; the last feature to register wins a tie."""
    found: dict[int, PlanSummary] = {}
    for summaries in _plan_summaries:
        found.update(summaries(plans))
    return found


@dataclass(frozen=True)
class KPIReading:
    """What another feature says of a KPI on its worksheet row (the measuring side: its latest
    actual and status, in the dashboard's words and colours)."""

    latest: str  # "EUR 52,495"; "" while it has no actual
    latest_date: date | None
    status: str  # a CSS key for its colour: "on_track", "at_risk", "off_track", "stale", "no_data"
    status_label: str  # the colour in words: "On track"

    @property
    def on_track(self) -> bool:
        return self.status == "on_track"


# Each takes a plan and answers for its KPIs, by KPI id, in a fixed number of queries.
_kpi_readings: list[Callable[[Plan], dict[int, KPIReading]]] = []


def add_kpi_readings(readings: Callable[[Plan], dict[int, KPIReading]]) -> None:
    if readings not in _kpi_readings:
        _kpi_readings.append(readings)


def kpi_readings(plan: Plan) -> dict[int, KPIReading]:
    """Every KPI of the plan that a feature reads, by id; none while nothing registered."""
    found: dict[int, KPIReading] = {}
    for readings in _kpi_readings:
        found.update(readings(plan))
    return found


@dataclass(frozen=True)
class WorksheetPanel:
    """A panel another feature shows on the worksheet, fetched by htmx once the page is drawn
    (the worksheet's own queries stay as they are); without JavaScript, a link to its page."""

    label: str  # the link's text: "Plan health check"
    url_name: str  # the panel's fragment; takes the plan's id
    page_url_name: str  # the page the link opens; takes the plan's id


_worksheet_panels: list[WorksheetPanel] = []


def add_worksheet_panel(label: str, url_name: str, page_url_name: str) -> None:
    panel = WorksheetPanel(label, url_name, page_url_name)
    if panel not in _worksheet_panels:
        _worksheet_panels.append(panel)


def worksheet_panels(plan: Plan) -> list[tuple[Link, str]]:
    """Each panel's link to its page and the URL its placeholder fetches, in registration order."""
    return [
        (
            Link(panel.label, reverse(panel.page_url_name, args=[plan.pk])),
            reverse(panel.url_name, args=[plan.pk]),
        )
        for panel in _worksheet_panels
    ]
