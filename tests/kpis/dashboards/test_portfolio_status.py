"""Statuses computed in the database (race_kpi_status) agree with progress(), on both databases,
and the portfolio's status filter finds exactly the plans the page shows with that status."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from kpis.dashboards.progress import AT_RISK_GAP, OFF_TRACK_GAP, STALE_AFTER_DAYS, Status, progress
from kpis.dashboards.snapshot import portfolio
from kpis.dashboards.status_query import judge_rollups, kpi_status, latest_actual, with_status
from kpis.models import PlanRollup
from plans.history import delete_item
from plans.models import KPI, Plan
from tests.factories import make_kpi, make_measurement, make_plan

START, END = date(2026, 7, 1), date(2026, 9, 30)  # 91 days


def _in_database(kpi: KPI, today: date) -> Status:
    judged = (
        latest_actual(KPI.with_deleted.filter(pk=kpi.pk), today)
        .annotate(
            status=kpi_status(today, start=F("plan__period_start"), end=F("plan__period_end"))
        )
        .values_list("status", flat=True)
        .get()
    )
    return Status(judged)


def _in_python(kpi: KPI, today: date) -> Status:
    kept = [(m.date, m.value) for m in kpi.measurements.all()]
    return progress(
        baseline=kpi.baseline,
        target=kpi.target,
        direction=kpi.direction,
        start=kpi.plan.period_start,
        end=kpi.plan.period_end,
        measurements=kept,
        today=today,
    ).status


def _judge(
    *,
    value: str | None,
    on: date = date(2026, 8, 1),
    today: date = date(2026, 8, 10),
    baseline: str = "0",
    target: str = "91",
    direction: str = "up",
    start: date = START,
    end: date = END,
) -> tuple[Status, Status]:
    plan = make_plan(period_start=start, period_end=end)
    kpi = make_kpi(plan=plan, baseline=baseline, target=target, direction=direction)
    if value is not None:
        make_measurement(kpi=kpi, on=on, value=value)
    kpi.refresh_from_db()
    return _in_database(kpi, today), _in_python(kpi, today)


# On 1 Aug 2026, 31 of 91 days in, a KPI from 0 to 91 is expected at 31: a shortfall of exactly
# 5 % of the planned change (4.55) is still on track, exactly 15 % (13.65) still at risk.
CASES = {
    "no actual": ({"value": None}, Status.NO_DATA),
    "only a future actual": ({"value": "31", "on": date(2026, 8, 20)}, Status.NO_DATA),
    "on pace": ({"value": "31"}, Status.ON_TRACK),
    "5 % behind exactly": ({"value": str(31 - 91 * AT_RISK_GAP)}, Status.ON_TRACK),
    "just over 5 % behind": (
        {"value": str(31 - 91 * AT_RISK_GAP - Decimal("0.0001"))},
        Status.AT_RISK,
    ),
    "15 % behind exactly": ({"value": str(31 - 91 * OFF_TRACK_GAP)}, Status.AT_RISK),
    "just over 15 % behind": (
        {"value": str(31 - 91 * OFF_TRACK_GAP - Decimal("0.0001"))},
        Status.OFF_TRACK,
    ),
    "down, on pace": (
        {"value": "60", "baseline": "91", "target": "0", "direction": "down"},
        Status.ON_TRACK,
    ),
    "down, 15 % above": (
        {
            "value": str(60 + 91 * OFF_TRACK_GAP),
            "baseline": "91",
            "target": "0",
            "direction": "down",
        },
        Status.AT_RISK,
    ),
    "stale by a day": (
        {"value": "31", "today": date(2026, 8, 1) + timedelta(days=STALE_AFTER_DAYS + 1)},
        Status.STALE,
    ),
    "old but still fresh": (
        {"value": "31", "today": date(2026, 8, 1) + timedelta(days=STALE_AFTER_DAYS)},
        Status.ON_TRACK,
    ),
    "period over, age counts to its end": (
        {"value": "91", "on": date(2026, 9, 9), "today": date(2026, 12, 1)},
        Status.ON_TRACK,
    ),
    "measured after the end, against the target": (
        {"value": "90", "on": date(2026, 10, 5), "today": date(2026, 12, 1)},
        Status.ON_TRACK,
    ),
    "measured before the start, against the baseline": (
        {"value": "-1", "on": date(2026, 6, 25), "today": date(2026, 7, 2)},
        Status.ON_TRACK,
    ),
    "a one-day period aims at the target": (
        {"value": "70", "on": START, "today": START, "start": START, "end": START},
        Status.OFF_TRACK,
    ),
    "no planned change: target is the yardstick": (
        {"value": "95", "baseline": "100", "target": "100"},
        Status.ON_TRACK,
    ),
    "no planned change from zero: any shortfall is off track": (
        {"value": "-0.0001", "baseline": "0", "target": "0"},
        Status.OFF_TRACK,
    ),
    "decimals near the float limit": (
        {"value": "31.0001", "baseline": "0.0003", "target": "99999999999.9999"},
        Status.OFF_TRACK,
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_database_judges_a_kpi_as_progress_does(db: None, case: str) -> None:
    arguments, expected = CASES[case]
    in_database, in_python = _judge(**arguments)  # type: ignore[arg-type]
    assert in_python == expected  # the case is what its name says
    assert in_database == expected


values = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False)


class TestAgreementOnAnyNumbers(HypothesisTestCase):
    @settings(max_examples=60, deadline=None)
    @given(
        baseline=values,
        target=values,
        latest=values,
        direction=st.sampled_from(["up", "down"]),
        day=st.integers(min_value=-10, max_value=120),
        age=st.integers(min_value=0, max_value=40),
    )
    def test_same_status(self, baseline, target, latest, direction, day, age) -> None:
        on = START + timedelta(days=day)
        in_database, in_python = _judge(
            value=str(latest),
            on=on,
            today=on + timedelta(days=age),
            baseline=str(baseline),
            target=str(target),
            direction=direction,
        )
        assert in_database == in_python


def test_the_filter_finds_exactly_the_plans_shown_with_each_status(db: None) -> None:
    today = date(2026, 8, 10)
    plans = {
        "empty": make_plan(name="No KPIs"),
        "deleted": make_plan(name="Only a deleted KPI"),
        "future": make_plan(name="Only a future actual"),
        "mixed": make_plan(name="On track and off track"),
        "stale": make_plan(name="Stale and on track"),
        "fine": make_plan(name="On track"),
    }
    gone = make_kpi(plan=plans["deleted"], name="Gone", baseline="0", target="91")
    make_measurement(kpi=gone, on=date(2026, 8, 1), value="0")  # off track, but deleted
    delete_item(gone)
    ahead = make_kpi(plan=plans["future"], baseline="0", target="91")
    make_measurement(kpi=ahead, on=date(2026, 8, 20), value="0")
    for name, value, on in [
        ("mixed", "31", date(2026, 8, 1)),
        ("mixed", "10", date(2026, 8, 1)),
        ("stale", "31", date(2026, 8, 1)),
        ("stale", "5", date(2026, 7, 10)),
        ("fine", "31", date(2026, 8, 1)),
    ]:
        kpi = make_kpi(plan=plans[name], baseline="0", target="91")
        make_measurement(kpi=kpi, on=on, value=value)
    rows = portfolio(list(Plan.objects.all()), today=today)
    shown = {row.plan.pk: row.kpis.status for row in rows}
    assert shown == {  # the Overall column: the share of KPIs on track
        plans["empty"].pk: Status.NO_DATA,
        plans["deleted"].pk: Status.NO_DATA,
        plans["future"].pk: Status.NO_DATA,
        plans["mixed"].pk: Status.AT_RISK,  # 1 of 2
        plans["stale"].pk: Status.AT_RISK,  # 1 of 2: a stale KPI is not on track
        plans["fine"].pk: Status.ON_TRACK,
    }
    assert {row.plan.pk: row.status for row in rows}[plans["mixed"].pk] == Status.OFF_TRACK
    for status in Status:
        found = with_status(Plan.objects.all(), status, today=today)
        assert {plan.pk for plan in found} == {pk for pk, s in shown.items() if s == status}


@pytest.mark.parametrize("plans", [1, 6])
def test_the_filter_judges_every_plan_in_one_query_and_then_none(
    db: None, django_assert_num_queries, plans: int
) -> None:
    for _ in range(plans):
        kpi = make_kpi(plan=make_plan(), baseline="0", target="91")
        make_measurement(kpi=kpi, on=date(2026, 8, 1), value="31")
    today = date(2026, 8, 10)
    # The plans not judged today, their KPIs judged, their colours stored in a savepoint.
    with django_assert_num_queries(5):
        found = with_status(Plan.objects.all(), Status.ON_TRACK, today=today)
    with django_assert_num_queries(1):  # reading them judges nothing again
        assert len(found) == plans
    with django_assert_num_queries(1):  # the next request: every stored colour still holds
        found = with_status(Plan.objects.all(), Status.ON_TRACK, today=today)
    with django_assert_num_queries(1):
        assert len(found) == plans
    with django_assert_num_queries(5):  # a new day judges them all again
        found = with_status(Plan.objects.all(), Status.OFF_TRACK, today=END)
    assert len(found) == plans  # on its last day, the plans' August actuals are stale


@pytest.mark.django_db(transaction=True)
def test_a_row_that_cannot_be_kept_is_still_shown() -> None:
    """A plan deleted between reading it and keeping its row: the row is shown, not kept."""
    gone = make_plan()
    read = (gone.pk, gone.content_revision, gone.updated_at)
    gone.delete()
    (row,) = judge_rollups([read], date(2026, 8, 10))
    assert (row.plan_id, row.status, row.stages) == (
        read[0],
        "no_data",
        " ".join(["no_data:0"] * 5),
    )
    assert not PlanRollup.objects.exists()
