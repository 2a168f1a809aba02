"""plan_snapshot: statuses, funnel, budgets and filters, in a constant number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kpis.dashboards.progress import Status
from kpis.dashboards.snapshot import NO_CHANNEL, _series_sql, plan_snapshot
from plans.models import KPI, Plan, Stage, Tactic
from tests.factories import make_kpi, make_measurement, make_plan, make_tactic, make_user

TODAY = date(2026, 8, 15)


def _fill(plan: Plan, *, kpis: int, weeks: int) -> None:
    for n in range(kpis):
        kpi = make_kpi(plan=plan, stage=("reach", "act", "convert", "engage", "plan")[n % 5])
        for week in range(weeks):
            make_measurement(
                kpi=kpi, on=plan.period_start + timedelta(weeks=week), value=str(100 + week)
            )
        make_tactic(plan=plan, stage=kpi.stage, channel=f"Channel {n % 3}")


@pytest.mark.parametrize("kpis,weeks", [(2, 2), (20, 6)])
def test_queries_are_constant(
    db: None, django_assert_max_num_queries, kpis: int, weeks: int
) -> None:
    plan = make_plan()
    _fill(plan, kpis=kpis, weeks=weeks)
    with django_assert_max_num_queries(4):
        snapshot = plan_snapshot(plan, today=TODAY)
    assert len(snapshot.kpis) == kpis
    assert sum(len(item.measurements) for item in snapshot.kpis) == kpis * weeks


def test_stages_in_race_order_with_worst_status(db: None) -> None:
    plan = make_plan()
    good = make_kpi(plan=plan, stage="reach", baseline="0", target="100")
    bad = make_kpi(plan=plan, stage="reach", baseline="0", target="100")
    make_measurement(kpi=good, on=date(2026, 8, 14), value="90")
    make_measurement(kpi=bad, on=date(2026, 8, 14), value="1")
    snapshot = plan_snapshot(plan, today=TODAY)
    assert [s.stage.value for s in snapshot.stages] == ["plan", "reach", "act", "convert", "engage"]
    reach = snapshot.stages[1]
    assert [item.kpi for item in reach.kpis] == [good, bad]
    assert reach.status == Status.OFF_TRACK
    assert reach.status_counts[Status.ON_TRACK] == 1
    assert snapshot.stages[0].status == Status.NO_DATA
    assert snapshot.status == Status.OFF_TRACK


def test_measurements_sorted_and_filtered_by_period(db: None) -> None:
    plan = make_plan()
    kpi = make_kpi(plan=plan)
    for on, value in ((date(2026, 7, 20), "3"), (date(2026, 7, 6), "1"), (date(2026, 7, 13), "2")):
        make_measurement(kpi=kpi, on=on, value=value)
    (item,) = plan_snapshot(plan, today=TODAY).kpis
    assert [v for _, v in item.measurements] == [Decimal(1), Decimal(2), Decimal(3)]
    (item,) = plan_snapshot(plan, today=TODAY, start=date(2026, 7, 10), end=date(2026, 7, 14)).kpis
    assert item.measurements == [(date(2026, 7, 13), Decimal(2))]
    # Judged as of the period end, so the old value is not stale there.
    assert item.progress.latest == Decimal(2)
    assert item.progress.status != Status.STALE


def test_audience_filter_keeps_items_for_all(db: None) -> None:
    plan = make_plan(audience="both")
    shared = make_kpi(plan=plan, audience="all")
    b2c = make_kpi(plan=plan, audience="b2c")
    b2b = make_kpi(plan=plan, audience="b2b")
    make_tactic(plan=plan, audience="b2c", budget_planned="100", budget_spent="10")
    make_tactic(plan=plan, audience="b2b", budget_planned="7", budget_spent="1")
    make_tactic(plan=plan, audience="all", budget_planned="1000", budget_spent="100")
    assert {i.kpi for i in plan_snapshot(plan, today=TODAY).kpis} == {shared, b2c, b2b}
    snapshot = plan_snapshot(plan, today=TODAY, audience="b2b")
    assert {i.kpi for i in snapshot.kpis} == {shared, b2b}
    assert snapshot.budget_planned == Decimal("1007")
    assert snapshot.budget_spent == Decimal("101")
    with pytest.raises(ValueError):
        plan_snapshot(plan, audience="all")


def test_funnel_uses_primary_kpis(db: None) -> None:
    plan = make_plan()
    visitors = make_kpi(plan=plan, stage="reach", name="Visitors", target="1000")
    leads = make_kpi(plan=plan, stage="act", name="Leads", target="100")
    make_kpi(plan=plan, stage="act", name="Not primary", target="5")
    make_measurement(kpi=visitors, on=date(2026, 8, 1), value="800")
    make_measurement(kpi=visitors, on=date(2026, 8, 8), value="900")
    make_measurement(kpi=leads, on=date(2026, 8, 8), value="45")
    plan.worksheets.filter(stage="reach").update(primary_kpi=visitors)
    plan.worksheets.filter(stage="act").update(primary_kpi=leads)
    reach, act, convert, engage = plan_snapshot(plan, today=TODAY).funnel
    assert (reach.kpi_name, reach.target, reach.actual) == ("Visitors", 1000, 900)
    assert act.target_rate == Decimal("0.1") and act.actual_rate == Decimal("0.05")
    assert convert.kpi_name is None and convert.target is None and engage.actual is None


def test_budget_by_stage_and_channel(db: None) -> None:
    plan = make_plan()
    make_tactic(plan=plan, stage="reach", channel="Email", budget_planned="100", budget_spent="40")
    make_tactic(plan=plan, stage="reach", channel="Email", budget_planned="50", budget_spent="5")
    make_tactic(
        plan=plan, stage="convert", channel="Search", budget_planned="500", budget_spent="0"
    )
    make_tactic(plan=plan, stage="plan", channel=" ", budget_planned="1", budget_spent="1")
    snapshot = plan_snapshot(plan, today=TODAY)
    by_stage = {s.stage.value: (s.budget_planned, s.budget_spent) for s in snapshot.stages}
    assert by_stage["reach"] == (Decimal(150), Decimal(45))
    assert by_stage["act"] == (Decimal(0), Decimal(0))
    assert snapshot.budget_by_channel == [
        ("Search", Decimal(500), Decimal(0)),
        ("Email", Decimal(150), Decimal(45)),
        (NO_CHANNEL, Decimal(1), Decimal(1)),
    ]


def test_explicit_period_keeps_overlapping_tactics(db: None) -> None:
    plan = make_plan()
    early = make_tactic(plan=plan, budget_planned="10")
    early.start_date, early.end_date = date(2026, 7, 1), date(2026, 7, 31)
    early.save()
    make_tactic(plan=plan, budget_planned="5")  # no dates: always counts
    assert plan_snapshot(plan, today=TODAY).budget_planned == Decimal(15)
    later = plan_snapshot(plan, today=TODAY, start=date(2026, 8, 1), end=date(2026, 8, 31))
    assert later.budget_planned == Decimal(5)


def _plan_of_every_audience(*, owner_name: str) -> Plan:
    plan = make_plan(audience="both")
    owner = make_user(username=owner_name)
    for n, audience in enumerate(("all", "b2c", "b2b")):
        kpi = make_kpi(plan=plan, stage=("act", "reach", "engage")[n], audience=audience)
        KPI.objects.filter(pk=kpi.pk).update(owner=owner, position=3 - n)
        for start, end in ((None, None), (date(2026, 7, 1), date(2026, 7, 31))):
            tactic = make_tactic(
                plan=plan, audience=audience, channel=f"{audience} {start}", budget_planned="10"
            )
            Tactic.objects.filter(pk=tactic.pk).update(start_date=start, end_date=end)
    make_kpi(plan=plan, audience="b2c").delete()
    return plan


@pytest.mark.parametrize("audience", [None, "b2c", "b2b"])
@pytest.mark.parametrize("period", [None, (date(2026, 8, 1), date(2026, 8, 31))])
def test_kpis_and_tactics_are_what_the_orm_reads_for_each_filter(
    db: None, audience: str | None, period: tuple[date, date] | None
) -> None:
    """Their SQL is written once per process for each kind of filter, then runs with each
    view's own plan, audience and period: the second plan's rows, not the first's again."""
    start, end = period or (None, None)
    for n in range(2):
        plan = _plan_of_every_audience(owner_name=f"owner{n}")
        snapshot = plan_snapshot(plan, today=TODAY, start=start, end=end, audience=audience)
        kpis = KPI.objects.filter(plan=plan).select_related("owner")
        tactics = Tactic.objects.filter(plan=plan)
        if audience is not None:
            kpis = kpis.filter(audience__in=("all", audience))
            tactics = tactics.filter(audience__in=("all", audience))
        if period is not None:
            tactics = tactics.exclude(start_date__isnull=False, end_date__lt=period[0])
        expected = sorted(kpis, key=lambda kpi: list(Stage).index(Stage(kpi.stage)))
        assert [item.kpi for item in snapshot.kpis] == expected
        assert {item.kpi.owner.username for item in snapshot.kpis if item.kpi.owner} == {
            f"owner{n}"
        }
        assert sorted(channel for channel, _, _ in snapshot.budget_by_channel) == sorted(
            tactics.values_list("channel", flat=True)
        )
        assert snapshot.budget_planned == 10 * tactics.count()


def test_period_must_be_ordered(db: None) -> None:
    plan = make_plan()
    with pytest.raises(ValueError):
        plan_snapshot(plan, start=date(2026, 9, 1), end=date(2026, 8, 1))


def test_portfolio_statuses_per_stage(db: None, django_assert_max_num_queries) -> None:
    from kpis.dashboards.snapshot import portfolio

    quiet = make_plan(name="Quiet")
    busy = make_plan(name="Busy")
    good = make_kpi(plan=busy, stage="reach", baseline="0", target="100")
    bad = make_kpi(plan=busy, stage="act", baseline="0", target="100")
    make_measurement(kpi=good, on=date(2026, 8, 14), value="60")
    make_measurement(kpi=bad, on=date(2026, 8, 1), value="50")  # superseded below
    make_measurement(kpi=bad, on=date(2026, 8, 14), value="1")
    make_measurement(kpi=bad, on=date(2026, 9, 1), value="99")  # after "today": ignored
    quiet.refresh_from_db()
    busy.refresh_from_db()
    # The rows kept, then the plans judged (their KPIs with latest actuals) and kept in a
    # savepoint; the next time, the kept rows only.
    with django_assert_max_num_queries(5):
        rows = portfolio([quiet, busy], today=TODAY)
    with django_assert_max_num_queries(1):
        assert portfolio([quiet, busy], today=TODAY) == rows
    assert [row.plan for row in rows] == [quiet, busy]
    assert rows[0].status == Status.NO_DATA and rows[0].kpi_count == 0
    stages = {stage.value: (status, count) for stage, status, count in rows[1].stages}
    assert stages["reach"] == (Status.ON_TRACK, 1)
    assert stages["act"] == (Status.OFF_TRACK, 1)
    assert stages["engage"] == (Status.NO_DATA, 0)
    assert rows[1].status == Status.OFF_TRACK


def test_funnel_takes_only_counts_as_volumes(db: None) -> None:
    plan = make_plan()
    visitors = make_kpi(plan=plan, stage="reach", name="Visitors", target="1000")
    rate = make_kpi(plan=plan, stage="act", name="Sign-up rate", unit="percent", target="5")
    buyers = make_kpi(plan=plan, stage="convert", name="Buyers", target="40")
    make_measurement(kpi=visitors, on=date(2026, 8, 8), value="900")
    make_measurement(kpi=rate, on=date(2026, 8, 8), value="4.5")
    make_measurement(kpi=buyers, on=date(2026, 8, 8), value="30")
    for stage, kpi in (("reach", visitors), ("act", rate), ("convert", buyers)):
        plan.worksheets.filter(stage=stage).update(primary_kpi=kpi)
    reach, act, convert, engage = plan_snapshot(plan, today=TODAY).funnel
    assert act.not_a_volume and act.kpi_name == "Sign-up rate"
    # A rate is no volume: no 0.5 % "conversion" from visitors, none on from a rate either.
    assert (act.target, act.actual, act.target_rate, act.actual_rate) == (None,) * 4
    assert (convert.target_rate, convert.actual_rate) == (None, None)
    assert not reach.not_a_volume and not convert.not_a_volume and not engage.not_a_volume


def test_measurements_are_the_decimals_the_orm_reads(db: None) -> None:
    """The snapshot reads actuals without the ORM's conversions; they must come out the same."""
    plan = make_plan()
    kpi = make_kpi(plan=plan)
    typed = ("1000", "0.1", "-5.25", "1234567.8912", "0.0001", "99999999999.9999")
    for week, value in enumerate(typed):
        make_measurement(kpi=kpi, on=plan.period_start + timedelta(weeks=week), value=value)
    (item,) = plan_snapshot(plan, today=TODAY).kpis
    stored = [(m.date, m.value) for m in kpi.measurements.order_by("date")]
    assert [(on, str(value)) for on, value in item.measurements] == [
        (on, str(value)) for on, value in stored
    ]
    assert item.floats == [float(value) for _, value in stored]
    assert (item.first, item.last) == (stored[0], stored[-1])


def test_actuals_of_deleted_kpis_and_other_plans_left_out(db: None) -> None:
    plan, other = make_plan(), make_plan()
    kept, deleted, elsewhere = make_kpi(plan=plan), make_kpi(plan=plan), make_kpi(plan=other)
    for kpi in (kept, deleted, elsewhere):
        make_measurement(kpi=kpi, on=date(2026, 7, 6), value="7")
    KPI.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    (item,) = plan_snapshot(plan, today=TODAY).kpis
    assert item.kpi == kept
    assert item.measurements == [(date(2026, 7, 6), Decimal(7))]


def test_actuals_read_off_the_index_alone(db: None) -> None:
    """SQLite reads a plan's actuals off the index on (kpi, date, value) in order: no table
    row, no sort (kpis/0011)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plan")
    plan = make_plan()
    params: list[int | str] = [plan.pk, str(plan.period_start), str(plan.period_end)]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + _series_sql(connection.alias), params)
        steps = " | ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX measurement_kpi_date_value" in steps, steps
    assert "TEMP B-TREE" not in steps, steps
