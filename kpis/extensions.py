"""What the measuring side adds to the planning side, connected in `KpisConfig.ready()`.

The planning side never names actuals; it offers extension points and this module fills them:
the portfolio and the capability audit in the top navigation, the Dashboard and Export PDF buttons on a plan, the actuals
deleted with a plan, the KPI roll-up and newest actual in the plan list, each KPI's latest actual
and status on the worksheet, the health check's panel on the worksheet, the actuals in a plan's
history, and baselines taken from the last actuals when a plan is rolled forward.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Max, QuerySet
from django.db.models.signals import post_delete, post_save
from django.template.defaultfilters import pluralize
from django.utils import timezone

from kpis.dashboards.progress import Status
from kpis.dashboards.snapshot import portfolio
from kpis.dashboards.status_query import kpi_status, latest_actual
from kpis.formatting import kpi_value
from kpis.models import Measurement
from plans import extensions, history, listing, revisions
from plans.models import KPI, Plan
from plans.signals import rolling_forward
from race_planner.navigation import add_nav_link
from race_planner.prepared import DAY, PLAN_ID, Prepared


def _recorded_actuals(plan: Plan) -> list[str]:
    """Deleted KPIs' actuals included: they go with the plan too."""
    count = Measurement.objects.filter(kpi__plan=plan).count()
    return [f"{count} recorded actual{pluralize(count)}"]


def _actual_title(record: Any, names: history.Names) -> str:
    kpi = names["kpi"].get(record.kpi_id, "a KPI")
    return f"Actual of “{kpi}” for {record.date:%-d %b %Y}"


def _plan_kpis(plan: Plan) -> list[int]:
    """The plan's KPIs, deleted ones included, whose actuals' trails the history reads, each off
    the index on (kpi, history_date, history_id). Read first: given a subquery instead,
    PostgreSQL walked every plan's trail newest first looking for them."""
    kpis = history.history_of(KPI).filter(plan_id=plan.pk).order_by().values_list("id", flat=True)
    return sorted(set(kpis))


ACTUALS_IN_HISTORY = history.HistoryKind(
    "actual",
    Measurement,
    _actual_title,
    owner="kpi",
    owners=_plan_kpis,
    skipped=frozenset({"recorded_at", "recorded_by"}),
    # New actuals are listed on the actuals page; the history shows corrections and deletions.
    shows_created=False,
)


def _newest_actuals_query(**slots: int) -> QuerySet[Any, Any]:
    return (
        history.history_of(Measurement)
        .filter(kpi__plan__in=list(slots.values()))
        .values("kpi__plan")
        .annotate(newest=Max("history_date"))
        .values_list("kpi__plan", "newest")
    )


# Every view of the plan list asks it for a page of plans: its SQL is written once per process.
_NEWEST_ACTUALS = Prepared(Measurement, _newest_actuals_query, **listing.PLAN_SLOTS)


def _kpi_summaries(plans: list[Plan]) -> dict[int, extensions.PlanSummary]:
    """How many of each plan's KPIs are on track (the same roll-up as the portfolio) and when
    an actual was last recorded or corrected: two queries for a page of plans."""
    newest = {
        plan: when
        for slots in listing.in_slots(plans)
        for plan, when in _NEWEST_ACTUALS.rows(**slots)
    }
    return {
        row.plan.pk: extensions.PlanSummary(
            label=row.kpis.label,
            status=row.kpis.status.value,
            status_label=row.kpis.status.label,
            last_change=newest.get(row.plan.pk),
        )
        for row in portfolio(plans, today=timezone.localdate())
    }


def _readings_query(plan: int, today: date) -> QuerySet[KPI, Any]:
    period = {"start": F("plan__period_start"), "end": F("plan__period_end")}
    return (
        latest_actual(KPI.objects.filter(plan=plan), today)
        .annotate(judged=kpi_status(today, **period))
        .values_list("pk", "unit", "latest_date", "latest_value", "judged")
    )


# Every first view of a worksheet asks it: its SQL is written once per process.
_READINGS = Prepared(KPI, _readings_query, plan=PLAN_ID, today=DAY)


def _kpi_readings(plan: Plan) -> dict[int, extensions.KPIReading]:
    """Each KPI's latest actual and status as of today, judged in the database by the rule the
    dashboard uses (`status_query.kpi_status`, `progress.progress` on SQLite): one query."""
    readings = {}
    for pk, unit, latest_date, latest_value, judged in _READINGS.rows(
        plan=plan.pk, today=timezone.localdate()
    ):
        status = Status(judged)
        latest = "" if latest_value is None else kpi_value(latest_value, unit, plan.currency)
        readings[pk] = extensions.KPIReading(latest, latest_date, status.value, status.label)
    return readings


def baselines_from_last_actuals(
    sender: type[Plan], *, old: Plan, new: Plan, kpi_map: dict[int, KPI], **kwargs: Any
) -> None:
    """A rolled-forward KPI starts from where the old one got to (its baseline when unmeasured)."""
    latest = Measurement.objects.filter(kpi_id__in=kpi_map).order_by("kpi_id", "date")
    for kpi_id, value in latest.values_list("kpi_id", "value"):
        kpi_map[kpi_id].baseline = value  # later dates overwrite earlier ones


def _actual_changed(sender: type[Measurement], instance: Measurement, **kwargs: Any) -> None:
    """One actual saved or deleted (an edit, a delete, the admin): its KPI's row on the
    worksheet shows the latest actual and status. Many at once: `record_actuals` says so."""
    if not revisions.deleting_plan(kwargs.get("origin")):
        revisions.content_changed(KPI.with_deleted.filter(pk=instance.kpi_id).values("plan_id"))


def connect() -> None:
    add_nav_link("Dashboard", "kpis-portfolio")
    add_nav_link("Capability audit", "kpis-audits")
    extensions.add_plan_link("Dashboard", "kpis-dashboard")
    extensions.add_plan_link("Export PDF", "kpis-review")
    extensions.add_plan_link("Export Excel", "kpis-export-xlsx")
    extensions.add_plan_link("90-day plan", "kpis-improve")
    extensions.add_delete_summary(_recorded_actuals)
    extensions.add_plan_summaries(_kpi_summaries)
    extensions.add_kpi_readings(_kpi_readings)
    extensions.add_worksheet_panel("Plan health check", "kpis-health-panel", "kpis-health")
    history.register_kind(ACTUALS_IN_HISTORY)
    rolling_forward.connect(baselines_from_last_actuals, sender=Plan, dispatch_uid="kpis-baselines")
    post_save.connect(_actual_changed, sender=Measurement, dispatch_uid="kpis-actual-saved")
    post_delete.connect(_actual_changed, sender=Measurement, dispatch_uid="kpis-actual-deleted")
