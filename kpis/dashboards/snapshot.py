"""Everything a dashboard or the review PDF shows about one plan, read in a constant number of queries.

`plan_snapshot` runs four queries whatever the size of the plan (KPIs, measurements, worksheets,
tactics) and hands back frozen dataclasses: the dashboard, the portfolio page and the PDF all
judge a plan from the same numbers.

Filters:
- `start` / `end` keep the actuals dated inside the period (both ends included) and judge each
  KPI as of `min(today, end)`; when given explicitly they also keep the tactics whose dates
  overlap the period (tactics without dates always count).
- `audience` ("b2c" or "b2b") keeps the items tagged with that audience or "all".
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal
from functools import cache, cached_property
from itertools import groupby
from operator import itemgetter

from django.db import connections, router
from django.db.models import CharField, DateField, Q, QuerySet
from django.utils import timezone

from kpis.dashboards.funnel import FUNNEL_STAGES, FunnelStep, build_funnel
from kpis.dashboards.progress import Progress, Rollup, Status, progress, summarise
from kpis.dashboards.status_query import judge_rollups, stage_cells
from kpis.models import Measurement, PlanRollup
from plans.models import KPI, ItemAudience, Plan, Stage, StageWorksheet, Tactic, Unit
from race_planner.numbers import VALUE_DIGITS, VALUE_PLACES
from race_planner.prepared import DAY, PLAN_ID, Marker, Prepared

NO_CHANNEL = "No channel"
AUDIENCES = (ItemAudience.B2C.value, ItemAudience.B2B.value)
_PLACES = Decimal(1).scaleb(-VALUE_PLACES)

# A measured value as the database hands it over: a Decimal (PostgreSQL), or a float or int
# (SQLite keeps decimals as numbers). `actual()` makes it the Decimal the ORM would have made.
RawValue = Decimal | float | int
_FROM_FLOAT = Context(prec=15).create_decimal_from_float  # the ORM's SQLite converter
_VALUE_CONTEXT = Context(prec=VALUE_DIGITS)


def actual(value: RawValue) -> Decimal:
    """A measured value as the ORM reads it: a Decimal with the column's places."""
    if isinstance(value, Decimal):
        return value
    return _FROM_FLOAT(value).quantize(_PLACES, context=_VALUE_CONTEXT)


@dataclass(frozen=True)
class KPIStatus:
    """A KPI judged, with its actuals inside the period sorted by date.

    A dashboard of 200 KPIs shows ten thousand actuals: they stay as read (`dates`, `values`)
    and charts take them as floats; `measurements` makes Decimals of them for those who ask.
    """

    kpi: KPI
    dates: list[date]
    values: list[RawValue]  # float(value) for a chart, actual(value) for arithmetic
    progress: Progress

    @cached_property
    def floats(self) -> list[float]:
        return list(map(float, self.values))

    @cached_property
    def measurements(self) -> list[tuple[date, Decimal]]:
        return [(on, actual(value)) for on, value in zip(self.dates, self.values, strict=True)]

    @property
    def first(self) -> tuple[date, Decimal]:
        """The first actual in the period (IndexError without actuals)."""
        return self.dates[0], actual(self.values[0])

    @property
    def last(self) -> tuple[date, Decimal]:
        """The latest actual in the period (IndexError without actuals)."""
        return self.dates[-1], actual(self.values[-1])


@dataclass(frozen=True)
class StageSummary:
    stage: Stage
    status: Status
    kpis: list[KPIStatus]
    budget_planned: Decimal
    budget_spent: Decimal

    @property
    def status_counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for item in self.kpis:
            counts[item.progress.status] += 1
        return counts


@dataclass(frozen=True)
class PlanSnapshot:
    plan: Plan
    today: date
    start: date
    end: date
    audience: str | None
    stages: list[StageSummary]  # RACE order, "plan" first
    funnel: list[FunnelStep]
    budget_by_channel: list[tuple[str, Decimal, Decimal]]  # (channel, planned, spent)

    @property
    def kpis(self) -> list[KPIStatus]:
        return [item for stage in self.stages for item in stage.kpis]

    @property
    def status(self) -> Status:
        """The plan's overall status: its worst stage."""
        return summarise(stage.status for stage in self.stages if stage.kpis)

    @property
    def budget_planned(self) -> Decimal:
        return sum((stage.budget_planned for stage in self.stages), Decimal(0))

    @property
    def budget_spent(self) -> Decimal:
        return sum((stage.budget_spent for stage in self.stages), Decimal(0))

    @property
    def as_of(self) -> date:
        """The day the statuses are judged on: today, or the end of an earlier period."""
        return min(self.today, self.end)


def _audience_filter(audience: str | None) -> Q:
    if audience is None:
        return Q()
    return Q(audience__in=(ItemAudience.ALL.value, audience))


# Stand-ins for the audience asked and the end of the period while the SQL is written.
AUDIENCE = Marker("~audience~", "~other audience~", CharField())
PERIOD_END = Marker(date(1901, 2, 4), date(1902, 3, 5), DateField())


def _kpis(plan: int, audience: str | None = None) -> QuerySet[KPI]:
    kpis = KPI.objects.filter(_audience_filter(audience), plan=plan)
    return kpis.select_related("owner").order_by("stage", "position", "id")


def _tactics(
    plan: int, audience: str | None = None, start: date | None = None, end: date | None = None
) -> QuerySet[Tactic, tuple[str, str, Decimal, Decimal]]:
    tactics = Tactic.objects.filter(_audience_filter(audience), plan=plan)
    if start is not None and end is not None:  # tactics without dates always count
        tactics = tactics.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=end),
            Q(end_date__isnull=True) | Q(end_date__gte=start),
        )
    return tactics.values_list("stage", "channel", "budget_planned", "budget_spent")


# The KPIs and the tactics of a plan, by whether an audience (and for tactics an explicit
# period) is asked: compiling either query cost the ORM as long as running it at 40 KPIs.
_KPIS = {
    False: Prepared(KPI, _kpis, plan=PLAN_ID),
    True: Prepared(KPI, _kpis, plan=PLAN_ID, audience=AUDIENCE),
}
_PERIOD = {"start": DAY, "end": PERIOD_END}
_TACTICS = {
    (False, False): Prepared(Tactic, _tactics, plan=PLAN_ID),
    (True, False): Prepared(Tactic, _tactics, plan=PLAN_ID, audience=AUDIENCE),
    (False, True): Prepared(Tactic, _tactics, plan=PLAN_ID, **_PERIOD),
    (True, True): Prepared(Tactic, _tactics, plan=PLAN_ID, audience=AUDIENCE, **_PERIOD),
}


def _progress(
    kpi: KPI, plan: Plan, dates: list[date], values: list[RawValue], today: date
) -> Progress:
    """A KPI judged against its plan's period, as of `today`: by its latest actual up to then
    (the only one `progress` looks at; the dates are sorted)."""
    known = bisect_right(dates, today)
    latest = [(dates[known - 1], actual(values[known - 1]))] if known else []
    return progress(
        baseline=kpi.baseline,
        target=kpi.target,
        direction=kpi.direction,
        start=plan.period_start,
        end=plan.period_end,
        measurements=latest,
        today=today,
    )


def _columns(alias: str, model: type[Measurement | KPI | StageWorksheet], *names: str) -> list[str]:
    """Columns of a model as a database names them in SQL: "table"."column"."""
    quote = connections[alias].ops.quote_name
    table = quote(model._meta.db_table)
    column = {field.name: field.column for field in model._meta.concrete_fields}
    return [f"{table}.{quote(column[name])}" for name in names]


@cache
def _series_sql(alias: str) -> str:
    """The SQL of `_series`, written once per process: the ORM took as long to write it on
    every first view as a plan of 40 KPIs took to run it. Only the models' own names go
    into the text, quoted as that database quotes them; the plan and dates are parameters.

    SQLite hands the dates over as text (date.fromisoformat reads them in C) and reads the
    rows off the index on (kpi, date, value) alone (kpis/0011); ordered by the KPI's id, which
    the plan's index gives in order, it sorts nothing.
    """
    quote = connections[alias].ops.quote_name
    kpi_id, day, value = _columns(alias, Measurement, "kpi", "date", "value")
    pk, plan_id, deleted_at = _columns(alias, KPI, "id", "plan", "deleted_at")
    m, k = quote(Measurement._meta.db_table), quote(KPI._meta.db_table)
    shown_day = f"CAST({day} AS text)" if connections[alias].vendor == "sqlite" else day
    return (
        f"SELECT {kpi_id}, {shown_day}, {value} FROM {m} INNER JOIN {k} "  # noqa: S608
        f"ON {kpi_id} = {pk} WHERE {plan_id} = %s AND {deleted_at} IS NULL "
        f"AND {day} >= %s AND {day} <= %s ORDER BY {pk}, {day}"
    )


def _series(plan: Plan, start: date, end: date) -> dict[int, tuple[list[date], list[RawValue]]]:
    """Each live KPI's actuals in start..end, sorted by date, in one pass over one query.

    The ORM would make a Decimal of every value and (on SQLite) parse every date in Python,
    most of a large dashboard's time: here the values stay as the driver returns them.
    """
    alias = router.db_for_read(Measurement)
    ops = connections[alias].ops
    sqlite = connections[alias].vendor == "sqlite"
    # Filter by plan, not by a list of ids, so the query stays the same size for any plan;
    # rows of KPIs left out by the audience filter are skipped by the caller.
    params = [plan.pk, ops.adapt_datefield_value(start), ops.adapt_datefield_value(end)]
    series: dict[int, tuple[list[date], list[RawValue]]] = {}
    with connections[alias].cursor() as cursor:
        cursor.execute(_series_sql(alias), params)
        # Row by row, not fetchall(): a KPI's rows are gone once its lists are made, so ten
        # thousand rows never live at once and set the garbage collector off a dozen times.
        for kpi_id, group in groupby(cursor, itemgetter(0)):
            _, days, values = zip(*group, strict=True)
            dates = list(map(date.fromisoformat, days)) if sqlite else list(days)
            series[kpi_id] = (dates, list(values))
    return series


@cache
def _primary_kpis_sql(alias: str) -> str:
    """The SQL of `_primary_kpis`, written once per process like `_series_sql`."""
    table = connections[alias].ops.quote_name(StageWorksheet._meta.db_table)
    plan_id, stage, primary = _columns(alias, StageWorksheet, "plan", "stage", "primary_kpi")
    stages = ", ".join(["%s"] * len(FUNNEL_STAGES))
    return (
        f"SELECT {stage}, {primary} FROM {table} "  # noqa: S608
        f"WHERE {plan_id} = %s AND {stage} IN ({stages})"
    )


def _primary_kpis(plan: Plan) -> dict[str, int | None]:
    """Each funnel stage's primary KPI id, by stage."""
    alias = router.db_for_read(StageWorksheet)
    with connections[alias].cursor() as cursor:
        cursor.execute(_primary_kpis_sql(alias), [plan.pk, *FUNNEL_STAGES])
        return dict(cursor.fetchall())


def plan_snapshot(
    plan: Plan,
    *,
    today: date | None = None,
    start: date | None = None,
    end: date | None = None,
    audience: str | None = None,
) -> PlanSnapshot:
    today = today or timezone.localdate()
    explicit_period = start is not None or end is not None
    start = start or plan.period_start
    end = end or plan.period_end
    if end < start:
        raise ValueError("The period ends before it starts.")
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"Audience must be 'b2c' or 'b2b', not {audience!r}.")
    of_audience = {} if audience is None else {"audience": audience}

    kpis = _KPIS[audience is not None].objects(plan=plan.pk, **of_audience)
    series = _series(plan, start, end)

    as_of = min(today, end)
    statuses: dict[str, list[KPIStatus]] = defaultdict(list)
    by_id: dict[int, KPIStatus] = {}
    for kpi in kpis:
        dates, values = series.get(kpi.pk) or ([], [])
        item = KPIStatus(
            kpi=kpi,
            dates=dates,
            values=values,
            progress=_progress(kpi, plan, dates, values, as_of),
        )
        statuses[kpi.stage].append(item)
        by_id[kpi.pk] = item

    in_period = {"start": start, "end": end} if explicit_period else {}
    tactics = _TACTICS[audience is not None, explicit_period]
    planned_by_stage: dict[str, Decimal] = defaultdict(Decimal)
    spent_by_stage: dict[str, Decimal] = defaultdict(Decimal)
    by_channel: dict[str, list[Decimal]] = {}
    for stage, channel, planned, spent in tactics.rows(plan=plan.pk, **of_audience, **in_period):
        planned_by_stage[stage] += planned
        spent_by_stage[stage] += spent
        totals = by_channel.setdefault(channel.strip() or NO_CHANNEL, [Decimal(0), Decimal(0)])
        totals[0] += planned
        totals[1] += spent

    stages = [
        StageSummary(
            stage=stage,
            status=summarise(item.progress.status for item in statuses[stage.value]),
            kpis=statuses[stage.value],
            budget_planned=planned_by_stage[stage.value],
            budget_spent=spent_by_stage[stage.value],
        )
        for stage in Stage
    ]

    primary = _primary_kpis(plan)
    volumes: dict[str, tuple[str | None, Decimal | None, Decimal | None]] = {}
    not_volumes: dict[str, str] = {}
    for stage_name in FUNNEL_STAGES:
        volume = by_id.get(primary.get(stage_name) or 0)
        if volume is not None and volume.kpi.unit == Unit.COUNT:
            volumes[stage_name] = (volume.kpi.name, volume.kpi.target, volume.progress.latest)
        elif volume is not None:
            not_volumes[stage_name] = volume.kpi.name

    channels = sorted(by_channel.items(), key=lambda entry: (-entry[1][0], entry[0].lower()))
    return PlanSnapshot(
        plan=plan,
        today=today,
        start=start,
        end=end,
        audience=audience,
        stages=stages,
        funnel=build_funnel(volumes, not_volumes=not_volumes),
        budget_by_channel=[(name, planned, spent) for name, (planned, spent) in channels],
    )


@dataclass(frozen=True)
class PortfolioRow:
    plan: Plan
    stages: list[tuple[Stage, Status, int]]  # (stage, worst status, number of KPIs)
    status: Status  # the worst stage's
    kpis: Rollup  # how many KPIs are on track: the Overall column

    @property
    def kpi_count(self) -> int:
        return sum(count for _, _, count in self.stages)


def portfolio(plans: list[Plan], *, today: date | None = None) -> list[PortfolioRow]:
    """Each plan's status per stage as of today. A plan's row is kept (`PlanRollup`) with the
    day and the plan revision and last save it was judged under: those still right are read in
    one query, the others judged in one more (status_query.judge_rollups: each KPI's latest
    actual and `race_kpi_status` in the database) and kept for the next request."""
    today = today or timezone.localdate()
    kept = {
        row.plan_id: row
        for row in PlanRollup.objects.filter(plan__in=[plan.pk for plan in plans], judged_on=today)
    }
    stale = [
        (plan.pk, plan.content_revision, plan.updated_at)
        for plan in plans
        if plan.pk not in kept
        or (kept[plan.pk].revision, kept[plan.pk].plan_updated_at)
        != (plan.content_revision, plan.updated_at)
    ]
    kept |= {row.plan_id: row for row in judge_rollups(stale, today)}
    result_rows = []
    for plan in plans:
        row = kept[plan.pk]
        stages = stage_cells(row)
        overall = summarise(status for _, status, count in stages if count)
        kpis = Rollup(row.on_track, sum(count for _, _, count in stages), Status(row.status))
        result_rows.append(PortfolioRow(plan=plan, stages=stages, status=overall, kpis=kpis))
    return result_rows
