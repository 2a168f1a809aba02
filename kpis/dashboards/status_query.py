"""KPI and plan statuses computed inside the database, so the portfolio filters and pages plans
without reading every plan's actuals (a plan's status is the roll-up of `progress.rollup`).

A status depends on today's date (future-dated actuals do not count yet, staleness grows every
day), so it cannot be stored when an actual is written; it is computed in the query instead, by
`race_kpi_status(...)`, a function with the same rules as `progress.progress()`, and a plan's
roll-up is kept (`PlanRollup`) with the day and the plan revision it was judged under:

- on PostgreSQL, a SQL function created by migration `kpis/0006_kpi_status_function`: exact
  `numeric` arithmetic, divisions multiplied out, thresholds passed in from `progress.py`;
- on SQLite, which stores numbers as floats, progress.py's own rules (`is_stale`,
  `status_of_latest`, the parts of `progress()`), registered on each new connection
  (`register_sqlite_function`), reading numbers back as Django does.

tests/kpis/dashboards/test_portfolio_status.py holds the two to the Python rules on both databases.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Context, Decimal
from functools import lru_cache
from typing import Any

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    CharField,
    DateField,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)

from kpis.dashboards.progress import (
    AT_RISK_GAP,
    DIRECTIONS,
    OFF_TRACK_GAP,
    STALE_AFTER_DAYS,
    Status,
    is_stale,
    rollup,
    status_of_latest,
    summarise,
)
from kpis.models import Measurement, PlanRollup
from plans.models import KPI, Plan, Stage
from race_planner.numbers import VALUE_DIGITS, VALUE_PLACES

FUNCTION = "race_kpi_status"


def latest_actual(kpis: QuerySet[KPI], today: date) -> QuerySet[KPI]:
    """The KPIs with the date and value of their latest actual on or before `today` (later
    ones are typos or plans, not actuals yet): `latest_date`, `latest_value`. Each is one
    probe of the (kpi, date) unique index."""
    latest = Measurement.objects.filter(kpi=OuterRef("pk"), date__lte=today).order_by("-date")
    return kpis.annotate(
        latest_date=Subquery(latest.values("date")[:1], output_field=DateField()),
        latest_value=Subquery(
            latest.values("value")[:1],
            output_field=DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES),
        ),
    )


def kpi_status(today: date, *, start: F, end: F) -> Func:
    """A KPI row's status as of `today` (needs the `latest_actual` annotations); `start` and
    `end` point at its plan's period."""
    return Func(
        F("baseline"),
        F("target"),
        F("direction"),
        start,
        end,
        F("latest_date"),
        F("latest_value"),
        Value(today, output_field=DateField()),
        Value(AT_RISK_GAP),
        Value(OFF_TRACK_GAP),
        Value(STALE_AFTER_DAYS),
        function=FUNCTION,
        output_field=CharField(),
    )


def with_status(plans: QuerySet[Plan], status: Status, *, today: date) -> QuerySet[Plan]:
    """The plans whose roll-up (`progress.rollup`: the share of KPIs on track, the Overall
    column) has the colour `status`; a plan without KPIs has no data.

    Each plan's colour is kept in `PlanRollup` with the day it was judged and the plan's
    revision and last save: a plan whose stored colour still holds is not judged again, the
    others (new today, or written since) are judged in one query and stored, so the filter's
    cost follows the plans that changed, not the number of plans."""
    fresh = PlanRollup.objects.filter(
        plan=OuterRef("pk"),
        revision=OuterRef("content_revision"),
        plan_updated_at=OuterRef("updated_at"),
        judged_on=today,
    )
    stale = plans.filter(~Exists(fresh)).order_by()
    judged = judge_rollups(list(stale.values_list("pk", "content_revision", "updated_at")), today)
    found_now = [rollup.plan_id for rollup in judged if rollup.status == status]
    return plans.filter(Q(Exists(fresh.filter(status=status))) | Q(pk__in=found_now))


def judge_rollups(plans: list[tuple[int, int, datetime]], today: date) -> list[PlanRollup]:
    """Judge these plans (id, revision and last save, read before their KPIs, so a write in
    between leaves a stored row stale, never wrong) in one query and store what they show."""
    if not plans:
        return []
    judged = (
        latest_actual(KPI.objects.filter(plan__in=[pk for pk, _, _ in plans]), today)
        .annotate(
            judged=kpi_status(today, start=F("plan__period_start"), end=F("plan__period_end"))
        )
        .order_by()
        .values_list("plan", "stage", "judged")
    )
    statuses: dict[tuple[int, str], list[Status]] = defaultdict(list)
    for plan, stage, kpi_status_value in judged:
        statuses[(plan, stage)].append(Status(kpi_status_value))
    rollups = []
    for pk, revision, updated_at in plans:
        by_stage = [statuses[(pk, stage.value)] for stage in Stage]
        overall = rollup(status for found in by_stage for status in found)
        rollups.append(
            PlanRollup(
                plan_id=pk,
                revision=revision,
                plan_updated_at=updated_at,
                judged_on=today,
                status=overall.status.value,
                on_track=overall.on_track,
                stages=" ".join(f"{summarise(found)}:{len(found)}" for found in by_stage),
            )
        )
    # The rows are only kept for the next request: when keeping them fails (a plan deleted
    # meanwhile, a busy SQLite file, another request's lock), this request still shows them.
    # In the order of the plans' ids, so two requests keeping the same rows never deadlock.
    try:
        with transaction.atomic():
            PlanRollup.objects.bulk_create(
                sorted(rollups, key=lambda row: row.plan_id),
                update_conflicts=True,
                unique_fields=["plan"],
                update_fields=[
                    "revision",
                    "plan_updated_at",
                    "judged_on",
                    "status",
                    "on_track",
                    "stages",
                ],
            )
    except DatabaseError:
        pass
    return rollups


def stage_cells(kept: PlanRollup) -> list[tuple[Stage, Status, int]]:
    """A stored row's stages: (stage, worst status, number of KPIs) each."""
    cells = (cell.split(":") for cell in kept.stages.split())
    return [
        (stage, Status(status), int(count))
        for stage, (status, count) in zip(Stage, cells, strict=True)
    ]


# How Django reads a decimal column back from SQLite, which stores it as a float.
_from_float = Context(prec=15).create_decimal_from_float
_PLACES, _DIGITS = Decimal(1).scaleb(-VALUE_PLACES), Context(prec=VALUE_DIGITS)


# The filter judges every KPI of every plan, thousands a request: the same baselines, targets
# and days come again and again, so each is converted once (a cache hit is a dict lookup).
@lru_cache(maxsize=4096)
def _decimal(stored: float | int) -> Decimal:
    """A number as SQLite stores it, read back as Django reads it: the same Decimal exactly."""
    return _from_float(stored).quantize(_PLACES, context=_DIGITS)


_day = lru_cache(maxsize=4096)(date.fromisoformat)


def _sqlite_status(
    baseline: float,
    target: float,
    direction: str,
    start: str,
    end: str,
    latest_date: str | None,
    latest_value: float | None,
    today: str,
    *thresholds: object,  # progress() reads the same constants itself
) -> str:
    # The rules of progress() (its tests hold this function to it), taken in the order that
    # makes the fewest Decimals: no actual, then a stale one, then the arithmetic.
    if direction not in DIRECTIONS:
        raise ValueError(f"Direction must be 'up' or 'down', not {direction!r}.")
    if latest_date is None or latest_value is None:
        return Status.NO_DATA.value
    latest_day, period_end, day = _day(latest_date), _day(end), _day(today)
    if latest_day > day:  # a future actual does not count (the query asks up to today)
        return Status.NO_DATA.value
    if is_stale(latest_day, today=day, end=period_end):
        return Status.STALE.value
    return status_of_latest(
        baseline=_decimal(baseline),
        target=_decimal(target),
        direction=direction,
        start=_day(start),
        end=period_end,
        latest_date=latest_day,
        latest=_decimal(latest_value),
        today=day,
    ).value


def register_sqlite_function(
    sender: type[BaseDatabaseWrapper], connection: BaseDatabaseWrapper, **kwargs: Any
) -> None:
    """`connection_created` receiver: SQLite runs `race_kpi_status` as Python."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 11, _sqlite_status, deterministic=True)
